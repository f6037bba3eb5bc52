#pragma once
// The fixture of the loader tests (loader_read_test.cpp, loader_validation_test.cpp): a valid
// preset and ladder that tests change one line of, and loading a text that must fail with a
// given file, line, key and message.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "tests/presets/test_files.hpp"

namespace mw::presets::test_support {

/// A valid single-layer preset; most tests change one line of it.
inline constexpr std::string_view kPreset = R"(name: Test Preset
video:
  keyframe_interval: 2
  layers:
    - width: 1280
      height: 720
      bitrate: 4500
audio:
  channels: 2
  bitrate: 128
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"
)";

/// A two-layer ladder (no scene-change detection).
inline constexpr std::string_view kLadder = R"(name: Test Ladder
video:
  layers:
    - width: 1280
      height: 720
      bitrate: 3400
    - width: 640
      height: 360
      bitrate: 1000
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"
)";

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

class LoaderTest : public ::testing::Test {
 protected:
  Preset load(std::string_view yaml) { return load_preset_file(dir_.write("preset.yaml", yaml)); }

  /// Loads `yaml`, which must fail with an error naming the file, `key` and the line holding
  /// `line_text`, whose message contains `says`.
  void expect_error(std::string_view yaml, std::string_view key, std::string_view line_text,
                    std::string_view says) {
    SCOPED_TRACE(key);
    const std::filesystem::path file = dir_.write("preset.yaml", yaml);
    try {
      load_preset_file(file);
      ADD_FAILURE() << "the preset loaded";
    } catch (const PresetError& error) {
      EXPECT_EQ(error.file(), file.string()) << error.what();
      EXPECT_EQ(error.key(), key) << error.what();
      EXPECT_EQ(error.line(), line_of(yaml, line_text)) << error.what();
      EXPECT_TRUE(contains(error.message(), says)) << error.what();
    }
  }

  TempDir dir_;
};

}  // namespace mw::presets::test_support
