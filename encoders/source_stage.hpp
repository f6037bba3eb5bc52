#pragma once
// The source stage: it owns the demux/decode loop (libavformat + libavcodec send/receive) and
// feeds decoded frames, re-timed to output time (0 = the plan's origin), into one bounded queue
// per media type. End of input is a flush, never an error; an input that ends well before the
// duration it declares is an error ("input ended early at 10.2 s of 17.06 s").

#include <stop_token>
#include <string>

#include "encoders/av/ptr.hpp"
#include "encoders/filter_graph.hpp"
#include "encoders/frame_queue.hpp"
#include "encoders/input_file.hpp"
#include "encoders/plan.hpp"

namespace mw::encoders {

using FrameQueue = BoundedQueue<av::FramePtr>;

class SourceStage {
 public:
  /// Opens the decoders the plan needs and seeks to the plan's start.
  /// @param video_queue, audio_queue may be null when the plan has no such stream
  /// @throws EncodeError UnsupportedFormat when no decoder exists for a stream
  SourceStage(InputFile& input, const EncodePlan& plan, FrameQueue* video_queue,
              FrameQueue* audio_queue);

  /// Also hands every decoded video frame (a second reference, no copy) to `queue`: the
  /// thumbnail stage's. A closed tap takes nothing more and does not stop decoding.
  void tap_video(FrameQueue* queue) { video_tap_ = queue; }

  /// What the decoders say their frames will look like (for configuring the filter graphs).
  FilterInput video_input() const;
  FilterInput audio_input() const;

  /// Demuxes and decodes to the end (or until stopped), then closes the queues.
  /// @throws EncodeError MalformedContent when the input ends early or nothing decodes
  void run(std::stop_token stop);

 private:
  struct Stream {
    int index = -1;
    AVMediaType type = AVMEDIA_TYPE_UNKNOWN;
    av::CodecContextPtr decoder;
    FrameQueue* queue = nullptr;
    AVRational time_base{1, 1};
    int64_t shift = 0;          // input ticks that become output time 0
    int64_t next_pts = AV_NOPTS_VALUE;
    double decoded_end_s = 0;   // output time reached by decoded frames, seconds
    int64_t frames = 0;
    int errors = 0;
    std::string last_error;
  };

  Stream open_stream(int index, FrameQueue* queue);
  void decode(Stream& s, const AVPacket* packet, std::stop_token& stop);
  void check_complete(const Stream& s, const std::string& read_error) const;
  bool past_end(const Stream& s) const;

  InputFile& input_;
  const EncodePlan& plan_;
  Stream video_, audio_;
  FrameQueue* video_tap_ = nullptr;
  av::FramePtr frame_;
};

}  // namespace mw::encoders
