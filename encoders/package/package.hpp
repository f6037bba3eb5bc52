#pragma once
// Packaging: GOP-aligned MP4 files (an encode's layers, or an earlier task's output asset) into
// streaming formats without re-encoding (DESIGN.md "outputs"; issue 5):
//  - Smooth: one fragmented MP4 per rendition (.ismv video, .isma audio), one fragment per
//    segment, with the server manifest NAME.ism and the client manifest NAME.ismc;
//  - HLS and DASH over the same CMAF segments: per rendition STEM_init.mp4 and STEM_00001.m4s...,
//    HLS media playlists STEM.m3u8 and the master NAME.m3u8, the DASH manifest NAME.mpd;
//  - MPEG-TS: each input MP4 remuxed to STEM.ts (all its tracks).
// Every file is written into a staging folder inside the output folder and moved into place
// only when the whole package is complete; a failure or a cancel leaves nothing behind.

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/measure.hpp"
#include "encoders/package/source.hpp"
#include "presets/preset.hpp"

namespace mw::encoders::package {

/// The segment_duration a package may ask for, seconds (docs/presets.md outputs[]: 0.5..60).
inline constexpr double kMinSegmentSeconds = 0.5;
inline constexpr double kMaxSegmentSeconds = 60;

struct PackageRequest {
  std::vector<PackageInput> inputs;           ///< the GOP-aligned MP4 files, in rendition order
  /// Any of Smooth, Hls, Dash, Cmaf (HLS and DASH), Ts; at least one.
  std::vector<presets::OutputFormat> formats;
  std::string manifest_name;                  ///< stem of NAME.m3u8 / NAME.mpd / NAME.ism / NAME.ismc
  double segment_duration_s = 0;  ///< 0 = the keyframe interval; else at least it, 0.5..60
  std::filesystem::path output_dir;
};

/// One file the packager wrote.
struct PackagedFile {
  std::string name;
  std::string mime_type;  ///< "video/mp4", "audio/mp4", "video/mp2t", "application/vnd.apple.mpegurl",
                          ///< "application/dash+xml", "application/vnd.ms-sstr+xml" (.ism, .ismc)
  int64_t size_bytes = 0;
  /// The measured values the output metadata (_manifest.xml) lists: for a media file its
  /// tracks (a CMAF segment: the packets it holds); for a manifest only size and duration.
  MeasuredFile measured;
  int input = -1;  ///< index into PackageRequest::inputs of the file packaged (-1: a manifest)
};

struct PackageResult {
  std::vector<PackagedFile> files;  ///< manifests first, then media files in rendition order
  double segment_duration_s = 0;    ///< the target segment length used, seconds
  size_t segments = 0;              ///< segments per rendition
};

/// Packages the inputs. `progress` receives 0-1.
/// @throws EncodeError as read_package_source does; Output naming the file when writing fails;
///         Canceled when `stop` is requested; Configuration for a format that is not a
///         streaming format, a manifest_name that is not a plain file name (empty, or with a
///         '/' or '\'), a segment_duration outside 0.5..60 s (but 0), or when HLS is written and
///         manifest_name is a rendition's stem (its media playlist would overwrite the master
///         playlist)
PackageResult package_media(const PackageRequest& request, const std::function<void(double)>& progress,
                            std::stop_token stop);

/// True for the formats package_media writes (Smooth, Hls, Dash, Cmaf, Ts).
bool is_package_format(presets::OutputFormat format);

}  // namespace mw::encoders::package
