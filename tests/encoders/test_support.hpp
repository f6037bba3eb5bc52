#pragma once
// Shared helpers of the encoders tests: the real clips (../shared/media, read in place), the
// shipped preset library, a fresh temporary folder per test, and catching the engine's
// EncodeError as a value.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "encoders/encode_error.hpp"
#include "presets/library.hpp"

namespace mw::encoders::test_support {

/// A real clip of ../shared/media by file name.
inline std::string media(std::string_view name) {
  return (std::filesystem::path(MW_MEDIA_DIR) / name).string();
}

/// The system presets of this source tree (presets/library), loaded once per test binary. The
/// source tree's folder rather than default_preset_dir(), so an installed copy of other presets
/// cannot change what is tested.
inline const presets::PresetLibrary& preset_library() {
  static const presets::PresetLibrary library =
      presets::PresetLibrary::load({std::filesystem::path(MW_SOURCE_DIR) / "presets" / "library"});
  return library;
}

/// A shipped preset by name; throws (failing the test) if the library lacks it.
inline const presets::Preset& preset(std::string_view name) {
  const presets::Preset* p = preset_library().find(name);
  if (p == nullptr)
    throw std::runtime_error("no preset '" + std::string(name) + "' in presets/library");
  return *p;
}

inline constexpr std::string_view kVideoPreset = "H.264 HD 720p VBR";
inline constexpr std::string_view kAudioPreset = "AAC Good Quality Audio";

/// A new, empty folder under the system temp folder, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    do {
      path_ = base / ("mw-encoders-test-" + std::to_string(random()) + std::to_string(random()));
    } while (!std::filesystem::create_directory(path_));  // false: the name was taken
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `content` to the file `name` in this folder and returns its path.
  std::string write(std::string_view name, std::string_view content) const {
    const auto file = path_ / name;
    std::ofstream out(file, std::ios::binary);
    out << content;
    EXPECT_TRUE(out.good()) << "cannot write " << file;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

/// Every entry of a folder (hidden ones included), sorted; empty when the folder does not exist.
inline std::vector<std::string> entries_of(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The EncodeError `f` throws, or nullopt (and a test failure) when it returns normally.
template <typename F>
std::optional<EncodeError> encode_error_of(F&& f) {
  try {
    f();
  } catch (const EncodeError& e) {
    return e;
  }
  ADD_FAILURE() << "no EncodeError was thrown";
  return std::nullopt;
}

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace mw::encoders::test_support

namespace mw::encoders {
/// Lets gtest print a category by its AMS error code rather than as raw bytes.
inline void PrintTo(ErrorCategory category, std::ostream* out) {
  *out << ams_error_code(category);
}
}  // namespace mw::encoders
