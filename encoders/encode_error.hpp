#pragma once
// The error of the encoding engine's interface. Each category maps to one AMS ErrorDetail Code
// (AMS-V2-REFERENCE.md §1, "ErrorDetail"); the message names the file, the stream and the cause.

#include <stdexcept>
#include <string>

namespace mw::encoders {

enum class ErrorCategory {
  InputUnreadable,    ///< missing, empty, not media, no moov: ErrorDownloadingInputAssetMalformedContent
  MalformedContent,   ///< the input decodes partly (ended early, corrupt): ErrorExecutingTaskMalformedContent
  UnsupportedFormat,  ///< no decoder, or the input lacks what the preset needs: ErrorExecutingTaskUnsupportedFormat
  Configuration,      ///< the preset cannot be applied: ErrorParsingConfiguration
  Output,             ///< writing the output failed (disk full, permissions): ErrorUploadingOutputAsset
  Processing,         ///< anything else in the pipeline: ErrorProcessingTask
  Canceled,           ///< the stop token was triggered (not an AMS error; the task is Canceled)
};

/// The AMS ErrorDetail Code of a category, e.g. "ErrorExecutingTaskMalformedContent".
const char* ams_error_code(ErrorCategory category);

class EncodeError : public std::runtime_error {
 public:
  EncodeError(ErrorCategory category, const std::string& message)
      : std::runtime_error(message), category_(category) {}
  ErrorCategory category() const { return category_; }

 private:
  ErrorCategory category_;
};

}  // namespace mw::encoders
