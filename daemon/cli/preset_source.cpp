#include "daemon/cli/preset_source.hpp"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "presets/loader.hpp"
#include "presets/mes_preset.hpp"
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

std::string inline_preset_name(const std::string& configuration) {
  const bool mes = presets::is_mes_preset(configuration);
  if (!mes && configuration.find('\n') == std::string::npos) return configuration;  // a preset name
  std::string name = "inline preset";
  try {
    const presets::Preset preset = mes ? presets::parse_mes_preset(configuration, "inline")
                                       : presets::parse_preset_yaml(configuration, "inline");
    // parse_mes_preset's own default ("inline MES JSON preset") means "no Description".
    if (!preset.name.empty() && !(mes && preset.name.rfind("inline MES ", 0) == 0)) name = preset.name;
  } catch (const presets::PresetError&) {
  }
  for (char& c : name)
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  if (name.size() > kMaxInlinePresetNameLength) {
    std::size_t cut = kMaxInlinePresetNameLength - 3;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name = name.substr(0, cut) + "...";
  }
  return name;
}

std::string format_name(presets::OutputFormat format) {
  switch (format) {
    case presets::OutputFormat::Jpg: return "JPEG";
    case presets::OutputFormat::Png: return "PNG";
    case presets::OutputFormat::Bmp: return "BMP";
    case presets::OutputFormat::Smooth: return "Smooth Streaming";
    case presets::OutputFormat::Hls: return "HLS";
    case presets::OutputFormat::Dash: return "DASH";
    case presets::OutputFormat::Cmaf: return "CMAF";
    case presets::OutputFormat::Ts: return "TS";
    case presets::OutputFormat::Mp4: break;
  }
  return "MP4";
}

namespace {

/// "5 s", "25%", "120 frames" or "{Best}".
std::string position(const presets::ImagePosition& p) {
  switch (p.unit) {
    case presets::ImagePosition::Unit::Best: return "{Best}";
    case presets::ImagePosition::Unit::Frame: return fmt::format("{} frames", p.value);
    case presets::ImagePosition::Unit::Percent: return fmt::format("{}%", p.value);
    case presets::ImagePosition::Unit::Seconds: break;
  }
  return fmt::format("{} s", p.value);
}

/// "300 px", "320x180", "50%", "90 px high".
std::string image_size(const presets::ImageLayer& l) {
  const std::string w = l.width_percent ? fmt::format("{}%", l.width_percent) : std::to_string(l.width);
  const std::string h = l.height_percent ? fmt::format("{}%", l.height_percent) : std::to_string(l.height);
  const bool has_w = l.width || l.width_percent, has_h = l.height || l.height_percent;
  if (has_w && has_h) return w == h && l.width_percent ? w : w + "x" + h;
  if (has_w) return l.width_percent ? w + " wide" : w + " px";
  if (has_h) return l.height_percent ? h + " high" : h + " px high";
  return "source size";
}

}  // namespace

std::string summarize_images(const presets::ImageCodec& codec) {
  std::string sizes;
  for (const auto& l : codec.layers) sizes += (sizes.empty() ? "" : ", ") + image_size(l);
  std::string when;
  if (codec.start.unit == presets::ImagePosition::Unit::Best) {
    when = "one at the best frame";
  } else {
    const bool from_zero = codec.start.value == 0;
    when = codec.step ? "every " + position(*codec.step) : "one";
    if (!from_zero || !codec.step) when += " at " + position(codec.start);
    if (codec.range) when += " for " + position(*codec.range);
  }
  std::string text = fmt::format("{} {} {}", format_name(codec.format), sizes, when);
  if (codec.sprite_columns > 0) text += fmt::format(", as a sprite {} wide + WebVTT", codec.sprite_columns);
  return text;
}

std::string summarize(const presets::Preset& preset) {
  if (!preset.unsupported.empty()) {
    // The codec named in the reason (the published VC-1 and WMA presets).
    const std::string& why = preset.unsupported;
    const char* codec = why.find("VC-1") != std::string::npos ? " (VC-1)"
                        : why.find("WMA") != std::string::npos ? " (WMA)"
                                                               : "";
    return fmt::format("not supported{}; use '{}'", codec, preset.use_instead);
  }
  std::vector<std::string> parts;
  if (preset.video) {
    std::string joined;
    for (const auto& l : preset.video->layers)
      joined += (joined.empty() ? "" : ", ") + fmt::format("{}x{} @{} kbps", l.width, l.height, l.bitrate_kbps);
    if (preset.video->ladder == presets::LadderMode::ContentAdaptive) joined = "ladder built from the input";
    parts.push_back("H.264 " + joined);
  }
  if (preset.audio) {
    // HE-AAC is encoded as AAC-LC (libavcodec's aac encoder has no SBR/PS): plan.cpp's note.
    const char* profile = preset.audio->profile == presets::AacProfile::AacLc     ? "AAC-LC"
                          : preset.audio->profile == presets::AacProfile::HeAacV1 ? "HE-AAC v1 requested, encoded AAC-LC"
                                                                                 : "HE-AAC v2 requested, encoded AAC-LC";
    parts.push_back(fmt::format("{} {} ch {} Hz {} kbps", profile, preset.audio->channels,
                                preset.audio->sampling_rate, preset.audio->bitrate_kbps));
  }
  for (const auto& codec : preset.images) parts.push_back("thumbnails: " + summarize_images(codec));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace mw::cli
