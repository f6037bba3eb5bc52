#include "daemon/cli/preset_source.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "presets/loader.hpp"

namespace mw::cli {

presets::PresetLibrary load_library(const std::vector<std::string>& extra_dirs) {
  std::vector<std::filesystem::path> dirs{presets::default_preset_dir()};
  for (const auto& d : extra_dirs) dirs.emplace_back(d);
  return presets::PresetLibrary::load(dirs);
}

presets::Preset resolve_preset(const std::string& name_or_file, const std::vector<std::string>& extra_dirs) {
  const std::filesystem::path p(name_or_file);
  std::error_code ec;
  const bool preset_file = p.extension() == ".yaml" || p.extension() == ".yml" ||
                           p.extension() == ".json" || p.extension() == ".xml";  // MES JSON/XML
  if (preset_file && std::filesystem::is_regular_file(p, ec))
    return presets::load_preset_file(p);
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
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace mw::cli
