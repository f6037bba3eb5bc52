#include "encoders/encode_error.hpp"

namespace mw::encoders {

const char* ams_error_code(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::InputUnreadable: return "ErrorDownloadingInputAssetMalformedContent";
    case ErrorCategory::MalformedContent: return "ErrorExecutingTaskMalformedContent";
    case ErrorCategory::UnsupportedFormat: return "ErrorExecutingTaskUnsupportedFormat";
    case ErrorCategory::Configuration: return "ErrorParsingConfiguration";
    case ErrorCategory::Output: return "ErrorUploadingOutputAsset";
    case ErrorCategory::Processing: return "ErrorProcessingTask";
    case ErrorCategory::Canceled: return "ErrorCancelingTask";
  }
  return "Unknown";
}

}  // namespace mw::encoders
