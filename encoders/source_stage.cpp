#include "encoders/source_stage.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"

namespace mw::encoders {

namespace {
std::string layout_name(const AVChannelLayout& layout) {
  char buf[128] = {};
  av_channel_layout_describe(&layout, buf, sizeof buf);
  return buf;
}
}  // namespace

SourceStage::Stream SourceStage::open_stream(int index, FrameQueue* queue) {
  Stream s;
  if (index < 0 || queue == nullptr) return s;
  AVStream* st = input_.format()->streams[index];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: stream {}: no decoder for codec '{}'", input_.path(), index,
                                  avcodec_get_name(st->codecpar->codec_id)));
  s.index = index;
  s.type = st->codecpar->codec_type;
  s.queue = queue;
  s.time_base = st->time_base;
  s.shift = av_rescale_q(static_cast<int64_t>((plan_.origin_s + plan_.start_s) * AV_TIME_BASE),
                         AV_TIME_BASE_Q, st->time_base);
  s.decoder.reset(avcodec_alloc_context3(codec));
  if (!s.decoder) throw std::bad_alloc();
  av::check(avcodec_parameters_to_context(s.decoder.get(), st->codecpar),
            "avcodec_parameters_to_context", input_.path(), index);
  s.decoder->pkt_timebase = st->time_base;
  if (s.type == AVMEDIA_TYPE_VIDEO) {
    s.decoder->thread_count = 0;  // libavcodec picks frame/slice threads for the cores
    s.decoder->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  }
  av::clear_log_error();
  if (int ret = avcodec_open2(s.decoder.get(), codec, nullptr); ret < 0)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: stream {}: cannot open the {} decoder: {}", input_.path(), index,
                                  codec->name, av::error_text(ret)));
  return s;
}

SourceStage::SourceStage(InputFile& input, const EncodePlan& plan, FrameQueue* video_queue,
                         FrameQueue* audio_queue)
    : input_(input), plan_(plan), frame_(av::make_frame()) {
  video_ = open_stream(plan.video_stream, video_queue);
  audio_ = open_stream(plan.audio_stream, audio_queue);
  if (plan.start_s > 0) {
    const auto ts = static_cast<int64_t>((plan.origin_s + plan.start_s) * AV_TIME_BASE);
    // To the keyframe at or before the start; the filter graphs trim the frames before it.
    av::check(avformat_seek_file(input.format(), -1, INT64_MIN, ts, ts, 0), "avformat_seek_file",
              input.path());
  }
}

FilterInput SourceStage::video_input() const {
  FilterInput in;
  in.type = AVMEDIA_TYPE_VIDEO;
  const AVCodecContext* d = video_.decoder.get();
  const AVStream* st = input_.format()->streams[video_.index];
  in.time_base = video_.time_base;
  in.width = d->width;
  in.height = d->height;
  in.pix_fmt = d->pix_fmt;
  in.sample_aspect_ratio = av_guess_sample_aspect_ratio(input_.format(), const_cast<AVStream*>(st), nullptr);
  if (in.sample_aspect_ratio.num <= 0) in.sample_aspect_ratio = {1, 1};
  in.frame_rate = st->avg_frame_rate;
  return in;
}

FilterInput SourceStage::audio_input() const {
  FilterInput in;
  in.type = AVMEDIA_TYPE_AUDIO;
  const AVCodecContext* d = audio_.decoder.get();
  in.time_base = audio_.time_base;
  in.sample_rate = d->sample_rate;
  in.sample_fmt = d->sample_fmt;
  if (d->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    AVChannelLayout def;
    av_channel_layout_default(&def, d->ch_layout.nb_channels);
    in.channel_layout = layout_name(def);
  } else {
    in.channel_layout = layout_name(d->ch_layout);
  }
  return in;
}

