#include "encoders/measure.hpp"

#include <algorithm>
#include <filesystem>

#include "encoders/av/ptr.hpp"
#include "encoders/frame_rate.hpp"
#include "encoders/input_file.hpp"
#include "encoders/probe.hpp"

namespace mw::encoders {

const MeasuredTrack* MeasuredFile::video() const {
  for (const auto& t : tracks)
    if (t.video) return &t;
  return nullptr;
}
const MeasuredTrack* MeasuredFile::audio() const {
  for (const auto& t : tracks)
    if (!t.video) return &t;
  return nullptr;
}

MeasuredFile measure_file(const std::string& path) {
  InputFile input = InputFile::open(path);
  const MediaInfo info = describe(input);
  AVFormatContext* fmt = input.format();
  MeasuredFile out;
  out.name = info.name;
  out.size_bytes = info.size_bytes;
  out.duration_s = info.duration_s;

  struct Acc {
    int64_t first = AV_NOPTS_VALUE, end = AV_NOPTS_VALUE, bytes = 0, frames = 0;
    int64_t gop_start = AV_NOPTS_VALUE, gop_bytes = 0;
    double max_gop_kbps = 0;
    std::vector<double> keys;
    std::vector<int64_t> pts;
  };
  std::vector<Acc> acc(fmt->nb_streams);
  auto close_gop = [](Acc& a, AVRational tb, int64_t until) {
    if (a.gop_start == AV_NOPTS_VALUE || until <= a.gop_start) return;
    const double seconds = (until - a.gop_start) * av_q2d(tb);
    a.max_gop_kbps = std::max(a.max_gop_kbps, a.gop_bytes * 8 / seconds / 1000);
  };
  av::PacketPtr pkt = av::make_packet();
  while (input.read(pkt.get())) {
    const AVStream* st = fmt->streams[pkt->stream_index];
    Acc& a = acc[static_cast<size_t>(pkt->stream_index)];
    if (pkt->pts == AV_NOPTS_VALUE) continue;
    a.first = a.first == AV_NOPTS_VALUE ? pkt->pts : std::min(a.first, pkt->pts);
    a.end = std::max(a.end == AV_NOPTS_VALUE ? pkt->pts : a.end, pkt->pts + pkt->duration);
    a.bytes += pkt->size;
    ++a.frames;
    a.pts.push_back(pkt->pts);
    if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && (pkt->flags & AV_PKT_FLAG_KEY)) {
      close_gop(a, st->time_base, pkt->dts);
      a.gop_start = pkt->dts;
      a.gop_bytes = 0;
      a.keys.push_back(pkt->pts * av_q2d(st->time_base));
    }
    a.gop_bytes += pkt->size;
  }

  int video_index = 0, audio_index = 0;
  auto common = [&](MeasuredTrack& t, const TrackInfo& info_track) {
    const AVStream* st = fmt->streams[info_track.index];
    Acc& a = acc[static_cast<size_t>(info_track.index)];
    t.codec = info_track.codec;
    t.profile = info_track.profile;
    t.frames = a.frames;
    t.bytes = a.bytes;
    if (a.first != AV_NOPTS_VALUE) {
      t.start_s = a.first * av_q2d(st->time_base);
      t.duration_s = (a.end - a.first) * av_q2d(st->time_base);
    }
    // The track's own duration and start (mdhd and edit list) are what a player presents: they
    // exclude the AAC encoder's priming samples, and they include the last video frame, which
    // the mov demuxer leaves without a packet duration when the track has B-frames.
    if (info_track.duration_s > 0) {
      t.duration_s = info_track.duration_s;
      t.start_s = std::max(0.0, info_track.start_time_s);
    }
    if (t.duration_s > 0) t.bitrate_kbps = a.bytes * 8 / t.duration_s / 1000;
  };
  for (const auto& v : info.video_tracks) {
    MeasuredTrack t;
    t.video = true;
    t.index = video_index++;
    common(t, v);
    Acc& a = acc[static_cast<size_t>(v.index)];
    close_gop(a, fmt->streams[v.index]->time_base, a.end);
    t.max_gop_bitrate_kbps = a.max_gop_kbps;
    t.keyframe_times_s = a.keys;
    t.level = v.level;
    t.width = v.width;
    t.height = v.height;
    t.dar_num = v.display_aspect_ratio.num;
    t.dar_den = v.display_aspect_ratio.den;
    t.pixel_format = v.pixel_format;
    t.color_range = v.color_range;
    t.color_primaries = v.color_primaries;
    t.color_transfer = v.color_transfer;
    t.color_space = v.color_space;
    t.has_rotation = !v.display_transform.is_identity();
    t.frame_rate = av_q2d(snap_frame_rate(rate_from_timestamps(a.pts, fmt->streams[v.index]->time_base)));
    if (t.frame_rate <= 0 && t.duration_s > 0) t.frame_rate = t.frames / t.duration_s;
    out.tracks.push_back(std::move(t));
  }
  for (const auto& au : info.audio_tracks) {
    MeasuredTrack t;
    t.index = audio_index++;
    common(t, au);
    t.channels = au.channels;
    t.sampling_rate = au.sampling_rate;
    t.bits_per_sample = au.bits_per_sample > 0 ? au.bits_per_sample : 16;
    out.tracks.push_back(std::move(t));
  }
  return out;
}

}  // namespace mw::encoders
