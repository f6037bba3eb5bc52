#pragma once
// Reads the YAML preset format (docs/presets.md) into a Preset, then validates it.

#include <filesystem>
#include <string_view>

#include "presets/preset.hpp"

namespace mw::presets {

/// Loads and validates one preset file: YAML, or an MES custom preset for a .json or .xml file
/// (parse_mes_preset).
/// @throws PresetError naming the file, the line and the key at fault (unknown keys, wrong
///         types, out-of-range values, missing required keys).
Preset load_preset_file(const std::filesystem::path& path);

/// Parses and validates preset YAML text (an inline Configuration or a file's content).
/// @param origin the name used in errors and in Preset::origin ("inline" or a path)
/// @throws PresetError as load_preset_file
Preset parse_preset_yaml(std::string_view text, std::string_view origin);

/// Checks a preset's values and their combinations (docs/presets.md "Rules across keys"): even
/// sizes or percents 1..100, bitrates > 0, VBV maxrate >= bitrate, scene-change detection only
/// with one layer, all layers at one frame rate, content-adaptive ladders without layers, AAC
/// channel counts 1/2/6/8, sampling rates, EBU R128 targets within loudnorm's ranges, thumbnail
/// positions and sprites (MES SpriteColumn), one output per image codec with {Index} exactly
/// once (MES), video_only/audio_only outputs against the codecs present, crop limits, source
/// asset GUIDs, and `unsupported` presets (reason plus use_instead, no codecs or outputs).
/// @throws PresetError naming the key at fault (line 0: the model has no lines)
void validate_preset(const Preset& preset);

}  // namespace mw::presets
