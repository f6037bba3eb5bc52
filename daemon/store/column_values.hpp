#pragma once
// How every JobStore implementation encodes values in its columns (store-neutral, shared by the
// SQLite and PostgreSQL stores): the ErrorDetails JSON column, signing keys as hex, and the
// $skip/$top bounds.

#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"

namespace mw::store {

/// The largest $top (AMS: at most 1000 entities per answer).
inline constexpr int kMaxTop = 1000;

/// skip >= 0 and 0 <= top <= kMaxTop.
Page clamp(Page page);

/// The ErrorDetails JSON column text back as ErrorDetails.
/// @throws StoreError Unavailable naming the task when the text is not such JSON
std::vector<runtime::ErrorDetail> parse_error_details(const std::string& text,
                                                      const std::string& task_id);
/// The ErrorDetails JSON column text: [{"Code":"...","Message":"..."}, ...].
std::string error_details_json(const std::vector<runtime::ErrorDetail>& details);

/// A JSON array of strings (TaskRequirements encoders and tags), and back.
/// @throws StoreError Unavailable when the text is not such an array
std::string string_array_json(const std::vector<std::string>& items);
std::vector<std::string> parse_string_array(const std::string& text);

/// A worker's capabilities as the JSON of its row, and back:
/// {"max_long_edge":1920,"max_short_edge":1080,"encoders":[...],"tags":[...]}.
/// @throws StoreError Unavailable when the text is not such JSON
std::string capabilities_json(const runtime::WorkerCapabilities& capabilities);
runtime::WorkerCapabilities parse_capabilities(const std::string& text);

/// claim_task's capability parameters: `any` 1 filters on the rest (a worker's capabilities),
/// 0 claims any task (no capabilities given).
struct ClaimFilter {
  explicit ClaimFilter(const runtime::WorkerCapabilities* capabilities);
  int any = 0;
  int long_edge = 0;
  int short_edge = 0;
  std::string encoders = "[]";
  std::string tags = "[]";
};

/// A NotificationEndPoint's signing key (raw bytes, NULs included) as lower-case hex, and back.
std::string to_hex(const std::string& bytes);
std::string from_hex(const std::string& hex);

}  // namespace mw::store
