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

// Concatenated video is timed in 1/90000 s: exact for the usual rates (24, 25, 30000/1001,
// 50, 60 fps) whatever each input's own time base.
constexpr AVRational kConcatVideoTimeBase{1, 90000};

std::vector<SegmentPlan> segments_of(const EncodePlan& plan) {
  if (!plan.segments.empty()) return plan.segments;
  SegmentPlan seg;  // a plan made by hand: its first-input fields
  seg.input_path = plan.input_path;
  seg.video_stream = plan.video_stream;
  seg.audio_stream = plan.audio_stream;
  seg.origin_s = plan.origin_s;
  seg.start_s = plan.start_s;
  seg.duration_s = plan.duration_s;
  seg.max_duration_s = plan.max_duration_s;
  return {seg};
}
}  // namespace

SourceStage::Stream SourceStage::open_stream(int index, FrameQueue* queue) {
  Stream s;
  if (index < 0 || queue == nullptr) return s;
  AVStream* st = input_->format()->streams[index];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: stream {}: no decoder for codec '{}'", input_->path(), index,
                                  avcodec_get_name(st->codecpar->codec_id)));
  s.index = index;
  s.type = st->codecpar->codec_type;
  s.queue = queue;
  s.time_base = st->time_base;
  s.out_time_base = st->time_base;
  if (concat_)
    s.out_time_base = s.type == AVMEDIA_TYPE_VIDEO ? kConcatVideoTimeBase
                                                   : AVRational{1, plan_.audio->codec.sampling_rate};
  s.shift = av_rescale_q(static_cast<int64_t>((segment_->origin_s + segment_->start_s) * AV_TIME_BASE),
                         AV_TIME_BASE_Q, st->time_base);
  s.decoder.reset(avcodec_alloc_context3(codec));
  if (!s.decoder) throw std::bad_alloc();
  av::check(avcodec_parameters_to_context(s.decoder.get(), st->codecpar),
            "avcodec_parameters_to_context", input_->path(), index);
  s.decoder->pkt_timebase = st->time_base;
  if (s.type == AVMEDIA_TYPE_VIDEO) {
    s.decoder->thread_count = 0;  // libavcodec picks frame/slice threads for the cores
    s.decoder->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  }
  av::clear_log_error();
  if (int ret = avcodec_open2(s.decoder.get(), codec, nullptr); ret < 0)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: stream {}: cannot open the {} decoder: {}", input_->path(), index,
                                  codec->name, av::error_text(ret)));
  return s;
}

void SourceStage::open_segment(size_t k) {
  segment_ = &segments_[k];
  if (segment_->input >= inputs_.size() || inputs_[segment_->input] == nullptr)
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("{}: segment {} has no opened input", segment_->input_path, k));
  input_ = inputs_[segment_->input];
  video_ = open_stream(segment_->video_stream, video_queue_);
  audio_ = open_stream(segment_->audio_stream, audio_queue_);
  bool read_before = false;  // an input used by an earlier segment is read again from its start
  for (size_t j = 0; j < k; ++j) read_before |= segments_[j].input == segment_->input;
  if (segment_->start_s > 0 || read_before) {
    // To the keyframe at or before the start; the frames before it are trimmed (by the filter
    // graphs with one segment, here with several). An input used twice is read again.
    const auto ts = static_cast<int64_t>((segment_->origin_s + segment_->start_s) * AV_TIME_BASE);
    av::check(avformat_seek_file(input_->format(), -1, INT64_MIN, ts, ts, 0), "avformat_seek_file",
              input_->path());
  }
}

SourceStage::SourceStage(InputFile& input, const EncodePlan& plan, FrameQueue* video_queue,
                         FrameQueue* audio_queue)
    : SourceStage(std::vector<InputFile*>{&input}, plan, video_queue, audio_queue) {}

SourceStage::SourceStage(std::vector<InputFile*> inputs, const EncodePlan& plan,
                         FrameQueue* video_queue, FrameQueue* audio_queue)
    : inputs_(std::move(inputs)),
      plan_(plan),
      segments_(segments_of(plan)),
      concat_(segments_.size() > 1),
      video_queue_(video_queue),
      audio_queue_(audio_queue),
      frame_(av::make_frame()) {
  open_segment(0);
}

FilterInput SourceStage::video_input() const {
  FilterInput in;
  in.type = AVMEDIA_TYPE_VIDEO;
  const AVCodecContext* d = video_.decoder.get();
  const AVStream* st = input_->format()->streams[video_.index];
  in.time_base = video_.out_time_base;
  in.width = d->width;
  in.height = d->height;
  in.pix_fmt = d->pix_fmt;
  in.sample_aspect_ratio = av_guess_sample_aspect_ratio(input_->format(), const_cast<AVStream*>(st), nullptr);
  if (in.sample_aspect_ratio.num <= 0) in.sample_aspect_ratio = {1, 1};
  in.frame_rate = st->avg_frame_rate;
  return in;
}

