#include "encoders/av/error.hpp"

extern "C" {
#include <libavutil/error.h>
}

#include <fmt/format.h>

namespace mw::av {

std::string error_text(int averror) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(averror, buf, sizeof buf);
  return buf;
}

namespace {
std::string describe(int averror, const std::string& call, const std::string& file, int stream) {
  std::string where = file.empty() ? std::string{} : file;
  if (stream >= 0) where += fmt::format("{}stream {}", where.empty() ? "" : ", ", stream);
  return fmt::format("{}{}{} failed: {}", where, where.empty() ? "" : ": ", call,
                     error_text(averror));
}
}  // namespace

AvError::AvError(int averror, std::string call, std::string file, int stream)
    : std::runtime_error(describe(averror, call, file, stream)),
      code_(averror),
      call_(std::move(call)),
      file_(std::move(file)),
      stream_(stream),
      reason_(error_text(averror)) {}

int check(int ret, const char* call, const std::string& file, int stream) {
  if (ret < 0) throw AvError(ret, call, file, stream);
  return ret;
}

}  // namespace mw::av
