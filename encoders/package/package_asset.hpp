#pragma once
// The packager as a task of its own (the "Windows Azure Media Packager" processor, issue 5):
// package an asset's GOP-aligned MP4 files into an output folder and write the output metadata
// (<NAME>_manifest.xml, AMS-V2-REFERENCE.md §9) listing every packaged file. The engine's
// second entry point beside encode() (engine.hpp), with the same contract: every file appears
// complete or not at all, progress never decreases, cancel is honoured.

#include <stop_token>
#include <string>
#include <vector>

#include "encoders/engine.hpp"
#include "encoders/package/package.hpp"

namespace mw::encoders::package {

struct PackagedAsset {
  /// The packager's files (PackageResult::files order: manifests, then media), then the output
  /// metadata. The primary file is the first manifest of NAME.ism, NAME.m3u8, NAME.mpd that was
  /// written, else the first file (MPEG-TS only).
  std::vector<OutputAssetFile> files;
  PackageResult package;  ///< what package_media returned
  double duration_s = 0;  ///< media duration of the package, seconds (the longest manifest's)
};

/// Runs package_media(request) and writes `<request.manifest_name>_manifest.xml` into
/// request.output_dir. `listener` gets 0-100; 100 once the metadata is in place.
/// @throws EncodeError as package_media does (nothing of the package is left in output_dir);
///         Output when the metadata cannot be written
PackagedAsset package_asset(const PackageRequest& request, ProgressListener* listener,
                            std::stop_token stop);

}  // namespace mw::encoders::package
