#include "encoders/filter_graph.hpp"

#include <fmt/format.h>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
}

namespace mw::encoders {

namespace {

std::string layout_name(const AVChannelLayout& layout) {
  char buf[128] = {};
  av_channel_layout_describe(&layout, buf, sizeof buf);
  return buf;
}

}  // namespace

bool FilterInput::matches(const AVFrame* f) const {
  if (type == AVMEDIA_TYPE_VIDEO)
    return f->width == width && f->height == height && f->format == pix_fmt;
  return f->sample_rate == sample_rate && f->format == sample_fmt &&
         layout_name(f->ch_layout) == channel_layout;
}

FilterInput FilterInput::from_frame(const AVFrame* f, AVMediaType type, AVRational time_base) {
  FilterInput in;
  in.type = type;
  in.time_base = time_base;
  if (type == AVMEDIA_TYPE_VIDEO) {
    in.width = f->width;
    in.height = f->height;
    in.pix_fmt = f->format;
    in.sample_aspect_ratio = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio : AVRational{1, 1};
  } else {
    in.sample_rate = f->sample_rate;
    in.sample_fmt = f->format;
    in.channel_layout = layout_name(f->ch_layout);
  }
  return in;
}

FilterGraph::FilterGraph(const std::string& description, const FilterInput& input, size_t sinks,
                         int audio_frame_size, const std::string& file)
    : input_(input), description_(description), file_(file) {
  auto fail = [&](int ret, const char* what) {
    std::string reason = av::error_text(ret);
    if (auto detail = av::last_log_error(); !detail.empty()) reason += " (" + detail + ")";
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: filter graph '{}': {} failed: {}", file_, description_, what, reason));
  };
  av::clear_log_error();
  graph_.reset(avfilter_graph_alloc());
  if (!graph_) throw std::bad_alloc();
  // Filters run on the stage's thread (x264 owns the cores), except HDR tone mapping: its
  // per-pixel float work is the stage's bottleneck and libavfilter's tonemap runs in slices on
  // every core (AVFILTER_FLAG_SLICE_THREADS; docs/benchmarks.md, the HDR benchmark).
  graph_->nb_threads = description_.find("tonemap=") != std::string::npos ? 0 : 1;
  const bool video = input.type == AVMEDIA_TYPE_VIDEO;
  std::string args;
  if (video) {
    args = fmt::format("video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}", input.width,
                       input.height, input.pix_fmt, input.time_base.num, input.time_base.den,
                       input.sample_aspect_ratio.num, input.sample_aspect_ratio.den);
    if (input.frame_rate.num > 0)
      args += fmt::format(":frame_rate={}/{}", input.frame_rate.num, input.frame_rate.den);
  } else {
    args = fmt::format("time_base={}/{}:sample_rate={}:sample_fmt={}:channel_layout={}",
                       input.time_base.num, input.time_base.den, input.sample_rate,
                       av_get_sample_fmt_name(static_cast<AVSampleFormat>(input.sample_fmt)),
                       input.channel_layout);
  }
  if (int ret = avfilter_graph_create_filter(&source_, avfilter_get_by_name(video ? "buffer" : "abuffer"),
                                             "in", args.c_str(), nullptr, graph_.get());
      ret < 0)
    fail(ret, "creating the buffer source");

  AVFilterInOut* outputs = avfilter_inout_alloc();  // the graph's open input: our source
  outputs->name = av_strdup("in");
  outputs->filter_ctx = source_;
  outputs->pad_idx = 0;
  outputs->next = nullptr;
  AVFilterInOut* inputs = nullptr;  // the graph's open outputs: our sinks
  for (size_t i = sinks; i-- > 0;) {
    AVFilterContext* sink = nullptr;
    const std::string label = fmt::format("{}{}", video ? 'v' : 'a', i);
    if (int ret = avfilter_graph_create_filter(&sink, avfilter_get_by_name(video ? "buffersink" : "abuffersink"),
                                               ("out_" + label).c_str(), nullptr, nullptr, graph_.get());
        ret < 0) {
      avfilter_inout_free(&outputs);
      avfilter_inout_free(&inputs);
      fail(ret, "creating a buffer sink");
    }
    sinks_.insert(sinks_.begin(), sink);
    AVFilterInOut* io = avfilter_inout_alloc();
    io->name = av_strdup(label.c_str());
    io->filter_ctx = sink;
    io->pad_idx = 0;
    io->next = inputs;
    inputs = io;
  }
  // The description names its ends [in] and [v0].. / [a0], matching the lists above.
  const int ret = avfilter_graph_parse_ptr(graph_.get(), description.c_str(), &inputs, &outputs, nullptr);
  av::FilterInOutPtr in_guard(inputs), out_guard(outputs);
  if (ret < 0) fail(ret, "parsing");
  if (int r = avfilter_graph_config(graph_.get(), nullptr); r < 0) fail(r, "configuring");
  if (!video && audio_frame_size > 0)
    for (auto* s : sinks_) av_buffersink_set_frame_size(s, static_cast<unsigned>(audio_frame_size));
  ended_.assign(sinks_.size(), false);
}

void FilterGraph::push(AVFrame* frame) {
  // Flag 0: the source takes the frame's references and resets `frame`.
  const int ret = av_buffersrc_add_frame_flags(source_, frame, 0);
  if (ret < 0)
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: filter graph '{}': feeding a frame failed: {}", file_,
                                  description_, av::error_text(ret)));
}

bool FilterGraph::pull(size_t i, AVFrame* out) {
  if (ended_[i]) return false;
  const int ret = av_buffersink_get_frame(sinks_[i], out);
  if (ret == AVERROR(EAGAIN)) return false;
  if (ret == AVERROR_EOF) {
    ended_[i] = true;
    return false;
  }
  if (ret < 0)
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: filter graph '{}': {}", file_, description_, av::error_text(ret)));
  return true;
}

AVRational FilterGraph::sink_time_base(size_t i) const { return av_buffersink_get_time_base(sinks_[i]); }

}  // namespace mw::encoders
