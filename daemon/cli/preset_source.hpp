#pragma once
// How CLI verbs find presets: the system library, then --presets-dir folders; a --preset value
// naming an existing .yaml/.yml file is loaded from that file (preset development).

#include <string>
#include <vector>

#include "presets/library.hpp"

namespace mw::cli {

presets::PresetLibrary load_library(const std::vector<std::string>& extra_dirs);

/// @throws presets::PresetError when the name is unknown or the file is invalid
presets::Preset resolve_preset(const std::string& name_or_file, const std::vector<std::string>& extra_dirs);

/// One line describing a preset's video and audio, e.g. "1280x720 @4500 kbps H.264; AAC-LC 2 ch 48 kHz 128 kbps".
std::string summarize(const presets::Preset& preset);

}  // namespace mw::cli
