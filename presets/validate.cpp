#include <algorithm>
#include <iterator>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "presets/format_rules.hpp"
#include "presets/library.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"

namespace mw::presets {

namespace {

using namespace format;

// ---------------------------------------------------------------------------------------------
// Validation of the model (no lines: the loader adds them from the key path).

[[noreturn]] void reject(const Preset& preset, std::string key, std::string message) {
  throw PresetError(preset.origin, 0, std::move(key), std::move(message));
}

void check_range(const Preset& preset, std::string key, int value, int min, int max,
                 std::string_view unit = "") {
  if (value >= min && value <= max) return;
  const std::string suffix = unit.empty() ? "" : " " + std::string(unit);
  reject(preset, std::move(key),
         std::to_string(value) + suffix + " is out of range; allowed " + std::to_string(min) +
             ".." + std::to_string(max) + suffix);
}

std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void check_seconds(const Preset& preset, std::string key, double seconds, double max) {
  if (seconds > 0 && seconds <= max) return;
  reject(preset, std::move(key),
         number_text(seconds) + " s is out of range; allowed more than 0 and at most " +
             number_text(max) + " s");
}

template <typename T>
void check_one_of(const Preset& preset, std::string key, const T& value, std::span<const T> allowed,
                  std::string_view unit = "") {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  const auto text_of = [](const T& item) {
    if constexpr (std::is_same_v<T, int>) {
      return std::to_string(item);
    } else {
      return std::string(item);
    }
  };
  reject(preset, std::move(key),
         "'" + text_of(value) + "' is not allowed; allowed: " + join(allowed, text_of) +
             (unit.empty() ? "" : " " + std::string(unit)));
}

void check_name(const Preset& preset, std::string key, const std::string& name) {
  if (normalize_preset_name(name).empty()) {
    reject(preset, std::move(key),
           "'" + name + "' has no letter or digit; a name needs at least one to be found");
  }
}

std::string frame_rate_text(const FrameRate& rate) {
  return rate.is_source() ? "source" : std::to_string(rate.num) + "/" + std::to_string(rate.den);
}

bool same_frame_rate(const FrameRate& a, const FrameRate& b) {
  if (a.is_source() || b.is_source()) return a.is_source() == b.is_source();
  return static_cast<long long>(a.num) * b.den == static_cast<long long>(b.num) * a.den;
}

void check_layer_size(const Preset& preset, std::string key, int pixels) {
  check_range(preset, key, pixels, kMinSize, kMaxSize, "pixels");
  if (pixels % 2 != 0) {
    reject(preset, std::move(key),
           std::to_string(pixels) + " is odd; sizes must be even (MES: Width and Height are even)");
  }
}

void validate_layer(const Preset& preset, const VideoLayer& layer, const std::string& at) {
  // A size is pixels, or a percent of the source (MES "100%") when the percent is set.
  if (layer.width_percent != 0) {
    check_range(preset, at + ".width", layer.width_percent, 1, 100, "%");
  } else {
    check_layer_size(preset, at + ".width", layer.width);
  }
  if (layer.height_percent != 0) {
    check_range(preset, at + ".height", layer.height_percent, 1, 100, "%");
  } else {
    check_layer_size(preset, at + ".height", layer.height);
  }
  check_range(preset, at + ".bitrate", layer.bitrate_kbps, 1, kMaxVideoKbps, "kbps");
  if (layer.max_bitrate_kbps != 0) {
    if (layer.max_bitrate_kbps < layer.bitrate_kbps) {
      reject(preset, at + ".max_bitrate",
             std::to_string(layer.max_bitrate_kbps) + " kbps is below bitrate (" +
                 std::to_string(layer.bitrate_kbps) +
                 " kbps); max_bitrate must be at least bitrate");
    }
    check_range(preset, at + ".max_bitrate", layer.max_bitrate_kbps, 1, kMaxVideoKbps, "kbps");
  }
  check_seconds(preset, at + ".buffer_window", layer.buffer_window_s, kMaxBufferWindowS);
  if (!layer.level.empty()) {
    check_one_of<std::string_view>(preset, at + ".level", layer.level, kLevels);
  }
  check_range(preset, at + ".b_frames", layer.b_frames, 0, kMaxBFrames);
  check_range(preset, at + ".reference_frames", layer.reference_frames, 1, kMaxReferenceFrames);
  check_range(preset, at + ".slices", layer.slices, 0, kMaxSlices);
  if (layer.profile == H264Profile::Baseline) {
    if (layer.entropy == EntropyMode::Cabac) {
      reject(preset, at + ".entropy_mode",
             "cabac is not allowed with profile baseline (H.264 Baseline has CAVLC only); use "
             "cavlc");
    }
    if (layer.b_frames != 0) {
      reject(preset, at + ".b_frames",
             std::to_string(layer.b_frames) +
                 " B-frames with profile baseline (H.264 Baseline has no B-frames); use 0");
    }
  }
  const FrameRate& rate = layer.frame_rate;
  if (rate.den < 1 || rate.num < 0 || rate.value() > kMaxFrameRate) {
    reject(preset, at + ".frame_rate",
           std::to_string(rate.num) + "/" + std::to_string(rate.den) +
               " is out of range; allowed source (0/1) or a rate above 0 and at most " +
               number_text(kMaxFrameRate) + " fps");
  }
}

void validate_video(const Preset& preset, const VideoCodec& video) {
  check_seconds(preset, "video.keyframe_interval", video.keyframe_interval_s,
                kMaxKeyframeIntervalS);
  if (video.layers.empty()) reject(preset, "video.layers", "at least one layer is required");
  if (video.scene_change_detection && video.layers.size() != 1) {
    reject(preset, "video.scene_change_detection",
           "true needs exactly one layer (MES: SceneChangeDetection is for single-bitrate "
           "presets; ladders keep their GOPs aligned); this preset has " +
               std::to_string(video.layers.size()) + " layers");
  }
  for (std::size_t i = 0; i < video.layers.size(); ++i) {
    const std::string at = "video.layers[" + std::to_string(i) + "]";
    validate_layer(preset, video.layers[i], at);
    if (!same_frame_rate(video.layers[i].frame_rate, video.layers[0].frame_rate)) {
      reject(preset, at + ".frame_rate",
             frame_rate_text(video.layers[i].frame_rate) + " differs from layers[0] (" +
                 frame_rate_text(video.layers[0].frame_rate) +
                 "); MES requires one frame rate for all layers");
    }
  }
}

void validate_audio(const Preset& preset, const AudioCodec& audio) {
  check_one_of<int>(preset, "audio.channels", audio.channels, kChannelCounts);
  if (audio.profile == AacProfile::HeAacV2 && audio.channels != 2) {
    reject(preset, "audio.channels",
           std::to_string(audio.channels) +
               " channels with profile he_aac_v2; HE-AAC v2 (parametric stereo) needs 2");
  }
  check_one_of<int>(preset, "audio.sampling_rate", audio.sampling_rate, kSamplingRates, "Hz");
  check_range(preset, "audio.bitrate", audio.bitrate_kbps, kMinAudioKbps, kMaxAudioKbps, "kbps");
}

/// @param image_output  a Jpg/Png/Bmp output, whose pattern may (MES: must) hold {Index}
void validate_file_name(const Preset& preset, const std::string& key, const std::string& pattern,
                        bool image_output) {
  if (pattern.empty()) reject(preset, key, "the file name pattern is empty");
  if (pattern.find_first_of("/\\") != std::string::npos ||
      pattern.find("..") != std::string::npos) {
    reject(preset, key,
           "'" + pattern + "' must name a file in the output asset: no '/', '\\' or '..'");
  }
  for (auto open = pattern.find('{'); open != std::string::npos;
       open = pattern.find('{', open + 1)) {
    const auto close = pattern.find('}', open);
    if (close == std::string::npos) {
      reject(preset, key, "'" + pattern + "' has a '{' without its closing '}'");
    }
    const std::string macro = pattern.substr(open + 1, close - open - 1);
    if (macro == "Index" && image_output) continue;  // MES: {Index} numbers thumbnails
    if (std::find(std::begin(kMacros), std::end(kMacros), macro) == std::end(kMacros)) {
      reject(preset, key,
             "unknown macro '{" + macro + "}'; allowed: " + join_texts(kMacros, "{", "}"));
    }
  }
}

}  // namespace

void validate_preset(const Preset& preset) {
  if (preset.name.empty()) reject(preset, "name", "the name is empty");
  check_name(preset, "name", preset.name);
  for (std::size_t i = 0; i < preset.aliases.size(); ++i) {
    check_name(preset, "aliases[" + std::to_string(i) + "]", preset.aliases[i]);
  }
  if (!preset.video && !preset.audio && preset.images.empty()) {
    reject(preset, "video", "a preset needs a video section, an audio section or both");
  }
  if (preset.video) validate_video(preset, *preset.video);
  if (preset.audio) validate_audio(preset, *preset.audio);
  if (preset.outputs.empty()) reject(preset, "outputs", "at least one output is required");
  for (std::size_t i = 0; i < preset.outputs.size(); ++i) {
    validate_file_name(preset, "outputs[" + std::to_string(i) + "].file_name",
                       preset.outputs[i].file_name,
                       preset.outputs[i].format != OutputFormat::Mp4);
  }
}

}  // namespace mw::presets
