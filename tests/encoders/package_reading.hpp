#pragma once
// Independent readings of a streaming package for the packaging tests: a small HLS playlist
// parser (RFC 8216 §4), the RFC 8216 §4.3.4.2 peak segment bit rate, and libav probes of CMAF
// segments (init + media segment demuxed together), Smooth and TS files. None of the packager's
// code is used, so the tests compare what the packager wrote with what the files hold.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders::test_support {

/// The attribute list of an HLS tag (RFC 8216 §4.2): KEY=VALUE pairs separated by commas, a
/// quoted value kept without its quotes (it may hold commas).
inline std::map<std::string, std::string> hls_attributes(std::string_view list) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < list.size()) {
    const size_t eq = list.find('=', i);
    if (eq == std::string_view::npos) break;
    const std::string key(list.substr(i, eq - i));
    size_t end;
    std::string value;
    if (eq + 1 < list.size() && list[eq + 1] == '"') {
      const size_t close = list.find('"', eq + 2);
      value = std::string(list.substr(eq + 2, close - eq - 2));
      end = close + 1;
    } else {
      end = std::min(list.find(',', eq + 1), list.size());
      value = std::string(list.substr(eq + 1, end - eq - 1));
    }
    out[key] = value;
    i = end + 1;  // past the comma
  }
  return out;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

struct HlsVariant {
  std::map<std::string, std::string> attributes;  ///< of its EXT-X-STREAM-INF
  std::string uri;
};

struct HlsMaster {
  std::vector<HlsVariant> variants;
  std::vector<std::map<std::string, std::string>> media;  ///< EXT-X-MEDIA attribute lists
};

inline HlsMaster parse_hls_master(const std::string& text) {
  HlsMaster m;
  const auto lines = lines_of(text);
  if (lines.empty() || lines[0] != "#EXTM3U") throw std::runtime_error("not an M3U8 playlist");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (starts_with(lines[i], "#EXT-X-STREAM-INF:")) {
      if (i + 1 >= lines.size()) throw std::runtime_error("EXT-X-STREAM-INF without a URI");
      m.variants.push_back({hls_attributes(std::string_view(lines[i]).substr(18)), lines[i + 1]});
      ++i;
    } else if (starts_with(lines[i], "#EXT-X-MEDIA:")) {
      m.media.push_back(hls_attributes(std::string_view(lines[i]).substr(13)));
    }
  }
  return m;
}

struct HlsSegment {
  double duration_s = 0;  ///< EXTINF
  std::string uri;
};

struct HlsMediaPlaylist {
  int target_duration = 0;  ///< EXT-X-TARGETDURATION, s
  std::string map_uri;      ///< EXT-X-MAP URI
  std::vector<HlsSegment> segments;
  bool endlist = false;
};

inline HlsMediaPlaylist parse_hls_media(const std::string& text) {
  HlsMediaPlaylist p;
  const auto lines = lines_of(text);
  if (lines.empty() || lines[0] != "#EXTM3U") throw std::runtime_error("not an M3U8 playlist");
  double pending = -1;
  for (const auto& line : lines) {
    if (starts_with(line, "#EXT-X-TARGETDURATION:")) {
      p.target_duration = std::stoi(line.substr(22));
    } else if (starts_with(line, "#EXT-X-MAP:")) {
      p.map_uri = hls_attributes(std::string_view(line).substr(11))["URI"];
    } else if (starts_with(line, "#EXTINF:")) {
      pending = std::stod(line.substr(8));
    } else if (line == "#EXT-X-ENDLIST") {
      p.endlist = true;
    } else if (line[0] != '#') {
      if (pending < 0) throw std::runtime_error("segment URI without EXTINF: " + line);
      p.segments.push_back({pending, line});
      pending = -1;
    }
  }
  return p;
}

/// One segment as the bit-rate rules see it: its bytes and its duration.
struct SizedSegment {
  int64_t bytes = 0;
  double duration_s = 0;
};

