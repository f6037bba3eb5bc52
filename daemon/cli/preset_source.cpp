#include "daemon/cli/preset_source.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <iterator>

#include "presets/loader.hpp"
#include "presets/preset_error.hpp"

namespace mw::cli {

presets::PresetLibrary load_library(const std::vector<std::string>& extra_dirs) {
  std::vector<std::filesystem::path> dirs{presets::default_preset_dir()};
  for (const auto& d : extra_dirs) dirs.emplace_back(d);
  return presets::PresetLibrary::load(dirs);
}

bool has_preset_file_extension(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json" || ext == ".xml";
}

presets::Preset resolve_preset(const std::string& name_or_file, const std::vector<std::string>& extra_dirs) {
  if (name_or_file == "-") {
    const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (std::cin.bad()) throw presets::PresetError("stdin", 0, "", "cannot read the preset from stdin");
    return load_library(extra_dirs).resolve(text);
  }
  const std::filesystem::path p(name_or_file);
  std::error_code ec;
  if (has_preset_file_extension(p) && std::filesystem::is_regular_file(p, ec)) return presets::load_preset_file(p);
  return load_library(extra_dirs).resolve(name_or_file);
}

std::string summarize(const presets::Preset& preset) {
  std::vector<std::string> parts;
  if (preset.video) {
    std::vector<std::string> layers;
    for (const auto& l : preset.video->layers)
      layers.push_back(fmt::format("{}x{} @{} kbps", l.width, l.height, l.bitrate_kbps));
    std::string joined;
    for (const auto& l : layers) joined += (joined.empty() ? "" : ", ") + l;
    parts.push_back("H.264 " + joined);
  }
  if (preset.audio) {
    const char* profile = preset.audio->profile == presets::AacProfile::AacLc     ? "AAC-LC"
                          : preset.audio->profile == presets::AacProfile::HeAacV1 ? "HE-AAC v1"
                                                                                 : "HE-AAC v2";
    parts.push_back(fmt::format("{} {} ch {} Hz {} kbps", profile, preset.audio->channels,
                                preset.audio->sampling_rate, preset.audio->bitrate_kbps));
  }
  for (const auto& image : preset.images) {
    const char* format = image.format == presets::OutputFormat::Png   ? "PNG"
                         : image.format == presets::OutputFormat::Bmp ? "BMP"
                                                                       : "JPEG";
    parts.push_back(fmt::format("{} thumbnails, {} size{}", format, image.layers.size(),
                                image.layers.size() == 1 ? "" : "s"));
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace mw::cli