FilterInput SourceStage::audio_input() const {
  FilterInput in;
  in.type = AVMEDIA_TYPE_AUDIO;
  in.time_base = audio_.out_time_base;
  if (concat_) {  // what the segments' graphs deliver: the preset's rate and layout, fltp
    in.sample_rate = plan_.audio->codec.sampling_rate;
    in.sample_fmt = AV_SAMPLE_FMT_FLTP;
    AVChannelLayout layout;
    if (av_channel_layout_from_string(&layout, plan_.audio->channel_layout.c_str()) < 0)
      av_channel_layout_default(&layout, plan_.audio->codec.channels);
    in.channel_layout = layout_name(layout);
    av_channel_layout_uninit(&layout);
    return in;
  }
  const AVCodecContext* d = audio_.decoder.get();
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

bool SourceStage::queue_frame(Stream& s, av::FramePtr frame, std::stop_token& stop) {
  ++s.frames;
  if (s.type == AVMEDIA_TYPE_VIDEO && video_tap_ != nullptr) {
    av::FramePtr tapped(av_frame_clone(frame.get()));  // a second reference, not a copy
    if (!tapped) throw std::bad_alloc();
    video_tap_->push(std::move(tapped));
  }
  return !stop.stop_requested() && s.queue->push(std::move(frame));
}

// Several segments: the span's audio through its own graph (trim, convert, pad), then offset.
// `frame` is null at the segment's end (flush). Returns false when the stage must stop.
bool SourceStage::normalize(Stream& s, AVFrame* frame, std::stop_token& stop) {
  if (!s.normalizer) {
    if (frame == nullptr) return true;
    s.normalizer = std::make_unique<FilterGraph>(segment_->audio_filter,
                                                 FilterInput::from_frame(frame, AVMEDIA_TYPE_AUDIO, s.time_base),
                                                 1, 0, input_->path());
  }
  s.normalizer->push(frame);
  const int64_t offset = av_rescale_q(static_cast<int64_t>(offset_s_ * AV_TIME_BASE), AV_TIME_BASE_Q, s.out_time_base);
  for (;;) {
    av::FramePtr out = av::make_frame();
    if (!s.normalizer->pull(0, out.get())) return true;
    out->pts = av_rescale_q(out->pts, s.normalizer->sink_time_base(0), s.out_time_base) + offset;
    if (!queue_frame(s, std::move(out), stop)) return false;
  }
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
    duration = std::max<int64_t>(duration, 0);
    s.next_pts = pts + duration;
    f->pts = pts - s.shift;
    const double start_s = f->pts * av_q2d(s.time_base);
    s.decoded_end_s = std::max(s.decoded_end_s, (f->pts + duration) * av_q2d(s.time_base));
    if (s.type == AVMEDIA_TYPE_AUDIO && f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
      const int channels = f->ch_layout.nb_channels;
      av_channel_layout_uninit(&f->ch_layout);
      av_channel_layout_default(&f->ch_layout, channels);
    }
    if (concat_ && s.type == AVMEDIA_TYPE_AUDIO) {
      const bool go_on = normalize(s, f, stop);
      av_frame_unref(f);
      if (!go_on) return;
      continue;
    }
    if (concat_) {
      // The span's pictures: from the first at or after its start, up to its end.
      const double end_s = segment_->duration_s;
      if (start_s < -1e-6 || (end_s > 0 && start_s >= end_s - 1e-6)) {
        av_frame_unref(f);
        continue;
      }
      f->pts = av_rescale_q(f->pts, s.time_base, s.out_time_base) +
               av_rescale_q(static_cast<int64_t>(offset_s_ * AV_TIME_BASE), AV_TIME_BASE_Q, s.out_time_base);
      f->pkt_duration = av_rescale_q(duration, s.time_base, s.out_time_base);
    }
    av::FramePtr out = av::make_frame();
    av_frame_move_ref(out.get(), f);
    if (!queue_frame(s, std::move(out), stop)) return;
  }
}

bool SourceStage::past_end(const Stream& s) const {
  return s.index < 0 || (segment_->max_duration_s > 0 && s.decoded_end_s > segment_->max_duration_s + 1.0);
}

void SourceStage::check_complete(const Stream& s, const std::string& read_error) const {
  if (s.index < 0) return;
  if (s.frames == 0)
    throw EncodeError(ErrorCategory::MalformedContent,
                      fmt::format("{}: stream {}: no frame could be decoded{}", input_->path(), s.index,
                                  s.last_error.empty() ? "" : ": " + s.last_error));
  const double expected = segment_->duration_s;
  const double tolerance = std::max(0.5, 0.02 * expected);
  if (expected > 0 && s.decoded_end_s < expected - tolerance) {
    std::string cause = !read_error.empty() ? read_error : s.last_error;
    throw EncodeError(ErrorCategory::MalformedContent,
                      fmt::format("{}: stream {}: input ended early at {:.1f} s of {:.2f} s{}",
                                  input_->path(), s.index, segment_->start_s + s.decoded_end_s,
                                  segment_->start_s + expected, cause.empty() ? "" : " (" + cause + ")"));
  }
}

void SourceStage::run_segment(std::stop_token& stop) {
  av::PacketPtr packet = av::make_packet();
  std::string read_error;
  while (!stop.stop_requested()) {
    bool got = false;
    try {
      got = input_->read(packet.get());
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
  if (audio_.normalizer && !normalize(audio_, nullptr, stop)) return;
  check_complete(video_.index >= 0 ? video_ : audio_, read_error);
}

void SourceStage::run(std::stop_token stop) {
  struct CloseQueues {  // end of stream for the consumers, however this function leaves
    FrameQueue* v;
    FrameQueue* a;
    FrameQueue* tap;
    ~CloseQueues() {
      if (v) v->close();
      if (a) a->close();
      if (tap) tap->close();
    }
  } closer{video_queue_, audio_queue_, video_tap_};

  for (size_t k = 0; k < segments_.size(); ++k) {
    if (k > 0) open_segment(k);
    run_segment(stop);
    if (stop.stop_requested()) return;
    // The next span starts where this one ends: its planned length, else what was decoded.
    const Stream& lead = video_.index >= 0 ? video_ : audio_;
    offset_s_ += segment_->duration_s > 0 ? segment_->duration_s : lead.decoded_end_s;
  }
}

}  // namespace mw::encoders
