#pragma once
// The Configuration of a "Windows Azure Media Packager" task (processor
// nb:mpid:UUID:a2f9afe9-7146-4882-a5f7-da4a85e06a93, AMS-V2-REFERENCE.md §6): what the packager
// writes from the task's input asset (a GOP-aligned MP4 set or a Smooth Streaming asset).
// Two spellings are accepted (docs/packager.md):
//  - the Azure Media Packager task definitions AMS v2 users sent, parsed with pugixml:
//    "MP4 to Smooth Streams" (MediaPackager_MP4ToSmooth.xml, properties namespace
//    http://schemas.microsoft.com/iis/media/V4/TM/MP4ToSmooth#, property keepSourceNames) and
//    "Smooth Streams to Apple HTTP Live Streams" (MediaPackager_SmoothToHLS.xml, namespace
//    http://schemas.microsoft.com/iis/media/AppleHTTP#, properties maxbitrate, manifest,
//    segment, encrypt, ...);
//  - short names: "Smooth Streaming", "HLS", "DASH", "CMAF" (HLS and DASH on one set of
//    segments), "MPEG-TS", or a comma-separated list of them, optionally followed by
//    "; segment_duration=SECONDS" and "; manifest_name=NAME".

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "presets/preset.hpp"

namespace mw::runtime {

/// The Windows Azure Media Packager's MediaProcessorId (AMS-V2-REFERENCE.md §6).
inline constexpr std::string_view kMediaPackagerProcessorId =
    "nb:mpid:UUID:a2f9afe9-7146-4882-a5f7-da4a85e06a93";

/// Whether a MediaProcessorId is the Windows Azure Media Packager's (case-insensitive).
bool is_media_packager(std::string_view media_processor_id);

struct PackagerConfiguration {
  /// Smooth, Hls, Dash, Cmaf, Ts: at least one, no duplicates (Hls and Dash together are Cmaf).
  std::vector<presets::OutputFormat> formats;
  double segment_duration_s = 0;  ///< seconds; 0 = the keyframe interval of the input
  /// Stem of the manifests (NAME.ism, NAME.m3u8, NAME.mpd); "" = derived from the input asset.
  std::string manifest_name;
  /// SmoothToHLS maxbitrate: video renditions whose measured average bitrate is above it are
  /// not packaged, bits per second; 0 = no limit.
  int64_t max_bitrate_bps = 0;
  /// SmoothToHLS with an empty manifest property: the HLS master playlist is named
  /// "<ISM file name>-m3u8-aapl.m3u8" when the input has a .ism (the AMS default).
  bool hls_manifest_after_ism = false;
  std::string description;  ///< what the user asked for, for logs and PerfMessage, e.g. "MP4 to
                            ///< Smooth Streams"
};

/// A Configuration the packager cannot use; the message names the element, property or word.
class PackagerConfigurationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses a packager Configuration (either spelling; leading and trailing white space ignored).
/// @throws PackagerConfigurationError: XML that is not well-formed (pugixml's reason and offset),
///         a root other than <taskDefinition>, a task definition other than the two above, an
///         unknown property, a property value of the wrong type (keepSourceNames, encrypt,
///         codecs, ... true/false; maxbitrate a positive whole number; segment positive
///         seconds), encrypt="true" (static AES-128 is not supported), an unknown short name
///         (listing the known ones), a segment_duration that is not a positive number of at most
///         60 s, a manifest_name that is not a plain file name
PackagerConfiguration parse_packager_configuration(std::string_view text);

}  // namespace mw::runtime
