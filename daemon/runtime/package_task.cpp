#include "daemon/runtime/package_task.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "encoders/encode_error.hpp"
#include "encoders/measure.hpp"

namespace mw::runtime {

namespace {

using encoders::EncodeError;
using encoders::ErrorCategory;
using presets::OutputFormat;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string extension(const std::string& name) {
  return lower(std::filesystem::path(name).extension().string());
}
std::string stem(const std::string& name) {
  return std::filesystem::path(name).stem().string();
}

bool writes_hls(const PackagerConfiguration& config) {
  return std::any_of(config.formats.begin(), config.formats.end(), [](OutputFormat f) {
    return f == OutputFormat::Hls || f == OutputFormat::Cmaf;
  });
}

}  // namespace

std::vector<AssetFile> package_input_files(const std::vector<AssetFile>& files) {
  std::vector<AssetFile> out;
  for (const auto& f : files) {
    const std::string mime = lower(f.mime_type);
    const std::string ext = extension(f.name);
    const bool by_type = mime == "video/mp4" || mime == "audio/mp4";
    const bool untyped = mime.empty() || mime == "application/octet-stream";
    const bool by_name =
        ext == ".mp4" || ext == ".m4v" || ext == ".m4a" || ext == ".ismv" || ext == ".isma";
    // An HLS/DASH package's CMAF segments (STEM_00001.m4s, and their STEM_init.mp4) are not
    // MP4 files the packager can read.
    const bool segment = ext == ".m4s";
    const bool init_segment =
        ext == ".mp4" && f.name.size() > 9 && f.name.ends_with("_init.mp4") &&
        std::any_of(files.begin(), files.end(), [&](const AssetFile& other) {
          return other.name == f.name.substr(0, f.name.size() - 9) + "_00001.m4s";
        });
    if (segment || init_segment) continue;
    if (by_type || (untyped && by_name)) out.push_back(f);
  }
  std::sort(out.begin(), out.end(),
            [](const AssetFile& a, const AssetFile& b) { return a.name < b.name; });
  return out;
}

std::string default_manifest_name(const PackagerConfiguration& config,
                                  const std::vector<AssetFile>& asset_files,
                                  const std::vector<AssetFile>& inputs) {
  if (!config.manifest_name.empty()) return config.manifest_name;
  std::vector<std::string> names;
  for (const auto& f : asset_files) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  const auto ism = std::find_if(names.begin(), names.end(),
                                [](const std::string& n) { return extension(n) == ".ism"; });
  const auto metadata = std::find_if(names.begin(), names.end(), [](const std::string& n) {
    return n.size() > 13 && n.ends_with("_manifest.xml");
  });
  std::string name;
  if (config.hls_manifest_after_ism && ism != names.end()) {
    name = stem(*ism) + "-m3u8-aapl";
  } else if (metadata != names.end()) {
    name = metadata->substr(0, metadata->size() - 13);
  } else if (ism != names.end()) {
    name = stem(*ism);
  } else if (!inputs.empty()) {
    std::string prefix = stem(inputs.front().name);
    for (const auto& f : inputs) {
      const std::string s = stem(f.name);
      size_t n = 0;
      while (n < prefix.size() && n < s.size() && prefix[n] == s[n]) ++n;
      prefix.resize(n);
    }
    while (!prefix.empty() &&
           std::string_view("_-. ").find(prefix.back()) != std::string_view::npos)
      prefix.pop_back();
    name = prefix.empty() || prefix.front() == '.' ? stem(inputs.front().name) : prefix;
  }
  if (writes_hls(config))
    for (const auto& f : inputs)
      if (stem(f.name) == name || stem(f.name) + "_audio" == name) return name + "_master";
  return name;
}

PackageTaskResult run_package_task(const PackagerConfiguration& config,
                                   const std::vector<AssetFile>& asset_files,
                                   const Storage& storage, const std::string& input_asset_id,
                                   const std::filesystem::path& output_dir,
                                   encoders::ProgressListener* listener, std::stop_token stop) {
  const auto inputs = package_input_files(asset_files);
  if (inputs.empty())
    throw EncodeError(
        ErrorCategory::UnsupportedFormat,
        fmt::format(
            "input asset {} has no MP4 file to package (the packager takes .mp4, .m4a, .ismv "
            "and .isma files: a GOP-aligned MP4 set or a Smooth Streaming asset)",
            input_asset_id));
  PackageTaskResult result;
  encoders::package::PackageRequest request;
  request.formats = config.formats;
  request.segment_duration_s = config.segment_duration_s;
  request.manifest_name = default_manifest_name(config, asset_files, inputs);
  request.output_dir = output_dir;

  // SmoothToHLS maxbitrate: "Smooth Streams at or below this value are converted" (the
  // task definition's helpText); judged on each file's measured video bitrate.
  std::string lowest;  // the video file with the lowest bitrate, for the message below
  double lowest_bps = 0;
  size_t video_kept = 0, video_dropped = 0;
  for (const auto& f : inputs) {
    const auto path = storage.file_path(input_asset_id, f.name);
    if (config.max_bitrate_bps > 0) {
      const encoders::MeasuredFile measured = encoders::measure_file(path.string());
      if (const auto* video = measured.video()) {
        const double bps = video->bitrate_kbps * 1000;
        if (lowest.empty() || bps < lowest_bps) {
          lowest = f.name;
          lowest_bps = bps;
        }
        if (bps > static_cast<double>(config.max_bitrate_bps)) {
          ++video_dropped;
          result.notes.push_back(
              fmt::format("{}: video at {:.0f} kbps is above maxbitrate {} bps: not packaged",
                          f.name, bps / 1000, config.max_bitrate_bps));
          continue;
        }
        ++video_kept;
      }
    }
    request.inputs.push_back({path, stem(f.name)});
  }
  if (video_dropped > 0 && video_kept == 0)
    throw EncodeError(
        ErrorCategory::Configuration,
        fmt::format(
            "maxbitrate {} bps leaves no video to package: the lowest video bitrate of input "
            "asset {} is {:.0f} kbps ({})",
            config.max_bitrate_bps, input_asset_id, lowest_bps / 1000, lowest));
  result.asset = encoders::package::package_asset(request, listener, stop);
  return result;
}

}  // namespace mw::runtime
