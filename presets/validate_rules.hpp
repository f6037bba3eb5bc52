#pragma once
// Shared by the preset validator's files (validate.cpp, validate_outputs.cpp): how a rule
// rejects a preset, and the range checks. Not a public interface.

#include <sstream>
#include <string>
#include <string_view>

#include "presets/preset.hpp"
#include "presets/preset_error.hpp"

namespace mw::presets::validate_rules {

// Validation of the model (no lines: the loader adds them from the key path).
[[noreturn]] inline void reject(const Preset& preset, std::string key, std::string message) {
  throw PresetError(preset.origin, 0, std::move(key), std::move(message));
}

inline void check_range(const Preset& preset, std::string key, int value, int min, int max,
                 std::string_view unit = "") {
  if (value >= min && value <= max) return;
  const std::string suffix = unit.empty() ? "" : " " + std::string(unit);
  reject(preset, std::move(key),
         std::to_string(value) + suffix + " is out of range; allowed " + std::to_string(min) +
             ".." + std::to_string(max) + suffix);
}

inline std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

inline void check_between(const Preset& preset, std::string key, double value, double min, double max,
                   std::string_view unit) {
  if (value >= min && value <= max) return;
  const std::string suffix = " " + std::string(unit);
  reject(preset, std::move(key),
         number_text(value) + suffix + " is out of range; allowed " + number_text(min) + ".." +
             number_text(max) + suffix);
}

/// The output rules (validate_outputs.cpp): every outputs[] entry, its file name, the streaming
/// outputs' manifests and the image outputs' codecs.
void validate_outputs(const Preset& preset);

}  // namespace mw::presets::validate_rules
