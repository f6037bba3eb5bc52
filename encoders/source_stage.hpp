#pragma once
// The source stage: it owns the demux/decode loop (libavformat + libavcodec send/receive) and
// feeds decoded frames, re-timed to output time (0 = the plan's origin), into one bounded queue
// per media type. End of input is a flush, never an error; an input that ends well before the
// duration it declares is an error ("input ended early at 10.2 s of 17.06 s").
//
// With several segments (MES Sources concatenation) it reads the segments one after the other:
// each span's frames are trimmed to the span here (video: frames starting before 0 or at/after
// the span's end are dropped; audio: the segment's own filter graph trims, converts and pads
// to the span's exact length) and offset by the spans before it, so video and audio stay in
// sync across the joins. Video is then timed in 1/90000 s, audio in 1/sample-rate of the
// preset; a change of picture size between inputs is left to the encode stage (it rebuilds its
// graph).

#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/av/ptr.hpp"
#include "encoders/filter_graph.hpp"
#include "encoders/frame_queue.hpp"
#include "encoders/input_file.hpp"
#include "encoders/plan.hpp"

namespace mw::encoders {

using FrameQueue = BoundedQueue<av::FramePtr>;

class SourceStage {
 public:
  /// Opens the decoders the plan needs and seeks to the plan's start (one input).
  /// @param video_queue, audio_queue may be null when the plan has no such stream
  /// @throws EncodeError UnsupportedFormat when no decoder exists for a stream
  SourceStage(InputFile& input, const EncodePlan& plan, FrameQueue* video_queue,
              FrameQueue* audio_queue);
  /// The same over the plan's segments: inputs[i] is the opened file of SegmentPlan::input i.
  /// The first segment's decoders are opened here, the others when their turn comes.
  SourceStage(std::vector<InputFile*> inputs, const EncodePlan& plan, FrameQueue* video_queue,
              FrameQueue* audio_queue);

  /// Also hands every decoded video frame (a second reference, no copy) to `queue`: the
  /// thumbnail stage's. A closed tap takes nothing more and does not stop decoding.
  void tap_video(FrameQueue* queue) { video_tap_ = queue; }

  /// What the decoders say their frames will look like (for configuring the filter graphs).
  FilterInput video_input() const;
  FilterInput audio_input() const;

  /// Demuxes and decodes to the end (or until stopped), then closes the queues.
  /// @throws EncodeError MalformedContent when an input ends early or nothing decodes
  void run(std::stop_token stop);

 private:
  struct Stream {
    int index = -1;
    AVMediaType type = AVMEDIA_TYPE_UNKNOWN;
    av::CodecContextPtr decoder;
    FrameQueue* queue = nullptr;
    AVRational time_base{1, 1};      // the input stream's
    AVRational out_time_base{1, 1};  // of the frames queued (= time_base with one segment)
    int64_t shift = 0;               // input ticks that become the segment's time 0
    int64_t next_pts = AV_NOPTS_VALUE;
    double decoded_end_s = 0;        // segment time reached by decoded frames, seconds
    int64_t frames = 0;
    int errors = 0;
    std::string last_error;
    std::unique_ptr<FilterGraph> normalizer;  // several segments, audio: SegmentPlan::audio_filter
  };

  Stream open_stream(int index, FrameQueue* queue);
  void open_segment(size_t k);
  void run_segment(std::stop_token& stop);
  void decode(Stream& s, const AVPacket* packet, std::stop_token& stop);
  bool queue_frame(Stream& s, av::FramePtr frame, std::stop_token& stop);
  bool normalize(Stream& s, AVFrame* frame, std::stop_token& stop);
  void check_complete(const Stream& s, const std::string& read_error) const;
  bool past_end(const Stream& s) const;

  std::vector<InputFile*> inputs_;
  InputFile* input_ = nullptr;  // the current segment's
  const EncodePlan& plan_;
  std::vector<SegmentPlan> segments_;  // plan.segments, or one made of the plan's first-input fields
  const SegmentPlan* segment_ = nullptr;
  bool concat_ = false;
  double offset_s_ = 0;         // output time of the current segment's time 0
  FrameQueue* video_queue_;
  FrameQueue* audio_queue_;
  Stream video_, audio_;
  FrameQueue* video_tap_ = nullptr;
  av::FramePtr frame_;
};

}  // namespace mw::encoders
