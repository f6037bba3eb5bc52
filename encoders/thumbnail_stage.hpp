#pragma once
// The thumbnail stage: it receives the decoded video frames of the task (the same decode that
// feeds the H.264 layers: the source stage hands it a second reference to each frame, no copy),
// keeps only the frames nearest each capture time of the plan, and for those runs a small
// libavfilter graph per image codec (display transform, scale per layer, pixel format) and
// libavcodec's mjpeg / png / bmp encoder. Every other frame is dropped at the cost of a queue
// hand-over, so thumbnails add almost nothing to an encode.
//
// Files are written under a temporary name (".NAME.partial" in the output folder) and renamed
// into place by commit() once the whole task succeeded; the destructor removes what was not
// committed, so a failed or cancelled task leaves no image behind.
//
// {Best} (MES: "the first interesting frame"): each frame of the first kBestWindowS seconds is
// reduced to a 64x36 full-range luma picture; the first one whose standard deviation is at
// least kBestMinStddev levels and whose mean lies in [kBestMinMean, kBestMaxMean] is taken, so
// black, white and flat frames (fades from black, title cards in one colour) are skipped. When
// no frame of the window qualifies, the one with the highest standard deviation is taken.

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "encoders/av/ptr.hpp"
#include "encoders/filter_graph.hpp"
#include "encoders/image_plan.hpp"
#include "encoders/source_stage.hpp"

struct SwsContext;

namespace mw::encoders {

inline constexpr double kBestMinStddev = 16.0;  ///< luma levels (0-255) over the picture
inline constexpr double kBestMinMean = 40.0;    ///< luma level: darker is a black or fading frame
inline constexpr double kBestMaxMean = 215.0;   ///< luma level: brighter is a white or flash frame

/// Mean and standard deviation of a picture's full-range 8-bit luma (0-255).
struct LumaStats {
  double mean = 0;
  double stddev = 0;
  bool interesting() const {
    return stddev >= kBestMinStddev && mean >= kBestMinMean && mean <= kBestMaxMean;
  }
};

class ThumbnailStage {
 public:
  /// @param plans     the plan's image codecs (must outlive the stage)
  /// @param input     what the decoded frames look like (SourceStage::video_input())
  /// @param queue     decoded video frames, pts in input.time_base with 0 = output time 0
  /// @param progressed called after each frame (progress); must be thread-safe
  /// @throws EncodeError (Processing) when a filter graph cannot be built
  ThumbnailStage(const std::vector<ImagePlan>& plans, const FilterInput& input, FrameQueue& queue,
                 std::filesystem::path output_dir, std::string file,
                 std::function<void()> progressed);
  ~ThumbnailStage();
  ThumbnailStage(const ThumbnailStage&) = delete;
  ThumbnailStage& operator=(const ThumbnailStage&) = delete;

  /// Runs until the queue ends, then captures what is left (times after the last frame take the
  /// last frame; {Best} without an interesting frame takes the most detailed one) and writes the
  /// sprites and their WebVTT files.
  /// @throws EncodeError Processing (filter or encoder failure) or Output (writing failed)
  void run(std::stop_token stop);

  /// Renames every written file into place.
  /// @return the final paths: per image codec in plan order, its captures in time order with
  ///         each capture's layers in order (sprites: per layer the JPEG, then the WebVTT file)
  /// @throws EncodeError Output when a rename fails, Processing when an image was never made
  std::vector<std::filesystem::path> commit();

  /// Output time reached by the frames seen so far, seconds.
  double reached_seconds() const { return reached_s_.load(); }

  /// The luma statistics {Best} judges a frame by (64x36 full-range luma).
  static LumaStats luma_stats(const AVFrame* frame, SwsContext*& scaler);

 private:
  struct Codec;
  struct File {
    std::filesystem::path final_path, temp_path;
    bool written = false;
  };

  void offer(av::FramePtr frame, double t);
  void offer_best(Codec& c, const AVFrame* frame, double t, const LumaStats& stats);
  void capture(Codec& c, size_t index, const AVFrame* frame);
  void finish();
  void write(const std::string& name, const std::string& bytes);
  std::string encode(AVFrame* picture, presets::OutputFormat format, int qscale,
                     const std::string& name) const;

  FilterInput input_;
  FrameQueue& queue_;
  std::filesystem::path output_dir_;
  std::string file_;
  std::function<void()> progressed_;
  std::vector<std::unique_ptr<Codec>> codecs_;
  std::vector<File> files_;                             // in commit() order
  std::unordered_map<std::string, size_t> file_index_;  // file name -> files_ index
  av::FramePtr prev_;  // the frame before the current one (nearest-frame choice)
  double prev_t_ = 0;
  av::FramePtr filtered_;
  SwsContext* scaler_ = nullptr;  // {Best} statistics
  std::atomic<double> reached_s_{0};
  bool committed_ = false;
};

}  // namespace mw::encoders
