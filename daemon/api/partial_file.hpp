#pragma once
// A file written under a temporary name and renamed into place only when complete, so a reader
// never sees a half-written AssetFile (DESIGN.md "The data path"); an abandoned one (failed or
// interrupted upload) is removed.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace mw::api {

class PartialFile {
 public:
  /// Creates `temp_path` (which must not exist yet).
  /// @throws std::filesystem::filesystem_error naming the file
  explicit PartialFile(std::filesystem::path temp_path);
  /// Removes the temporary file unless commit() succeeded. Never throws.
  ~PartialFile();
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  /// Appends `size` bytes. @throws std::filesystem::filesystem_error (disk full, I/O error)
  void write(const char* data, size_t size);
  /// Bytes written so far.
  int64_t size() const { return size_; }
  /// Flushes and closes the file, then renames it to `final_path` (replacing a previous file).
  /// @throws std::filesystem::filesystem_error; the temporary file is then still removed
  void commit(const std::filesystem::path& final_path);

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::filesystem::path temp_path_;
  std::unique_ptr<std::FILE, Closer> file_;
  int64_t size_ = 0;
  bool committed_ = false;
};

}  // namespace mw::api
