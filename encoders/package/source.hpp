#pragma once
// The packager's view of its input: a set of GOP-aligned MP4 files (one encode's layers, or the
// output asset of an earlier task), read once for their packet index, turned into renditions
// (one track each) and cut into segments that all start at the same media times.
//
// Rules (DESIGN.md "outputs"; issue 5):
//  - every video track is a rendition; the audio renditions are the audio tracks of the
//    audio-only files, or, when there is none, the audio track of the first file that has one
//    (the same AAC stream is interleaved into every layer of an MP4 set);
//  - the video renditions must be GOP-aligned: the same keyframe times (within half a frame);
//  - a segment starts at a keyframe, and its nominal length is the target (the keyframe interval
//    or a multiple of it): segment k+1 starts at the first keyframe at or after
//    start(k) + target - half a frame. Audio is cut at the same times, on AAC frame edges.

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/av/ptr.hpp"

namespace mw::encoders::package {

/// One packet of a rendition's track, as the demuxer stamped it (time base of the track).
struct PacketEntry {
  int64_t pts = 0;
  int64_t dts = 0;
  int64_t duration = 0;
  int size = 0;      ///< bytes
  bool key = false;  ///< a keyframe (a sync sample)
};

/// One track of one input file that becomes a rendition.
struct Rendition {
  std::filesystem::path file;   ///< the input MP4
  size_t input = 0;             ///< index of `file` in the inputs given to read_package_source
  std::string stem;             ///< name stem of this rendition's output files
  int stream = -1;              ///< stream index in `file`
  bool video = false;
  AVRational time_base{1, 1};
  std::vector<PacketEntry> packets;  ///< in file (decode) order
  std::vector<int64_t> keyframe_pts;  ///< sorted, track time base
  int width = 0, height = 0;          ///< coded picture size, pixels
  /// The size the picture is shown at: the coded size, swapped when the track's display matrix
  /// turns it a quarter turn (a phone's portrait clip; the packaged tracks keep the matrix).
  int display_width = 0, display_height = 0;
  AVRational frame_rate{0, 1};  ///< video: average frame rate
  int channels = 0, sample_rate = 0;
  std::string codec_string;     ///< RFC 6381, e.g. "avc1.4D401F", "mp4a.40.2"
  std::vector<uint8_t> extradata;  ///< avcC or AudioSpecificConfig
  double duration_s = 0;        ///< end of the last packet minus the first pts
  int64_t bytes = 0;            ///< payload bytes
  double bitrate_bps() const { return duration_s > 0 ? bytes * 8.0 / duration_s : 0; }
};

/// The renditions of a packaging job and their common segment starts.
struct PackageSource {
  std::vector<Rendition> renditions;  ///< video renditions first (input order), then audio
  /// Segment start times, seconds (from 0); the last segment ends at `duration_s`.
  std::vector<double> segment_starts_s;
  double duration_s = 0;              ///< the longest rendition
  double keyframe_interval_s = 0;     ///< median keyframe distance of the video (0 without video)
  bool fixed_gop = false;             ///< every keyframe distance is the interval (within half a frame)
  double frame_duration_s = 0;        ///< of the first video rendition (0 without video)

  size_t video_count() const;
};

/// One input of the packager: an MP4 file and the name stem its outputs take.
struct PackageInput {
  std::filesystem::path file;
  std::string stem;
};

/// Reads the inputs' packet index and plans the segments.
/// @param target_segment_s wanted segment length, seconds; 0 = the keyframe interval
/// @throws EncodeError InputUnreadable for a file that cannot be read; MalformedContent for a
///         file whose packets end before the duration its index declares (cut short, as the
///         engine's "input ended early": by more than 2 %, at least 0.5 s); UnsupportedFormat for a
///         track other than H.264 or AAC (naming the file and stream), with no track at all, or
///         when the video renditions are not GOP-aligned (naming both files and the keyframe
///         times: the input set is what the packager cannot take, AMS
///         ErrorExecutingTaskUnsupportedFormat; no Configuration could fix it); Configuration
///         when target_segment_s is shorter than the keyframe interval
/// Reading the packet index stops with EncodeError (Canceled) when `stop` is requested.
PackageSource read_package_source(const std::vector<PackageInput>& inputs, double target_segment_s,
                                  std::stop_token stop = {});

/// The segment index a packet starts in. Video: a keyframe at or after a segment start (less
/// half a frame) opens that segment. Audio: the segment whose span holds the packet's pts.
size_t segment_of(const PackageSource& source, const Rendition& r, const PacketEntry& p, size_t current);

}  // namespace mw::encoders::package
