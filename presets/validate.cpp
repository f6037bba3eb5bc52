#include <algorithm>
#include <cstdio>
#include <cctype>
#include <iterator>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <type_traits>
#include <span>
#include <string>
#include <vector>

#include "presets/format_rules.hpp"
#include "presets/library.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "presets/text_values.hpp"
#include "presets/validate_rules.hpp"

namespace mw::presets {

namespace {

using namespace format;
using namespace validate_rules;

// ---------------------------------------------------------------------------------------------
// Validation of the model (no lines: the loader adds them from the key path).

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

/// A size written as pixels or as a percent of the source (MES "100%"), not both.
void check_size_or_percent(const Preset& preset, const std::string& key, int pixels, int percent,
                           bool even) {
  if (percent != 0) {
    if (pixels != 0) {
      reject(preset, key,
             std::to_string(pixels) + " pixels and " + std::to_string(percent) +
                 "% are both set; give pixels or a percent, not both");
    }
    check_range(preset, key, percent, 1, kMaxPercent, "%");
    return;
  }
  if (even) {
    check_layer_size(preset, key, pixels);
  } else {
    check_range(preset, key, pixels, kMinSize, kMaxSize, "pixels");
  }
}

void validate_layer(const Preset& preset, const VideoLayer& layer, const std::string& at) {
  check_size_or_percent(preset, at + ".width", layer.width, layer.width_percent, true);
  check_size_or_percent(preset, at + ".height", layer.height, layer.height_percent, true);
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
  if (video.ladder == LadderMode::ContentAdaptive) {
    if (!video.layers.empty()) {
      reject(preset, "video.layers",
             "ladder content_adaptive builds its layers from the input (AMS \"Adaptive "
             "Streaming\"); remove the " + std::to_string(video.layers.size()) + " layers");
    }
    if (video.scene_change_detection) {
      reject(preset, "video.scene_change_detection",
             "true with ladder content_adaptive; a ladder keeps its GOPs aligned (MES: "
             "SceneChangeDetection is for single-bitrate presets)");
    }
    if (video.allow_upscale.value_or(false)) {
      reject(preset, "video.allow_upscale",
             "true with ladder content_adaptive, whose layers never exceed the input's "
             "resolution or bitrate (AMS-V2-REFERENCE.md §7)");
    }
    return;
  }
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
  if (audio.loudness) {
    check_between(preset, "audio.loudness.integrated", audio.loudness->integrated_lufs,
                   kMinIntegratedLufs, kMaxIntegratedLufs, "LUFS");
    check_between(preset, "audio.loudness.true_peak", audio.loudness->true_peak_dbtp,
                  kMinTruePeakDbtp, kMaxTruePeakDbtp, "dBTP");
    check_between(preset, "audio.loudness.loudness_range", audio.loudness->loudness_range_lu,
                  kMinLoudnessRangeLu, kMaxLoudnessRangeLu, "LU");
  }
}

std::string position_text(const ImagePosition& position) {
  switch (position.unit) {
    case ImagePosition::Unit::Best:
      return "{Best}";
    case ImagePosition::Unit::Frame:
      return "frame " + number_text(position.value);
    case ImagePosition::Unit::Percent:
      return number_text(position.value) + "%";
    case ImagePosition::Unit::Seconds:
      break;
  }
  return number_text(position.value) + " s";
}

/// A thumbnail position: percents 0..100, frames and seconds not negative; a step or range
/// (`allow_zero` false) above 0.
void check_position(const Preset& preset, const std::string& key, const ImagePosition& position,
                    bool allow_zero) {
  const bool percent = position.unit == ImagePosition::Unit::Percent;
  const bool too_low = allow_zero ? position.value < 0 : position.value <= 0;
  if (too_low || (percent && position.value > kMaxPercent) || !std::isfinite(position.value)) {
    reject(preset, key,
           position_text(position) + " is out of range; allowed " +
               (allow_zero ? "0 or more" : "more than 0") + (percent ? ", at most 100%" : ""));
  }
}

void validate_image(const Preset& preset, const ImageCodec& image, const std::string& at) {
  check_position(preset, at + ".start", image.start, true);
  if (image.step) check_position(preset, at + ".step", *image.step, false);
  if (image.range) check_position(preset, at + ".range", *image.range, false);
  check_range(preset, at + ".sprite_columns", image.sprite_columns, 0, kMaxSpriteColumns);
  if (image.sprite_columns > 0) {
    if (image.format != OutputFormat::Jpg) {
      reject(preset, at + ".sprite_columns",
             "a sprite is one JPEG grid (MES: SpriteColumn on JpgImage); format is " +
                 std::string(text_of<kImageFormats>(image.format)));
    }
    const auto check_sprite_position = [&](const std::string& key, const ImagePosition& p) {
      if (p.unit == ImagePosition::Unit::Frame || p.unit == ImagePosition::Unit::Best) {
        reject(preset, key,
               position_text(p) + " with sprite_columns; a sprite needs times or percents "
               "(MES: SpriteColumn takes Start/Step/Range as time or %, not frames or {Best})");
      }
    };
    check_sprite_position(at + ".start", image.start);
    if (image.step) check_sprite_position(at + ".step", *image.step);
    if (image.range) check_sprite_position(at + ".range", *image.range);
  }
  if (image.layers.empty()) reject(preset, at + ".layers", "at least one layer is required");
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    const ImageLayer& layer = image.layers[i];
    const std::string layer_at = at + ".layers[" + std::to_string(i) + "]";
    if (layer.width == 0 && layer.width_percent == 0 && layer.height == 0 &&
        layer.height_percent == 0) {
      reject(preset, layer_at + ".width",
             "neither width nor height is given; give one (the other keeps the aspect) or both");
    }
    if (layer.width != 0 || layer.width_percent != 0) {
      check_size_or_percent(preset, layer_at + ".width", layer.width, layer.width_percent, false);
    }
    if (layer.height != 0 || layer.height_percent != 0) {
      check_size_or_percent(preset, layer_at + ".height", layer.height, layer.height_percent,
                            false);
    }
    check_range(preset, layer_at + ".quality", layer.quality, 1, kMaxJpegQuality);
  }
}

void validate_source(const Preset& preset, const Source& source, const std::string& at) {
  if (!source.asset_id.empty() && !text_values::is_guid(source.asset_id)) {
    reject(preset, at + ".asset_id",
           "'" + source.asset_id +
               "' is not an asset GUID; write the AssetID without its nb:cid:UUID: prefix, "
               "e.g. 2a5b3c4d-0000-1111-2222-333344445555 (MES Sources AssetID)");
  }
  if (source.start_s && !(*source.start_s >= 0)) {
    reject(preset, at + ".start_time", number_text(*source.start_s) + " s is negative");
  }
  if (source.duration_s && !(*source.duration_s > 0)) {
    reject(preset, at + ".duration",
           number_text(*source.duration_s) + " s is out of range; allowed more than 0 s");
  }
}

void validate_filters(const Preset& preset, const Filters& filters) {
  if (!filters.crop) return;
  const Crop& crop = *filters.crop;
  check_range(preset, "filters.crop.x", crop.x, 0, kMaxSize - kMinSize, "pixels");
  check_range(preset, "filters.crop.y", crop.y, 0, kMaxSize - kMinSize, "pixels");
  check_layer_size(preset, "filters.crop.width", crop.width);
  check_layer_size(preset, "filters.crop.height", crop.height);
  if (crop.x + crop.width > kMaxSize) {
    reject(preset, "filters.crop.width",
           "x + width = " + std::to_string(crop.x + crop.width) + " is beyond " +
               std::to_string(kMaxSize) + " pixels");
  }
  if (crop.y + crop.height > kMaxSize) {
    reject(preset, "filters.crop.height",
           "y + height = " + std::to_string(crop.y + crop.height) + " is beyond " +
               std::to_string(kMaxSize) + " pixels");
  }
}

/// A published preset that is not encoded: it names why and what to use, and encodes nothing.
void validate_unsupported(const Preset& preset) {
  if (preset.use_instead.empty()) {
    reject(preset, "use_instead",
           "required with unsupported: name the supported preset to use instead");
  }
  check_name(preset, "use_instead", preset.use_instead);
  const auto present = [&](std::string key, bool written) {
    if (written) {
      reject(preset, std::move(key),
             "an unsupported preset encodes nothing; remove " + key + " (or remove unsupported)");
    }
  };
  present("video", preset.video.has_value());
  present("audio", preset.audio.has_value());
  present("images", !preset.images.empty());
  present("sources", !preset.sources.empty());
  present("outputs", !preset.outputs.empty());
}

}  // namespace

