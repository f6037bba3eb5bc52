#include "presets/preset_error.hpp"

#include <utility>

namespace mw::presets {

namespace {

/// "FILE:LINE: KEY: MESSAGE", leaving out the parts that are unknown.
std::string describe(const std::string& file, int line, const std::string& key,
                     const std::string& message) {
  std::string text = file;
  if (line > 0) {
    text += file.empty() ? "line " : ":";
    text += std::to_string(line);
  }
  for (const std::string* part : {&key, &message}) {
    if (part->empty()) continue;
    if (!text.empty()) text += ": ";
    text += *part;
  }
  return text;
}

}  // namespace

PresetError::PresetError(std::string file, int line, std::string key, std::string message)
    : std::runtime_error(describe(file, line, key, message)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      message_(std::move(message)) {}

}  // namespace mw::presets
