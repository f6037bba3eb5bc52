#include "encoders/package/source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "encoders/av/timestamp.hpp"
#include "encoders/encode_error.hpp"
#include "encoders/input_file.hpp"

extern "C" {
#include <libavutil/display.h>
}

namespace mw::encoders::package {

namespace {

// RFC 6381 codecs parameter. H.264: "avc1." + profile_idc, constraint flags and level_idc of
// the avcC record (ISO/IEC 14496-15 §5.3.3.1), as hex. AAC: "mp4a.40." + the Audio Object Type
// of the AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1; 2 = AAC-LC).
std::string codec_string(const AVCodecParameters& par, const std::string& file, int stream) {
  const uint8_t* x = par.extradata;
  if (par.codec_id == AV_CODEC_ID_H264) {
    if (par.extradata_size < 4 || x[0] != 1)
      throw EncodeError(ErrorCategory::UnsupportedFormat,
                        fmt::format("{}: stream {}: H.264 without an avcC configuration record", file, stream));
    return fmt::format("avc1.{:02X}{:02X}{:02X}", x[1], x[2], x[3]);
  }
  if (par.codec_id == AV_CODEC_ID_AAC) {
    const int object_type = par.extradata_size >= 1 ? x[0] >> 3 : 2;
    return fmt::format("mp4a.40.{}", object_type);
  }
  throw EncodeError(ErrorCategory::UnsupportedFormat,
                    fmt::format("{}: stream {}: {} cannot be packaged (only H.264 video and AAC audio)", file,
                                stream, avcodec_get_name(par.codec_id)));
}

double seconds(int64_t ts, AVRational tb) { return static_cast<double>(ts) * av_q2d(tb); }

// The nominal frame rate of a video track: the median interval between presentation times,
// snapped to the nearest usual rate when within 0.2 % (so 29.97 reads 30000/1001, not
// 23040000/768769). The nearest, not the first within 0.2 %: 30 and 29.97 are 0.1 % apart.
AVRational nominal_frame_rate(std::vector<int64_t> pts, AVRational tb, AVRational fallback) {
  std::sort(pts.begin(), pts.end());
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < pts.size(); ++i)
    if (pts[i] > pts[i - 1]) gaps.push_back(pts[i] - pts[i - 1]);
  if (gaps.empty()) return fallback;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
  const double fps = 1.0 / seconds(gaps[gaps.size() / 2], tb);
  AVRational nearest{0, 1};
  double nearest_error = 0.002;
  for (AVRational usual : {AVRational{24000, 1001}, AVRational{24, 1}, AVRational{25, 1}, AVRational{30000, 1001},
                           AVRational{30, 1}, AVRational{48, 1}, AVRational{50, 1}, AVRational{60000, 1001},
                           AVRational{60, 1}}) {
    const double error = std::abs(fps / av_q2d(usual) - 1);
    if (error < nearest_error) nearest = usual, nearest_error = error;
  }
  return nearest.num > 0 ? nearest : av_d2q(fps, 100000);
}

}  // namespace

size_t PackageSource::video_count() const {
  return static_cast<size_t>(std::count_if(renditions.begin(), renditions.end(), [](const Rendition& r) { return r.video; }));
}