/// RFC 8216 §4.3.4.2: "the largest bit rate of any contiguous set of segments whose total
/// duration is between 0.5 and 1.5 times the target duration", bits per second.
inline double peak_segment_bitrate(const std::vector<SizedSegment>& segments, double target_s) {
  double peak = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    int64_t bytes = 0;
    double d = 0;
    for (size_t j = i; j < segments.size(); ++j) {
      bytes += segments[j].bytes;
      d += segments[j].duration_s;
      if (d > 1.5 * target_s + 1e-9) break;
      if (d >= 0.5 * target_s - 1e-9) peak = std::max(peak, static_cast<double>(bytes) * 8 / d);
    }
  }
  return peak;
}

/// Total bytes over total duration, bits per second.
inline double average_bitrate(const std::vector<SizedSegment>& segments) {
  int64_t bytes = 0;
  double d = 0;
  for (const auto& s : segments) {
    bytes += s.bytes;
    d += s.duration_s;
  }
  return d > 0 ? static_cast<double>(bytes) * 8 / d : 0;
}

inline int64_t file_size_of(const std::filesystem::path& p) {
  return static_cast<int64_t>(std::filesystem::file_size(p));
}

/// One track of a media file as libav demuxes it.
struct ProbedTrack {
  AVMediaType type = AVMEDIA_TYPE_UNKNOWN;
  AVCodecID codec = AV_CODEC_ID_NONE;
  int profile = 0, level = 0;  ///< libav's reading of the SPS / AudioSpecificConfig
  int constraint_flags = -1;   ///< H.264: the SPS byte after profile_idc (from avcC's SPS)
  int width = 0, height = 0;
  int channels = 0, sample_rate = 0;
  bool first_packet_key = false;  ///< the first packet in decode order is a keyframe
  double first_pts_s = 0;         ///< lowest presentation time, s
  double end_s = 0;               ///< latest pts + duration, s
  double frame_rate = 0;          ///< 1 / median distance between presentation times
  int64_t packets = 0;
  int64_t payload_bytes = 0;
  std::vector<double> keyframe_pts_s;
  std::vector<double> keyframe_dts_s;
  double span_s() const { return end_s - first_pts_s; }
};

