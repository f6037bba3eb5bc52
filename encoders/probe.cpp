#include "encoders/probe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/av/ptr.hpp"
#include "encoders/frame_rate.hpp"
#include "encoders/input_file.hpp"
#include "encoders/isobmff_pcm.hpp"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace mw::encoders {

namespace {

Fraction fraction(AVRational r) { return {r.num, r.den}; }

std::map<std::string, std::string> tags(const AVDictionary* dict) {
  std::map<std::string, std::string> out;
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) out[e->key] = e->value;
  return out;
}

Disposition disposition(int d) {
  Disposition out;
  out.default_ = d & AV_DISPOSITION_DEFAULT;
  out.dub = d & AV_DISPOSITION_DUB;
  out.original = d & AV_DISPOSITION_ORIGINAL;
  out.comment = d & AV_DISPOSITION_COMMENT;
  out.lyrics = d & AV_DISPOSITION_LYRICS;
  out.karaoke = d & AV_DISPOSITION_KARAOKE;
  out.forced = d & AV_DISPOSITION_FORCED;
  out.hearing_impaired = d & AV_DISPOSITION_HEARING_IMPAIRED;
  out.visual_impaired = d & AV_DISPOSITION_VISUAL_IMPAIRED;
  out.clean_effects = d & AV_DISPOSITION_CLEAN_EFFECTS;
  out.attached_pic = d & AV_DISPOSITION_ATTACHED_PIC;
  return out;
}

double seconds(int64_t ts, AVRational tb) {
  return ts == AV_NOPTS_VALUE ? 0.0 : static_cast<double>(ts) * av_q2d(tb);
}

std::string level_name(AVCodecID id, int level) {
  if (level <= 0) return "";
  if (id == AV_CODEC_ID_H264) {
    if (level == 9) return "1b";
    return fmt::format("{}.{}", level / 10, level % 10).substr(0, level % 10 ? 3 : 1);
  }
  if (id == AV_CODEC_ID_HEVC) return fmt::format("{:g}", level / 30.0);
  return std::to_string(level);
}

void fill_common(TrackInfo& t, const AVStream* st) {
  const AVCodecParameters* par = st->codecpar;
  const AVCodecDescriptor* desc = avcodec_descriptor_get(par->codec_id);
  t.index = st->index;
  t.codec = desc ? desc->name : "unknown";
  t.codec_long_name = desc && desc->long_name ? desc->long_name : "";
  if (par->codec_tag) {
    char buf[AV_FOURCC_MAX_STRING_SIZE] = {};
    av_fourcc_make_string(buf, par->codec_tag);
    t.fourcc = buf;
    if (t.fourcc.find('[') != std::string::npos) t.fourcc.clear();  // numeric tags (AVI audio)
  }
  if (const char* p = avcodec_profile_name(par->codec_id, par->profile)) t.profile = p;
  t.time_base = fraction(st->time_base);
  t.number_of_frames = st->nb_frames;
  t.start_time_s = seconds(st->start_time, st->time_base);
  t.duration_s = seconds(st->duration, st->time_base);
  t.bitrate_bps = par->bit_rate;
  t.disposition = disposition(st->disposition);
  t.metadata = tags(st->metadata);
}

// Reads the first video packets of a second opening of the file and measures their rate.
double measured_frame_rate(const std::string& path, int stream) {
  constexpr size_t kPackets = 120;
  try {
    InputFile scan = InputFile::open(path);
    std::vector<int64_t> pts;
    av::PacketPtr pkt = av::make_packet();
    while (pts.size() < kPackets && scan.read(pkt.get()))
      if (pkt->stream_index == stream && pkt->pts != AV_NOPTS_VALUE) pts.push_back(pkt->pts);
    return rate_from_timestamps(std::move(pts), scan.format()->streams[stream]->time_base);
  } catch (const EncodeError&) {
    return 0;
  }
}