PackageSource read_package_source(const std::vector<PackageInput>& inputs, double target_segment_s,
                                  std::stop_token stop) {
  PackageSource source;
  std::vector<Rendition> video, audio_only_files, first_audio;
  for (size_t input = 0; input < inputs.size(); ++input) {
    const PackageInput& in = inputs[input];
    InputFile file = InputFile::open(in.file.string());
    AVFormatContext* ctx = file.format();
    const bool has_video = std::any_of(ctx->streams, ctx->streams + ctx->nb_streams, [](const AVStream* s) {
      return s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC);
    });
    std::vector<int> wanted(ctx->nb_streams, -1);  // stream -> index into `tracks`
    std::vector<Rendition> tracks;
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
      const AVStream* st = ctx->streams[i];
      const auto type = st->codecpar->codec_type;
      if (type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO) continue;
      if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;
      Rendition r;
      r.file = in.file;
      r.input = input;
      r.stem = in.stem;
      r.stream = static_cast<int>(i);
      r.video = type == AVMEDIA_TYPE_VIDEO;
      r.time_base = st->time_base;
      r.codec_string = codec_string(*st->codecpar, in.file.filename().string(), static_cast<int>(i));
      r.extradata.assign(st->codecpar->extradata, st->codecpar->extradata + st->codecpar->extradata_size);
      r.width = st->codecpar->width;
      r.height = st->codecpar->height;
      r.display_width = r.width;
      r.display_height = r.height;
      // A display matrix turning the picture a quarter turn (a phone's portrait clip): shown
      // at the other orientation.
      if (const auto* matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
          matrix != nullptr) {
        const double rotation = av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
        if (std::abs(std::abs(std::fmod(rotation, 180.0)) - 90) < 1)
          std::swap(r.display_width, r.display_height);
      }
      r.frame_rate = st->avg_frame_rate;
      r.channels = st->codecpar->ch_layout.nb_channels;
      r.sample_rate = st->codecpar->sample_rate;
      if (!r.video && has_video) r.stem += "_audio";
      wanted[i] = static_cast<int>(tracks.size());
      tracks.push_back(std::move(r));
    }
    av::PacketPtr pkt = av::make_packet();
    while (file.read(pkt.get())) {
      if (stop.stop_requested())
        throw EncodeError(ErrorCategory::Canceled, fmt::format("packaging canceled while reading {}", in.file.filename().string()));
      const int k = static_cast<size_t>(pkt->stream_index) < wanted.size() ? wanted[static_cast<size_t>(pkt->stream_index)] : -1;
      if (k < 0) continue;
      Rendition& r = tracks[static_cast<size_t>(k)];
      const int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
      const int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pts;
      r.packets.push_back({pts, dts, pkt->duration, pkt->size, (pkt->flags & AV_PKT_FLAG_KEY) != 0});
      r.bytes += pkt->size;
      if (r.video && (pkt->flags & AV_PKT_FLAG_KEY)) r.keyframe_pts.push_back(pts);
    }
    for (auto& r : tracks) {
      if (r.packets.empty()) continue;  // an empty track has nothing to package
      if (r.video) {
        std::vector<int64_t> pts;
        for (const auto& p : r.packets) pts.push_back(p.pts);
        r.frame_rate = nominal_frame_rate(std::move(pts), r.time_base, r.frame_rate);
        // The last frame of an H.264 encode often has no duration: one frame interval.
        for (auto& p : r.packets)
          if (p.duration <= 0 && r.frame_rate.num > 0) p.duration = av_rescale_q(1, av_inv_q(r.frame_rate), r.time_base);
      }
      int64_t first = r.packets.front().pts, end = first;
      for (const auto& p : r.packets) {
        first = std::min(first, p.pts);
        end = std::max(end, p.pts + p.duration);
      }
      r.duration_s = seconds(end - std::max<int64_t>(first, 0), r.time_base);
      // A file cut short (an upload that stopped, a copy of a file being written) still has its
      // whole index: libavformat reads the packets that are there and ends. As the engine's
      // "input ended early": within 2 % (at least 0.5 s) of the track's declared duration.
      const AVStream* st = ctx->streams[r.stream];
      if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
        const double declared = seconds(st->duration, st->time_base);
        const double read = seconds(end - first, r.time_base);
        if (read < declared - std::max(0.5, 0.02 * declared))
          throw EncodeError(
              ErrorCategory::MalformedContent,
              fmt::format(
                  "{}: stream {}: the file ends at {:.2f} s of the {:.2f} s its index declares "
                  "(the file is cut short)",
                  in.file.string(), r.stream, read, declared));
      }
      std::sort(r.keyframe_pts.begin(), r.keyframe_pts.end());
      if (r.video)
        video.push_back(std::move(r));
      else if (!has_video)
        audio_only_files.push_back(std::move(r));
      else if (first_audio.empty())
        first_audio.push_back(std::move(r));
    }
  }
  source.renditions = std::move(video);
  for (auto& r : audio_only_files.empty() ? first_audio : audio_only_files) source.renditions.push_back(std::move(r));
  if (source.renditions.empty())
    throw EncodeError(ErrorCategory::UnsupportedFormat, "nothing to package: the input files have no H.264 or AAC track");
  for (const auto& r : source.renditions) source.duration_s = std::max(source.duration_s, r.duration_s);

  // GOP alignment: every video rendition has the first one's keyframe times.
  const Rendition* ref = source.video_count() > 0 ? &source.renditions.front() : nullptr;
  if (ref != nullptr) {
    const double fps = ref->frame_rate.num > 0 ? av_q2d(ref->frame_rate) : 25.0;
    source.frame_duration_s = 1.0 / fps;
    const double tolerance = source.frame_duration_s / 2;
    for (const auto& r : source.renditions) {
      if (!r.video || &r == ref) continue;
      const size_t n = std::min(r.keyframe_pts.size(), ref->keyframe_pts.size());
      for (size_t k = 0; k <= n; ++k) {
        if (k == n) {
          if (r.keyframe_pts.size() == ref->keyframe_pts.size()) break;
          const Rendition& longer = r.keyframe_pts.size() > n ? r : *ref;
          throw EncodeError(ErrorCategory::UnsupportedFormat,
                            fmt::format("the video is not GOP-aligned: {} has {} keyframes and {} has {} ({} has "
                                        "one at {:.3f} s that the other lacks); packaging needs every layer "
                                        "encoded with the same fixed keyframe interval and no scene-cut keyframes",
                                        ref->file.filename().string(), ref->keyframe_pts.size(),
                                        r.file.filename().string(), r.keyframe_pts.size(),
                                        longer.file.filename().string(), seconds(longer.keyframe_pts[n], longer.time_base)));
        }
        const double a = seconds(ref->keyframe_pts[k], ref->time_base), b = seconds(r.keyframe_pts[k], r.time_base);
        if (std::abs(a - b) > tolerance)
          throw EncodeError(ErrorCategory::UnsupportedFormat,
                            fmt::format("the video is not GOP-aligned: keyframe {} is at {:.3f} s in {} but at "
                                        "{:.3f} s in {}; packaging needs every layer encoded with the same fixed "
                                        "keyframe interval and no scene-cut keyframes",
                                        k + 1, a, ref->file.filename().string(), b, r.file.filename().string()));
      }
    }
    std::vector<double> gaps;
    for (size_t k = 1; k < ref->keyframe_pts.size(); ++k)
      gaps.push_back(seconds(ref->keyframe_pts[k] - ref->keyframe_pts[k - 1], ref->time_base));
    if (!gaps.empty()) {
      std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
      source.keyframe_interval_s = gaps[gaps.size() / 2];
      // Fixed: every GOP but the last (an encode may end mid-GOP) lasts the interval.
      source.fixed_gop = std::all_of(gaps.begin(), gaps.end(), [&](double g) {
        return std::abs(g - source.keyframe_interval_s) <= source.frame_duration_s / 2;
      });
    } else {
      source.keyframe_interval_s = source.duration_s;
    }
  }

  // Segment starts.
  double target = target_segment_s > 0 ? target_segment_s : source.keyframe_interval_s;
  if (ref != nullptr && target_segment_s > 0 && target_segment_s + source.frame_duration_s / 2 < source.keyframe_interval_s)
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("segment_duration {:.3f} s is shorter than the video's keyframe interval "
                                  "({:.3f} s in {}): every segment must start with a keyframe",
                                  target_segment_s, source.keyframe_interval_s, ref->file.filename().string()));
  if (ref != nullptr && target_segment_s > 0 && source.fixed_gop) {
    // A fixed GOP: segments are whole GOPs, so the target must be a multiple of it.
    const double gops = target_segment_s / source.keyframe_interval_s;
    if (std::abs(gops - std::round(gops)) * source.keyframe_interval_s > source.frame_duration_s / 2)
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("segment_duration {:.3f} s is not a multiple of the video's keyframe interval "
                                    "({:.3f} s in {}): every segment must start with a keyframe",
                                    target_segment_s, source.keyframe_interval_s, ref->file.filename().string()));
  }
  if (target <= 0) target = 2.0;  // audio only: 2 s, the MES GOP
  source.segment_starts_s.push_back(0);
  if (ref != nullptr) {
    const double tolerance = source.frame_duration_s / 2;
    // A keyframe less than half a segment before the end (an encode cut just after a GOP
    // started) does not open a segment of its own: the last segment runs a little longer.
    const double last_start = ref->duration_s - target / 2;
    for (int64_t key : ref->keyframe_pts) {
      const double t = seconds(key, ref->time_base);
      if (t >= source.segment_starts_s.back() + target - tolerance && t <= last_start)
        source.segment_starts_s.push_back(t);
    }
  } else {
    for (double t = target; t <= source.duration_s - target / 2; t += target) source.segment_starts_s.push_back(t);
  }
  return source;
}

size_t segment_of(const PackageSource& source, const Rendition& r, const PacketEntry& p, size_t current) {
  const auto& starts = source.segment_starts_s;
  const double t = seconds(p.pts, r.time_base);
  if (r.video) {
    if (!p.key) return current;
    const double tolerance = source.frame_duration_s / 2;
    size_t s = current;
    while (s + 1 < starts.size() && t >= starts[s + 1] - tolerance) ++s;
    return s;
  }
  // Audio: the AAC frame that starts at or after a boundary (less half a frame) opens it.
  const double half = p.duration > 0 ? seconds(p.duration, r.time_base) / 2 : 0;
  size_t s = current;
  while (s + 1 < starts.size() && t >= starts[s + 1] - half) ++s;
  return s;
}

}  // namespace mw::encoders::package
