#pragma once
// The AMS v2 entities as the client reads them (AMS-V2-REFERENCE.md §0, §1, §3, §4): Job, Task,
// Asset, AssetFile, parsed from OData JSON. Verbose ({"d":...}) and light ({"value":[...]}) shapes
// are both read, as are both date forms ("\/Date(ms)\/" and ISO 8601).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mw::client {

/// Job and Task State: the AMS JobState values (tasks use them too, AMS-V2-REFERENCE.md §1).
enum class State : int {
  Queued = 0,
  Scheduled = 1,
  Processing = 2,
  Finished = 3,
  Error = 4,
  Canceled = 5,
  Canceling = 6,
};

/// "Queued", "Scheduled", ..., "Canceling"; "State <n>" for a value outside 0-6.
std::string state_name(State state);
/// Finished, Error and Canceled are final (NETSDK JobState).
bool is_final(State state);

/// AMS ErrorDetail.
struct ErrorDetail {
  std::string code;  ///< e.g. "ErrorParsingConfiguration"
  std::string message;
};

/// AMS TaskHistoricalEvent.
struct HistoricalEvent {
  std::string code;  ///< e.g. "Processing"
  std::string message;
  std::string timestamp;  ///< UTC, "YYYY-MM-DDTHH:MM:SSZ" (see odata_date)
};

/// AMS Job (the properties the client shows). Dates are odata_date strings, "" when null.
struct Job {
  std::string id;  ///< nb:jid:UUID:...
  std::string name;
  State state = State::Queued;
  int priority = 0;
  std::string created, last_modified, start_time, end_time;
  double running_duration_s = 0;  ///< RunningDuration, seconds (DESIGN.md)
};

/// AMS Task.
struct Task {
  std::string id;  ///< nb:tid:UUID:...
  std::string name;
  std::string configuration;  ///< preset name or inline preset
  std::string media_processor_id;
  State state = State::Queued;
  double progress = 0;            ///< 0-100
  double running_duration_s = 0;  ///< seconds
  std::string start_time, end_time;
  std::string perf_message;
  std::vector<ErrorDetail> error_details;
  std::vector<HistoricalEvent> historical_events;
};

/// AMS Asset.
struct Asset {
  std::string id;  ///< nb:cid:UUID:...
  std::string name;
  int state = 0;  ///< Initialized 0, Published 1, Deleted 2
  std::string created;
};

/// AMS AssetFile (entity set "Files").
struct AssetFile {
  std::string id;  ///< nb:cid:UUID:...
  std::string name;
  std::string parent_asset_id;
  std::string mime_type;
  int64_t content_file_size = 0;  ///< bytes (a string in verbose JSON, a number in light)
  bool is_primary = false;
};

/// The entity of a single-entity answer: body["d"] (verbose) or the body itself (light).
/// @throws std::invalid_argument when the body is not a JSON object
const nlohmann::json& entity_of(const nlohmann::json& body);
/// The entities of a collection answer: {"d":{"results":[...]}}, {"d":[...]} or {"value":[...]}.
/// @throws std::invalid_argument for any other shape
const nlohmann::json& results_of(const nlohmann::json& body);

/// Each parser reads one entity object; absent or null properties keep their defaults.
/// @throws std::invalid_argument when `entity` is not an object or has no string "Id"
Job parse_job(const nlohmann::json& entity);
Task parse_task(const nlohmann::json& entity);
Asset parse_asset(const nlohmann::json& entity);
AssetFile parse_asset_file(const nlohmann::json& entity);

/// An OData date as "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds): "\/Date(1587084991763)\/" (ms
/// since the epoch, optional "+hhmm" offset ignored), an ISO 8601 string (fraction dropped), or a
/// number of ms. "" for null, absent or an unreadable value.
std::string odata_date(const nlohmann::json& value);

}  // namespace mw::client
