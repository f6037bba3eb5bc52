#pragma once
// The one error type of the presets module: a preset that cannot be loaded, validated or found.

#include <stdexcept>
#include <string>

namespace mw::presets {

/// A preset problem, naming where it is. what() reads "FILE:LINE: KEY: MESSAGE" (parts that are
/// unknown are left out), so a CLI can print it as one line.
class PresetError : public std::runtime_error {
 public:
  /// @param file  preset file path, or "inline" for a Configuration text; may be empty
  /// @param line  1-based line in that file, 0 when unknown
  /// @param key   dotted key path at fault, e.g. "video.layers[0].bitrate"; may be empty
  /// @param message what is wrong and, where useful, what is allowed
  PresetError(std::string file, int line, std::string key, std::string message);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& key() const { return key_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  std::string key_;
  std::string message_;
};

}  // namespace mw::presets
