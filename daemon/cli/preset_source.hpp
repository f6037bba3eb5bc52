#pragma once
// How CLI verbs find presets: the system library, then --presets-dir folders; a value naming an
// existing preset file (*.yaml, *.yml, *.json, *.xml) is loaded from that file, and "-" reads a
// Configuration from stdin (preset development).

#include <filesystem>
#include <string>
#include <vector>

#include "presets/library.hpp"

namespace mw::cli {

presets::PresetLibrary load_library(const std::vector<std::string>& extra_dirs);

/// Whether `path` has the extension of a preset file: .yaml, .yml (the YAML format,
/// docs/presets.md), .json or .xml (MES custom presets, AMS-V2-REFERENCE.md §8). The format
/// itself is presets::load_preset_file's business.
bool has_preset_file_extension(const std::filesystem::path& path);

/// The preset named by a CLI argument: an existing preset file (has_preset_file_extension) is
/// loaded with presets::load_preset_file; "-" reads stdin and resolves it as a Task's
/// Configuration would be (inline preset text, or a name); anything else is a name or alias.
/// @throws presets::PresetError when the name is unknown or the file or text is invalid
presets::Preset resolve_preset(const std::string& name_or_file, const std::vector<std::string>& extra_dirs);

/// One line describing a preset's video and audio, e.g. "1280x720 @4500 kbps H.264; AAC-LC 2 ch 48 kHz 128 kbps".
std::string summarize(const presets::Preset& preset);

}  // namespace mw::cli