// The end of a stream whose container gives no per-track duration (Matroska, WebM): the last
// packets' pts + duration, read after a seek near the end. Seconds from the stream's start; 0
// when unknown.
double measured_duration(const std::string& path, int stream, double container_end_s, double start_s,
                         double frame_s) {
  try {
    InputFile scan = InputFile::open(path);
    AVFormatContext* fmt = scan.format();
    const AVStream* st = fmt->streams[stream];
    const auto target = static_cast<int64_t>(std::max(0.0, container_end_s - 3.0) * AV_TIME_BASE);
    if (avformat_seek_file(fmt, -1, INT64_MIN, target, target, 0) < 0) return 0;
    // A packet without a plausible duration (none, or Matroska's 1 ms BlockDuration) lasts one
    // frame interval.
    const int64_t frame_ticks = static_cast<int64_t>(frame_s / av_q2d(st->time_base) + 0.5);
    int64_t end = AV_NOPTS_VALUE;
    av::PacketPtr pkt = av::make_packet();
    while (scan.read(pkt.get()))
      if (pkt->stream_index == stream && pkt->pts != AV_NOPTS_VALUE) {
        const int64_t packet_end = pkt->pts + (pkt->duration * 2 >= frame_ticks && pkt->duration > 0 ? pkt->duration : frame_ticks);
        end = std::max(end == AV_NOPTS_VALUE ? packet_end : end, packet_end);
      }
    return end == AV_NOPTS_VALUE ? 0 : std::max(0.0, end * av_q2d(st->time_base) - start_s);
  } catch (const EncodeError&) {
    return 0;
  }
}

// avg_frame_rate is what MES reports; when the container's two rates disagree (Matroska gives
// avg 1000/1 from its 1 ms time base, and r_frame_rate is a guess that can be the field rate),
// the rate is measured from the timestamps instead.
Fraction nominal_frame_rate(const std::string& path, const AVStream* st) {
  const AVRational avg = st->avg_frame_rate, r = st->r_frame_rate;
  const bool avg_ok = avg.num > 0 && avg.den > 0;
  const bool r_ok = r.num > 0 && r.den > 0;
  if (avg_ok && r_ok && std::abs(av_q2d(avg) / av_q2d(r) - 1.0) < 0.05) return fraction(avg);
  if (const double fps = measured_frame_rate(path, st->index); fps > 0) return fraction(snap_frame_rate(fps));
  if (avg_ok) return fraction(avg);
  if (r_ok) return fraction(r);
  return {};
}

VideoTrackInfo video_track(const std::string& path, AVFormatContext* fmt, AVStream* st) {
  VideoTrackInfo v;
  fill_common(v, st);
  const AVCodecParameters* par = st->codecpar;
  v.level = level_name(par->codec_id, par->level);
  const auto pix = static_cast<AVPixelFormat>(par->format);
  if (const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(pix)) {
    v.pixel_format = d->name;
    v.bit_depth = d->comp[0].depth;
  }
  v.width = par->width;
  v.height = par->height;
  AVRational sar = av_guess_sample_aspect_ratio(fmt, st, nullptr);
  if (sar.num <= 0 || sar.den <= 0) sar = {1, 1};
  av_reduce(&sar.num, &sar.den, sar.num, sar.den, 1 << 20);
  v.sample_aspect_ratio = fraction(sar);
  AVRational dar{0, 1};
  if (v.width > 0 && v.height > 0)
    av_reduce(&dar.num, &dar.den, int64_t{v.width} * sar.num, int64_t{v.height} * sar.den,
              1 << 20);
  v.display_aspect_ratio = fraction(dar);
  v.frame_rate = nominal_frame_rate(path, st);
  if (v.duration_s <= 0 && fmt->duration != AV_NOPTS_VALUE)
    v.duration_s = measured_duration(path, st->index,
                                     (fmt->duration + (fmt->start_time == AV_NOPTS_VALUE ? 0 : fmt->start_time)) /
                                         double(AV_TIME_BASE),
                                     v.start_time_s, v.frame_rate.num > 0 ? 1.0 / v.frame_rate.value() : 0.0);
  v.has_b_frames = par->video_delay > 0;
  switch (par->field_order) {
    case AV_FIELD_PROGRESSIVE: v.field_order = "progressive"; break;
    case AV_FIELD_TT: v.field_order = "tt"; break;
    case AV_FIELD_BB: v.field_order = "bb"; break;
    case AV_FIELD_TB: v.field_order = "tb"; break;
    case AV_FIELD_BT: v.field_order = "bt"; break;
    default: v.field_order = "unknown"; break;
  }
  v.interlaced = par->field_order != AV_FIELD_PROGRESSIVE && par->field_order != AV_FIELD_UNKNOWN;
  size_t size = 0;
  if (const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
      m != nullptr && size >= 9 * sizeof(int32_t)) {
    if (auto t = transform_from_matrix(reinterpret_cast<const int32_t*>(m))) v.display_transform = *t;
  }
  v.color_primaries = av_color_primaries_name(par->color_primaries);
  v.color_transfer = av_color_transfer_name(par->color_trc);
  v.color_space = av_color_space_name(par->color_space);
  v.color_range = av_color_range_name(par->color_range);
  if (pix == AV_PIX_FMT_YUVJ420P || pix == AV_PIX_FMT_YUVJ422P || pix == AV_PIX_FMT_YUVJ444P)
    v.color_range = "pc";
  return v;
}

