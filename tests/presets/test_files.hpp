#pragma once
// Files for the presets tests: a fresh temporary folder per test, the shipped library folder,
// and the line a piece of text sits on (to state expected error lines without counting by hand).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace mw::presets::test_support {

/// The source tree's system presets (presets/library).
inline std::filesystem::path shipped_library_dir() {
  return std::filesystem::path(MW_SOURCE_DIR) / "presets" / "library";
}

/// How many preset files the source tree's system library holds.
inline std::size_t shipped_preset_count() {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_library_dir())) {
    count += entry.path().extension() == ".yaml" ? 1 : 0;
  }
  return count;
}

/// A new, empty folder under the system temp folder, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    do {
      path_ = base / ("mw-presets-test-" + std::to_string(random()) + std::to_string(random()));
    } while (!std::filesystem::create_directory(path_));  // false: the name was taken
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `text` to the file `name` in this folder (creating sub-folders) and returns its path.
  std::filesystem::path write(const std::filesystem::path& name, std::string_view text) const {
    const std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    EXPECT_TRUE(out.good()) << "cannot write " << file;
    return file;
  }

 private:
  std::filesystem::path path_;
};

/// The 1-based line of the first occurrence of `needle` in `text`; 0 (and a test failure) if
/// it does not occur.
inline int line_of(std::string_view text, std::string_view needle) {
  const auto at = text.find(needle);
  if (at == std::string_view::npos) {
    ADD_FAILURE() << "'" << needle << "' is not in the test text";
    return 0;
  }
  int line = 1;
  for (std::size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

/// `text` with the first `from` replaced by `to` (a test failure if `from` does not occur).
inline std::string edited(std::string_view text, std::string_view from, std::string_view to) {
  std::string result(text);
  const auto at = result.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "'" << from << "' is not in the test text";
    return result;
  }
  return result.replace(at, from.size(), to);
}

}  // namespace mw::presets::test_support
