#pragma once
// An encode stage: frames of one media type from the source stage through the filter graph to
// its encoders, and each encoder's packets to the output files that carry that stream. A change
// of the decoded frames' size or format mid-stream rebuilds the filter graph.

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/encoder.hpp"
#include "encoders/filter_graph.hpp"
#include "encoders/output_file.hpp"
#include "encoders/source_stage.hpp"

namespace mw::encoders {

/// Where an encoder's packets go: stream `stream` of `file`.
struct Route {
  OutputFile* file = nullptr;
  int stream = 0;
};

class EncodeStage {
 public:
  /// @param graph    the configured filter graph; sink i feeds encoders[i]
  /// @param routes   routes[i]: the outputs of encoders[i]
  /// @param written  called after packets were written (progress); must be thread-safe
  EncodeStage(std::unique_ptr<FilterGraph> graph, std::string description, std::vector<Encoder>& encoders,
              std::vector<std::vector<Route>> routes, FrameQueue& queue, std::string file,
              std::function<void()> written);

  /// Runs until the queue ends, then flushes the graph and the encoders. With several encoders
  /// (a ladder) each encodes on its own thread, fed by a small queue of its filtered frames:
  /// x264's encode call blocks while all its frame threads are busy, and one layer waiting must
  /// not hold up the others (docs/benchmarks.md, the ladder benchmark).
  /// @throws EncodeError from the filter graph or any encoder (the first error wins)
  void run(std::stop_token stop);
  /// Frames taken from the queue into the filter graph so far (any thread may read it).
  const std::atomic<int64_t>& frames_in() const { return frames_in_; }

 private:
  void filter_all(std::stop_token stop);
  void pull_all();
  void send(size_t encoder, AVFrame* frame);

  std::unique_ptr<FilterGraph> graph_;
  std::string description_;
  std::vector<Encoder>& encoders_;
  std::vector<std::vector<Route>> routes_;
  FrameQueue& queue_;
  std::string file_;
  std::function<void()> written_;
  av::FramePtr filtered_;
  /// With several encoders: the filtered frames of encoder i wait in layer_queues_[i].
  std::vector<std::unique_ptr<FrameQueue>> layer_queues_;
  std::atomic<int64_t> frames_in_{0};
};

}  // namespace mw::encoders
