#pragma once
// The error type of the libav wrapper boundary: a negative AVERROR turned into an exception that
// carries the av_strerror text, the libav call, the file and the stream index.
// AVERROR(EAGAIN) and AVERROR_EOF are control flow and are never thrown (see the callers).

#include <stdexcept>
#include <string>

namespace mw::av {

class AvError : public std::runtime_error {
 public:
  /// @param averror the negative AVERROR code libav returned
  /// @param call    the libav function, e.g. "avformat_open_input"
  /// @param file    the media file concerned (may be empty)
  /// @param stream  the stream index, or -1 when the error is not about one stream
  AvError(int averror, std::string call, std::string file, int stream);

  int code() const { return code_; }
  const std::string& call() const { return call_; }
  const std::string& file() const { return file_; }
  int stream() const { return stream_; }
  /// The av_strerror text, e.g. "Invalid data found when processing input".
  const std::string& reason() const { return reason_; }

 private:
  int code_;
  std::string call_;
  std::string file_;
  int stream_;
  std::string reason_;
};

/// The av_strerror text of an AVERROR code.
std::string error_text(int averror);

/// Returns `ret` when it is >= 0, otherwise throws AvError(ret, call, file, stream).
int check(int ret, const char* call, const std::string& file = {}, int stream = -1);

}  // namespace mw::av
