#pragma once
// Running a "Windows Azure Media Packager" task (processor nb:mpid:UUID:a2f9afe9-...,
// docs/packager.md): its input asset's MP4 files (an earlier task's GOP-aligned MP4 set, or a
// Smooth Streaming asset) are packaged, without re-encoding, into its output asset's folder.

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/runtime/packager_configuration.hpp"
#include "daemon/runtime/storage.hpp"
#include "encoders/package/package_asset.hpp"

namespace mw::runtime {

/// The AssetFiles of an asset that the packager takes, sorted by Name: MimeType video/mp4 or
/// audio/mp4, or, for files uploaded without a MimeType (or application/octet-stream), the
/// extensions .mp4, .m4v, .m4a, .ismv and .isma. Metadata (_manifest.xml, _metadata.xml),
/// manifests, images and CMAF segments (STEM_00001.m4s and the STEM_init.mp4 beside them: an
/// HLS/DASH package) are left out.
std::vector<AssetFile> package_input_files(const std::vector<AssetFile>& files);

/// The manifest stem when the Configuration names none: for SmoothToHLS without a manifest
/// property, "<ISM file stem>-m3u8-aapl" (the AMS default) when the asset has a .ism; else the
/// stem of the asset's "<NAME>_manifest.xml" (an encode's {Basename}); else the stem of its .ism;
/// else the longest common prefix of the input stems (without trailing '_', '-', '.', ' '), or
/// the first input's stem. "_master" is appended when HLS is written and the name is an
/// input's stem (its media playlist would take the master playlist's name).
std::string default_manifest_name(const PackagerConfiguration& config,
                                  const std::vector<AssetFile>& asset_files,
                                  const std::vector<AssetFile>& inputs);

struct PackageTaskResult {
  encoders::package::PackagedAsset asset;
  std::vector<std::string> notes;  ///< HistoricalEvents "Note": renditions left out by maxbitrate
};

/// Packages the input asset's files into `output_dir` (the task attempt's folder).
/// @param asset_files every AssetFile of the input asset
/// @throws encoders::EncodeError UnsupportedFormat when the asset has no MP4 file or its video is
///         not GOP-aligned (naming both files and the keyframe times); Configuration when
///         maxbitrate leaves no video rendition or the segment duration is shorter than the
///         keyframe interval; InputUnreadable, Output, Canceled as package_media
PackageTaskResult run_package_task(const PackagerConfiguration& config,
                                   const std::vector<AssetFile>& asset_files,
                                   const Storage& storage, const std::string& input_asset_id,
                                   const std::filesystem::path& output_dir,
                                   encoders::ProgressListener* listener, std::stop_token stop);

}  // namespace mw::runtime
