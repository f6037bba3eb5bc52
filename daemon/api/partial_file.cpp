#include "daemon/api/partial_file.hpp"

#include <cerrno>
#include <system_error>

namespace mw::api {

namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path, int error) {
  throw std::filesystem::filesystem_error(what, path,
                                          std::error_code(error, std::generic_category()));
}

}  // namespace

PartialFile::PartialFile(std::filesystem::path temp_path) : temp_path_(std::move(temp_path)) {
  file_.reset(std::fopen(temp_path_.c_str(), "wbx"));  // "x": fail rather than reuse a file
  if (!file_) fail("cannot create the upload's temporary file", temp_path_, errno);
}

PartialFile::~PartialFile() {
  if (committed_) return;
  file_.reset();
  std::error_code ec;
  std::filesystem::remove(temp_path_, ec);
}

void PartialFile::write(const char* data, size_t size) {
  if (size == 0) return;
  if (std::fwrite(data, 1, size, file_.get()) != size)
    fail("cannot write the upload", temp_path_, errno);
  size_ += static_cast<int64_t>(size);
}

void PartialFile::commit(const std::filesystem::path& final_path) {
  std::FILE* f = file_.release();
  const bool flushed = std::fflush(f) == 0;
  const int flush_errno = errno;
  if (std::fclose(f) != 0 || !flushed)
    fail("cannot finish the upload", temp_path_, flushed ? errno : flush_errno);
  std::filesystem::rename(temp_path_, final_path);
  committed_ = true;
}

}  // namespace mw::api
