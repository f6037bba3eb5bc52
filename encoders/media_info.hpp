#pragma once
// What the probe learns about an input file: the values AMS writes into
// `<input-asset-guid>_metadata.xml` (AMS-V2-REFERENCE.md §9, input metadata schema) plus what the
// plan needs (display transform, colour properties, field order).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "encoders/display_matrix.hpp"

namespace mw::encoders {

struct Fraction {
  int num = 0;
  int den = 1;
  double value() const { return den ? static_cast<double>(num) / den : 0.0; }
};

/// The AMS <Disposition> flags (each 0 or 1 in the XML).
struct Disposition {
  bool default_ = false, dub = false, original = false, comment = false, lyrics = false,
       karaoke = false, forced = false, hearing_impaired = false, visual_impaired = false,
       clean_effects = false, attached_pic = false;
};

/// Properties common to every track (AMS: Id, Codec, CodecLongName, TimeBase, NumberOfFrames,
/// StartTime, Duration, Disposition, Metadata).
struct TrackInfo {
  int index = 0;                 ///< the stream index in the container (AMS Id)
  std::string codec;             ///< libavcodec short name, e.g. "h264", "aac"
  std::string codec_long_name;
  std::string fourcc;            ///< codec tag, e.g. "avc1" ("" when none)
  std::string profile;           ///< e.g. "High", "LC" ("" when unknown)
  Fraction time_base;
  int64_t number_of_frames = 0;  ///< from the container; 0 when it does not say
  double start_time_s = 0;       ///< seconds
  double duration_s = 0;         ///< seconds; 0 when the container does not say
  int64_t bitrate_bps = 0;       ///< bits per second; 0 when unknown
  Disposition disposition;
  std::map<std::string, std::string> metadata;
};

struct VideoTrackInfo : TrackInfo {
  std::string level;             ///< "4.1" for H.264, etc.; "" when unknown
  std::string pixel_format;      ///< e.g. "yuv420p", "yuvj420p", "yuv420p10le"
  int bit_depth = 8;
  int width = 0, height = 0;     ///< coded picture size, pixels
  Fraction sample_aspect_ratio{1, 1};   ///< SAR; {1,1} when unknown
  Fraction display_aspect_ratio{0, 1};  ///< DAR of the coded picture (before rotation)
  Fraction frame_rate;           ///< average frame rate (avg_frame_rate, else r_frame_rate)
  bool has_b_frames = false;
  bool interlaced = false;       ///< field order says interlaced (tt/bb/tb/bt)
  std::string field_order;       ///< "progressive", "tt", "bb", "tb", "bt" or "unknown"
  DisplayTransform display_transform;  ///< identity when the stream has no display matrix
  std::string color_primaries, color_transfer, color_space, color_range;  ///< libav names
  bool hdr() const { return color_transfer == "smpte2084" || color_transfer == "arib-std-b67"; }
  /// Size of the displayed picture in square pixels, after SAR and the display transform.
  std::pair<double, double> display_size() const;
};

struct AudioTrackInfo : TrackInfo {
  std::string sample_format;     ///< e.g. "fltp", "s16"
  std::string channel_layout;    ///< e.g. "stereo", "5.1(side)", "mono"
  int channels = 0;
  int sampling_rate = 0;         ///< Hz
  int bits_per_sample = 0;       ///< coded bits per sample (PCM), else the decoder's raw bits
};

/// One probed input file (AMS AssetFile in the input metadata).
struct MediaInfo {
  std::string path;              ///< as given to probe()
  std::string name;              ///< file name without folders (AMS Name)
  int64_t size_bytes = 0;
  double duration_s = 0;         ///< container duration, seconds
  double start_time_s = 0;       ///< seconds
  std::string format_names;      ///< e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string format_long_name;
  int64_t overall_bitrate_bps = 0;
  int number_of_streams = 0;
  std::vector<VideoTrackInfo> video_tracks;
  std::vector<AudioTrackInfo> audio_tracks;
  std::map<std::string, std::string> metadata;

  const VideoTrackInfo* primary_video() const;  ///< default-disposition track, else the first
  const AudioTrackInfo* primary_audio() const;
};

}  // namespace mw::encoders
