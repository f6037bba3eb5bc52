#pragma once
// The text of the streaming manifests, from what the packager wrote (segment files, their
// sizes and times): HLS master and media playlists (RFC 8216), the DASH MPD (ISO/IEC 23009-1)
// and the Smooth Streaming server (.ism, SMIL 2.0) and client (.ismc) manifests ([MS-SSTR]).

#include <cstdint>
#include <string>
#include <vector>

#include "encoders/package/source.hpp"

namespace mw::encoders::package {

/// One media segment (CMAF) or fragment (Smooth) as written.
struct SegmentRecord {
  std::string file;        ///< CMAF: the segment's file name; Smooth: empty (inside the .ismv)
  int64_t start = 0;       ///< earliest presentation time, `timescale` ticks
  int64_t duration = 0;    ///< up to the next segment's start (the last: to the track's end), ticks
  int64_t bytes = 0;       ///< bytes of the segment file (CMAF) or of its payload (Smooth)
  int64_t frames = 0;      ///< samples in it
};

/// One rendition as written: its segments and names.
struct WrittenRendition {
  const Rendition* source = nullptr;
  std::string init_file;         ///< CMAF initialization segment ("" for Smooth)
  std::string media_playlist;    ///< HLS media playlist ("" without HLS)
  std::string smooth_file;       ///< .ismv / .isma ("" without Smooth)
  int smooth_track_id = 1;       ///< track ID inside smooth_file
  int64_t timescale = 1;         ///< ticks per second of `segments`
  std::vector<SegmentRecord> segments;
  int64_t total_bytes() const;
  double duration_s() const;
  /// Average bitrate, bits per second: total bytes over the duration.
  double average_bps() const;
  /// The peak segment bit rate of RFC 8216 §4.3.4.2: the largest bit rate of any contiguous
  /// run of segments whose total duration is between 0.5 and 1.5 times `target_s`, bits per
  /// second (the average when no run qualifies).
  double peak_bps(double target_s) const;
};

/// RFC 8216 EXT-X-TARGETDURATION: the longest segment rounded to the nearest whole second
/// (at least 1).
int hls_target_duration(const WrittenRendition& r);

/// An HLS media playlist (VOD, version 7: EXT-X-MAP with fMP4 segments).
std::string hls_media_playlist(const WrittenRendition& r);

/// The HLS master playlist. Video renditions are variant streams whose BANDWIDTH and
/// AVERAGE-BANDWIDTH add the largest audio rendition's; audio renditions are EXT-X-MEDIA entries
/// of group "audio" (or variant streams of their own when there is no video).
std::string hls_master_playlist(const std::vector<WrittenRendition>& renditions, double target_s);

/// A static DASH MPD (isoff-live profile): one AdaptationSet per media type, each
/// Representation with a SegmentTemplate ($Number$) and a SegmentTimeline.
std::string dash_mpd(const std::vector<WrittenRendition>& renditions, double target_s, double duration_s);

/// The Smooth Streaming server manifest (.ism): a SMIL switch of the .ismv/.isma files.
std::string smooth_server_manifest(const std::vector<WrittenRendition>& renditions, const std::string& client_manifest);

/// The Smooth Streaming client manifest (.ismc, [MS-SSTR] §2.2.2): one StreamIndex per media
/// type, QualityLevels with FourCC and CodecPrivateData, the chunks' times in 100 ns units.
std::string smooth_client_manifest(const std::vector<WrittenRendition>& renditions, double duration_s);

/// The CodecPrivateData of a track ([MS-SSTR] §2.2.2.5): H.264: the SPS and PPS of the avcC
/// record, each behind a 00000001 start code, as upper-case hex; AAC: the AudioSpecificConfig.
std::string smooth_codec_private_data(const Rendition& r);

}  // namespace mw::encoders::package