AudioTrackInfo audio_track(AVStream* st) {
  AudioTrackInfo a;
  fill_common(a, st);
  const AVCodecParameters* par = st->codecpar;
  if (const char* f = av_get_sample_fmt_name(static_cast<AVSampleFormat>(par->format)))
    a.sample_format = f;
  char layout[128] = {};
  AVChannelLayout described{};
  if (par->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
    av_channel_layout_default(&described, par->ch_layout.nb_channels);  // "1 channels" -> "mono"
  else
    av_channel_layout_copy(&described, &par->ch_layout);
  if (described.nb_channels > 0 && av_channel_layout_describe(&described, layout, sizeof layout) > 0)
    a.channel_layout = layout;
  av_channel_layout_uninit(&described);
  a.channels = par->ch_layout.nb_channels;
  a.sampling_rate = par->sample_rate;
  a.bits_per_sample = par->bits_per_coded_sample > 0 ? par->bits_per_coded_sample
                                                     : par->bits_per_raw_sample;
  if (a.bitrate_bps == 0 && a.bits_per_sample > 0 && par->codec_id >= AV_CODEC_ID_FIRST_AUDIO &&
      par->codec_id < AV_CODEC_ID_ADPCM_IMA_QT)  // PCM: bitrate follows from the format
    a.bitrate_bps = int64_t{a.bits_per_sample} * a.channels * a.sampling_rate;
  return a;
}

}  // namespace

std::pair<double, double> VideoTrackInfo::display_size() const {
  const double w = width * sample_aspect_ratio.value();
  const double h = height;
  return display_transform.swaps_axes() ? std::pair{h, w} : std::pair{w, h};
}

const VideoTrackInfo* MediaInfo::primary_video() const {
  for (const auto& v : video_tracks)
    if (v.disposition.default_ && !v.disposition.attached_pic) return &v;
  for (const auto& v : video_tracks)
    if (!v.disposition.attached_pic) return &v;
  return nullptr;
}

const AudioTrackInfo* MediaInfo::primary_audio() const {
  for (const auto& a : audio_tracks)
    if (a.disposition.default_) return &a;
  return audio_tracks.empty() ? nullptr : &audio_tracks.front();
}

MediaInfo probe(const std::string& path) { return describe(InputFile::open(path)); }

MediaInfo describe(const InputFile& input) {
  AVFormatContext* fmt = input.format();
  const std::string& path = input.path();
  MediaInfo info;
  info.path = path;
  info.name = std::filesystem::path(path).filename().string();
  std::error_code ec;
  info.size_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  info.duration_s = fmt->duration == AV_NOPTS_VALUE ? 0.0 : fmt->duration / double(AV_TIME_BASE);
  info.start_time_s =
      fmt->start_time == AV_NOPTS_VALUE ? 0.0 : fmt->start_time / double(AV_TIME_BASE);
  info.format_names = fmt->iformat->name;
  info.format_long_name = fmt->iformat->long_name ? fmt->iformat->long_name : "";
  info.overall_bitrate_bps = fmt->bit_rate;
  info.number_of_streams = static_cast<int>(fmt->nb_streams);
  info.metadata = tags(fmt->metadata);
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    AVStream* st = fmt->streams[i];
    if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
      info.video_tracks.push_back(video_track(path, fmt, st));
    else if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
      info.audio_tracks.push_back(audio_track(st));
  }
  return info;
}

}  // namespace mw::encoders
