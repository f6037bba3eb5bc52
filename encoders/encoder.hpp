#pragma once
// One encoder (libx264 for a video layer, libavcodec's AAC for audio) with the send/receive API.
// It knows each frame's duration so every packet leaves with one (the MP4 muxer needs the last
// sample's duration; libx264 does not set it).

#include <functional>
#include <map>
#include <string>

#include "encoders/av/ptr.hpp"
#include "encoders/plan.hpp"

namespace mw::encoders {

class Encoder {
 public:
  /// Opens libx264 for one layer. Frames must be yuv420p at plan.size, timestamps in `time_base`.
  /// @throws EncodeError (Processing) naming the encoder and libav's reason
  static Encoder video(const VideoEncodePlan& plan, AVRational time_base, const std::string& file);
  /// Opens the AAC encoder. Frames must be fltp at the plan's rate/layout, time base 1/rate.
  static Encoder audio(const AudioEncodePlan& plan, const std::string& file);

  using PacketSink = std::function<void(AVPacket*)>;

  /// Encodes one frame (nullptr flushes) and hands every packet that comes out to `sink`
  /// (timestamps in time_base(), duration set).
  void encode(AVFrame* frame, const PacketSink& sink);

  const AVCodecContext* context() const { return ctx_.get(); }
  AVRational time_base() const { return ctx_->time_base; }
  /// Frame size the encoder needs (AAC: 1024 samples); 0 for video.
  int frame_size() const { return ctx_->frame_size; }

 private:
  Encoder() = default;
  av::CodecContextPtr ctx_;
  av::PacketPtr packet_;
  std::string file_;
  int64_t default_duration_ = 0;           // one frame at the nominal rate, in time_base ticks
  std::map<int64_t, int64_t> durations_;   // video: frame pts -> duration
  int64_t last_pts_ = AV_NOPTS_VALUE;
};

}  // namespace mw::encoders
