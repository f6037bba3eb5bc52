#include "encoders/encoder.hpp"

#include <fmt/format.h>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
}

namespace mw::encoders {

namespace {

[[noreturn]] void fail(const std::string& file, const char* encoder, const char* what, int ret) {
  std::string reason = av::error_text(ret);
  if (auto detail = av::last_log_error(); !detail.empty()) reason += " (" + detail + ")";
  throw EncodeError(ErrorCategory::Processing,
                    fmt::format("{}: {} encoder: {} failed: {}", file, encoder, what, reason));
}

av::CodecContextPtr alloc(const char* name, const std::string& file) {
  const AVCodec* codec = avcodec_find_encoder_by_name(name);
  if (codec == nullptr)
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: the {} encoder is not available in this libavcodec", file, name));
  av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

}  // namespace

Encoder Encoder::video(const VideoEncodePlan& plan, AVRational time_base, const std::string& file) {
  Encoder e;
  e.file_ = file;
  e.ctx_ = alloc("libx264", file);
  AVCodecContext* c = e.ctx_.get();
  c->width = plan.size.width;
  c->height = plan.size.height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->sample_aspect_ratio = {1, 1};
  c->time_base = time_base;
  c->framerate = {plan.frame_rate.num, plan.frame_rate.den};
  c->bit_rate = int64_t{plan.layer.bitrate_kbps} * 1000;
  c->rc_max_rate = int64_t{plan.layer.maxrate_kbps()} * 1000;
  c->rc_buffer_size = plan.layer.bufsize_kbit() * 1000;
  c->gop_size = plan.keyint_frames;
  c->max_b_frames = plan.layer.b_frames;
  c->refs = plan.layer.reference_frames;
  c->color_range = AVCOL_RANGE_MPEG;
  c->colorspace = AVCOL_SPC_BT709;
  c->color_primaries = AVCOL_PRI_BT709;
  c->color_trc = AVCOL_TRC_BT709;
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // avcC in the MP4 sample entry
  c->thread_count = 0;
  av::Dictionary opts;
  opts.set("preset", plan.x264_preset.c_str());
  opts.set("profile", plan.profile.c_str());
  if (!plan.level.empty()) opts.set("level", plan.level.c_str());
  opts.set("x264-params", plan.x264_params.c_str());
  av::clear_log_error();
  if (int ret = avcodec_open2(c, nullptr, opts.out()); ret < 0) fail(file, "libx264", "opening", ret);
  e.packet_ = av::make_packet();
  e.default_duration_ = std::max<int64_t>(
      1, av_rescale_q(1, AVRational{plan.frame_rate.den, plan.frame_rate.num}, time_base));
  return e;
}

Encoder Encoder::audio(const AudioEncodePlan& plan, const std::string& file) {
  Encoder e;
  e.file_ = file;
  e.ctx_ = alloc("aac", file);
  AVCodecContext* c = e.ctx_.get();
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->sample_rate = plan.codec.sampling_rate;
  c->time_base = {1, plan.codec.sampling_rate};
  c->bit_rate = int64_t{plan.codec.bitrate_kbps} * 1000;
  c->profile = FF_PROFILE_AAC_LOW;
  if (av_channel_layout_from_string(&c->ch_layout, plan.channel_layout.c_str()) < 0)
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("{}: unknown channel layout '{}'", file, plan.channel_layout));
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av::clear_log_error();
  if (int ret = avcodec_open2(c, nullptr, nullptr); ret < 0) fail(file, "aac", "opening", ret);
  e.packet_ = av::make_packet();
  e.default_duration_ = c->frame_size > 0 ? c->frame_size : 1024;
  return e;
}

void Encoder::encode(AVFrame* frame, const PacketSink& sink) {
  const bool video = ctx_->codec_type == AVMEDIA_TYPE_VIDEO;
  if (frame != nullptr && video) {
    // A decoded frame keeps the source's picture type; libx264 would turn every source I-frame
    // into a keyframe. The GOP structure is ours to choose.
    frame->pict_type = AV_PICTURE_TYPE_NONE;
    if (last_pts_ != AV_NOPTS_VALUE && frame->pts > last_pts_) durations_[last_pts_] = frame->pts - last_pts_;
    durations_[frame->pts] = default_duration_;
    last_pts_ = frame->pts;
  }
  if (int ret = avcodec_send_frame(ctx_.get(), frame); ret < 0 && ret != AVERROR_EOF)
    fail(file_, ctx_->codec->name, "avcodec_send_frame", ret);
  for (;;) {
    const int ret = avcodec_receive_packet(ctx_.get(), packet_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    if (ret < 0) fail(file_, ctx_->codec->name, "avcodec_receive_packet", ret);
    if (video) {
      if (auto it = durations_.find(packet_->pts); it != durations_.end()) {
        packet_->duration = it->second;
        durations_.erase(it);
      }
    }
    if (packet_->duration <= 0) packet_->duration = default_duration_;
    sink(packet_.get());
    av_packet_unref(packet_.get());
  }
}

}  // namespace mw::encoders