void validate_preset(const Preset& preset) {
  if (preset.name.empty()) reject(preset, "name", "the name is empty");
  check_name(preset, "name", preset.name);
  for (std::size_t i = 0; i < preset.aliases.size(); ++i) {
    check_name(preset, "aliases[" + std::to_string(i) + "]", preset.aliases[i]);
  }
  if (!preset.unsupported.empty()) {
    validate_unsupported(preset);
    return;
  }
  if (!preset.use_instead.empty()) {
    reject(preset, "use_instead", "use_instead is only for a preset marked unsupported");
  }
  if (!preset.video && !preset.audio && preset.images.empty()) {
    reject(preset, "video",
           "a preset needs a video section, an audio section or both (or images for "
           "thumbnails only)");
  }
  if (preset.video) validate_video(preset, *preset.video);
  if (preset.audio) validate_audio(preset, *preset.audio);
  for (std::size_t i = 0; i < preset.images.size(); ++i) {
    validate_image(preset, preset.images[i], "images[" + std::to_string(i) + "]");
  }
  for (std::size_t i = 0; i < preset.sources.size(); ++i) {
    validate_source(preset, preset.sources[i], "sources[" + std::to_string(i) + "]");
  }
  validate_filters(preset, preset.filters);
  validate_outputs(preset);
}

}  // namespace mw::presets
