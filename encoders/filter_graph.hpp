#pragma once
// A configured libavfilter graph with one buffer source ("[in]") and N buffer sinks
// ("[v0]".."[vN-1]" or "[a0]"), built from a plan's graph description.

#include <string>
#include <vector>

#include "encoders/av/ptr.hpp"

namespace mw::encoders {

/// What the buffer source is told about its frames (libavfilter buffersrc / abuffersrc args).
struct FilterInput {
  AVMediaType type = AVMEDIA_TYPE_VIDEO;
  AVRational time_base{1, 1};
  // video
  int width = 0, height = 0;
  int pix_fmt = -1;
  AVRational sample_aspect_ratio{1, 1};
  AVRational frame_rate{0, 1};
  // audio
  int sample_rate = 0;
  int sample_fmt = -1;
  std::string channel_layout;  ///< av_channel_layout_describe form

  /// Whether a decoded frame still matches (a change needs a new graph).
  bool matches(const AVFrame* frame) const;
  static FilterInput from_frame(const AVFrame* frame, AVMediaType type, AVRational time_base);
};

class FilterGraph {
 public:
  /// Parses and configures `description`.
  /// @param audio_frame_size when > 0, audio sinks deliver frames of exactly this many samples
  ///        (the AAC encoder's frame_size), except the last
  /// @throws EncodeError (Processing) naming the description and libav's reason
  FilterGraph(const std::string& description, const FilterInput& input, size_t sinks,
              int audio_frame_size, const std::string& file);

  /// Feeds one frame (the frame is unreferenced), or the end of the stream with nullptr.
  void push(AVFrame* frame);
  /// Takes the next filtered frame of sink `i` into `out`. Returns false when none is ready now
  /// (more input needed) or the sink reached its end (`ended(i)` then turns true).
  bool pull(size_t i, AVFrame* out);
  bool ended(size_t i) const { return ended_[i]; }

  AVRational sink_time_base(size_t i) const;
  const FilterInput& input() const { return input_; }

 private:
  av::FilterGraphPtr graph_;
  AVFilterContext* source_ = nullptr;
  std::vector<AVFilterContext*> sinks_;
  std::vector<bool> ended_;
  FilterInput input_;
  std::string description_;
  std::string file_;
};

}  // namespace mw::encoders