/// Every video and audio track of a file, demuxed to the end.
inline std::vector<ProbedTrack> probe_tracks(const std::filesystem::path& file) {
  detail::Input in = detail::open(file.string());
  std::vector<ProbedTrack> tracks(in->nb_streams);
  std::vector<std::vector<int64_t>> pts(in->nb_streams);
  std::vector<int64_t> end(in->nb_streams, INT64_MIN);
  std::vector<bool> durations(in->nb_streams, true);  // every packet of the stream has one
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVCodecParameters* par = in->streams[i]->codecpar;
    ProbedTrack& t = tracks[i];
    t.type = par->codec_type;
    t.codec = par->codec_id;
    t.profile = par->profile;
    t.level = par->level;
    t.width = par->width;
    t.height = par->height;
    t.channels = par->ch_layout.nb_channels;
    t.sample_rate = par->sample_rate;
    // avcC (ISO/IEC 14496-15 §5.3.3.1): the first SPS NAL unit starts at byte 8; its bytes
    // 1-3 are profile_idc, the constraint flags and level_idc (ITU-T H.264 §7.3.2.1.1).
    if (par->codec_id == AV_CODEC_ID_H264 && par->extradata_size > 11 && par->extradata[0] == 1)
      t.constraint_flags = par->extradata[10];
  }
  detail::Packet pkt(av_packet_alloc());
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    const auto s = static_cast<size_t>(pkt->stream_index);
    ProbedTrack& t = tracks[s];
    const int64_t p = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    const double tb = av_q2d(in->streams[s]->time_base);
    if (t.packets == 0) t.first_packet_key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
    ++t.packets;
    t.payload_bytes += pkt->size;
    pts[s].push_back(p);
    end[s] = std::max(end[s], p + pkt->duration);
    if (pkt->flags & AV_PKT_FLAG_KEY) {
      t.keyframe_pts_s.push_back(static_cast<double>(p) * tb);
      t.keyframe_dts_s.push_back(static_cast<double>(pkt->dts != AV_NOPTS_VALUE ? pkt->dts : p) *
                                 tb);
    }
    durations[s] = durations[s] && pkt->duration > 0;
    av_packet_unref(pkt.get());
  }
  for (size_t s = 0; s < tracks.size(); ++s) {
    if (pts[s].empty()) continue;
    const double tb = av_q2d(in->streams[s]->time_base);
    std::sort(pts[s].begin(), pts[s].end());
    tracks[s].first_pts_s = static_cast<double>(pts[s].front()) * tb;
    tracks[s].end_s = static_cast<double>(end[s]) * tb;
    std::vector<int64_t> gaps;
    for (size_t i = 1; i < pts[s].size(); ++i) gaps.push_back(pts[s][i] - pts[s][i - 1]);
    if (!gaps.empty()) {
      std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
      tracks[s].frame_rate = 1.0 / (static_cast<double>(gaps[gaps.size() / 2]) * tb);
      // libavformat 5.1 gives the packets of fragmented MP4 and MPEG-TS no duration: the last
      // one lasts one typical interval (as decoded_media.hpp's video_span_s counts it).
      if (!durations[s])
        tracks[s].end_s = static_cast<double>(pts[s].back() + gaps[gaps.size() / 2]) * tb;
    }
    std::sort(tracks[s].keyframe_pts_s.begin(), tracks[s].keyframe_pts_s.end());
  }
  return tracks;
}

/// The one track of a CMAF media segment, demuxed with its initialization segment (the two
/// files concatenated, as a player appends them to its source buffer).
inline ProbedTrack probe_cmaf_segment(const std::filesystem::path& init,
                                      const std::filesystem::path& segment,
                                      const std::filesystem::path& scratch_dir) {
  const auto joined = scratch_dir / ("joined-" + segment.filename().string() + ".mp4");
  {
    std::ofstream out(joined, std::ios::binary | std::ios::trunc);
    for (const auto& part : {init, segment}) {
      std::ifstream in(part, std::ios::binary);
      out << in.rdbuf();
    }
  }
  auto tracks = probe_tracks(joined);
  std::filesystem::remove(joined);
  if (tracks.size() != 1) throw std::runtime_error(segment.string() + ": not one track");
  return tracks.front();
}

/// The first track of `type` of a probed file; throws when there is none.
inline const ProbedTrack& track_of(const std::vector<ProbedTrack>& tracks, AVMediaType type,
                                   const std::string& what) {
  for (const auto& t : tracks)
    if (t.type == type) return t;
  throw std::runtime_error(what + ": no track of the wanted type");
}

/// RFC 6381 codecs parameter of a probed track: "avc1.PPCCLL" (profile_idc, constraint flags,
/// level_idc) or "mp4a.40.N" (N = the AAC Audio Object Type: libav profile + 1).
inline std::string rfc6381_codecs(const ProbedTrack& t) {
  char text[32];
  if (t.codec == AV_CODEC_ID_H264) {
    std::snprintf(text, sizeof text, "avc1.%02X%02X%02X", t.profile & 0xff, t.constraint_flags,
                  t.level);
  } else if (t.codec == AV_CODEC_ID_AAC) {
    std::snprintf(text, sizeof text, "mp4a.40.%d", t.profile + 1);
  } else {
    return "?";
  }
  return text;
}

/// True for the package's temporary folders (the engine's and the packager's staging).
inline bool is_staging_entry(const std::string& name) {
  return starts_with(name, ".mw-staging") || starts_with(name, ".mw-package-") ||
         name.find(".partial") != std::string::npos;
}

}  // namespace mw::encoders::test_support