void SourceStage::decode(Stream& s, const AVPacket* packet, std::stop_token& stop) {
  if (int ret = avcodec_send_packet(s.decoder.get(), packet); ret < 0 && ret != AVERROR_EOF) {
    // A damaged packet: libavcodec conceals what it can; count it and go on, as players do.
    ++s.errors;
    s.last_error = av::error_text(ret);
    return;
  }
  for (;;) {
    const int ret = avcodec_receive_frame(s.decoder.get(), frame_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    if (ret < 0) {
      ++s.errors;
      s.last_error = av::error_text(ret);
      return;
    }
    AVFrame* f = frame_.get();
    int64_t pts = f->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE) pts = s.next_pts != AV_NOPTS_VALUE ? s.next_pts : s.shift;
    int64_t duration = f->pkt_duration;
    if (s.type == AVMEDIA_TYPE_AUDIO && f->sample_rate > 0)
      duration = av_rescale_q(f->nb_samples, AVRational{1, f->sample_rate}, s.time_base);
    s.next_pts = pts + std::max<int64_t>(duration, 0);
    f->pts = pts - s.shift;
    s.decoded_end_s = std::max(s.decoded_end_s, (f->pts + std::max<int64_t>(duration, 0)) * av_q2d(s.time_base));
    if (s.type == AVMEDIA_TYPE_AUDIO && f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
      const int channels = f->ch_layout.nb_channels;
      av_channel_layout_uninit(&f->ch_layout);
      av_channel_layout_default(&f->ch_layout, channels);
    }
    ++s.frames;
    av::FramePtr out = av::make_frame();
    av_frame_move_ref(out.get(), f);
    if (s.type == AVMEDIA_TYPE_VIDEO && video_tap_ != nullptr) {
      av::FramePtr tapped(av_frame_clone(out.get()));
      if (!tapped) throw std::bad_alloc();
      video_tap_->push(std::move(tapped));
    }
    if (stop.stop_requested() || !s.queue->push(std::move(out))) return;
  }
}

bool SourceStage::past_end(const Stream& s) const {
  return s.index < 0 || (plan_.max_duration_s > 0 && s.decoded_end_s > plan_.max_duration_s + 1.0);
}

void SourceStage::check_complete(const Stream& s, const std::string& read_error) const {
  if (s.index < 0) return;
  if (s.frames == 0)
    throw EncodeError(ErrorCategory::MalformedContent,
                      fmt::format("{}: stream {}: no frame could be decoded{}", input_.path(), s.index,
                                  s.last_error.empty() ? "" : ": " + s.last_error));
  const double expected = plan_.duration_s;
  const double tolerance = std::max(0.5, 0.02 * expected);
  if (expected > 0 && s.decoded_end_s < expected - tolerance) {
    std::string cause = !read_error.empty() ? read_error : s.last_error;
    throw EncodeError(ErrorCategory::MalformedContent,
                      fmt::format("{}: stream {}: input ended early at {:.1f} s of {:.2f} s{}",
                                  input_.path(), s.index, plan_.start_s + s.decoded_end_s,
                                  plan_.start_s + expected, cause.empty() ? "" : " (" + cause + ")"));
  }
}

void SourceStage::run(std::stop_token stop) {
  struct CloseQueues {  // end of stream for the consumers, however this function leaves
    Stream& v;
    Stream& a;
    FrameQueue* tap;
    ~CloseQueues() {
      if (v.queue) v.queue->close();
      if (a.queue) a.queue->close();
      if (tap) tap->close();
    }
  } closer{video_, audio_, video_tap_};

  av::PacketPtr packet = av::make_packet();
  std::string read_error;
  while (!stop.stop_requested()) {
    bool got = false;
    try {
      got = input_.read(packet.get());
    } catch (const EncodeError& e) {
      read_error = e.what();  // judged below: fatal only if media is missing
      break;
    }
    if (!got) break;
    Stream* s = packet->stream_index == video_.index   ? &video_
                : packet->stream_index == audio_.index ? &audio_
                                                       : nullptr;
    if (s == nullptr) continue;
    decode(*s, packet.get(), stop);
    if (past_end(video_) && past_end(audio_)) break;
  }
  if (stop.stop_requested()) return;
  for (Stream* s : {&video_, &audio_})
    if (s->index >= 0) decode(*s, nullptr, stop);  // drain the decoders
  check_complete(video_.index >= 0 ? video_ : audio_, read_error);
}

}  // namespace mw::encoders
