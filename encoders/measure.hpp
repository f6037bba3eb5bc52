#pragma once
// Measures a finished output file from its packets (no decoding): the values the AMS output
// metadata (_manifest.xml, AMS-V2-REFERENCE.md §9) reports as measured.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "encoders/loudness.hpp"

namespace mw::encoders {

struct MeasuredTrack {
  int index = 0;                ///< 0-based index within its media type (AMS Id)
  bool video = false;
  std::string codec;            ///< "h264", "aac"
  std::string profile;          ///< "High", "LC"
  std::string level;            ///< H.264 level, e.g. "3.1"
  int width = 0, height = 0;    ///< pixels
  int dar_num = 0, dar_den = 1; ///< display aspect ratio
  std::string pixel_format;
  std::string color_range, color_primaries, color_transfer, color_space;
  double frame_rate = 0;        ///< frames per second, from the median frame interval
  int64_t frames = 0;           ///< packets (video frames / AAC frames)
  double duration_s = 0;        ///< seconds
  double start_s = 0;           ///< first pts, seconds
  int64_t bytes = 0;            ///< payload bytes
  double bitrate_kbps = 0;      ///< bytes * 8 / duration / 1000
  double max_gop_bitrate_kbps = 0;  ///< highest bitrate of one closed GOP (keyframe to keyframe)
  std::vector<double> keyframe_times_s;  ///< video: pts of each keyframe, seconds
  int channels = 0, sampling_rate = 0, bits_per_sample = 0;
  bool has_rotation = false;    ///< a display matrix other than identity is present
  /// Audio: the decoded track's loudness, when the encode normalised loudness (set by the
  /// engine, not by measure_file, which reads packets only).
  std::optional<LoudnessMeasurement> loudness;
};

struct MeasuredFile {
  std::string name;             ///< file name without folders
  int64_t size_bytes = 0;
  double duration_s = 0;        ///< container duration, seconds
  std::vector<MeasuredTrack> tracks;
  const MeasuredTrack* video() const;
  const MeasuredTrack* audio() const;
};

/// Reads every packet of a file.
/// @throws EncodeError (InputUnreadable) when the file cannot be opened
MeasuredFile measure_file(const std::string& path);

}  // namespace mw::encoders
