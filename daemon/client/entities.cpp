#include "daemon/client/entities.hpp"

#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <stdexcept>

namespace mw::client {

using nlohmann::json;

std::string state_name(State state) {
  switch (state) {
    case State::Queued:
      return "Queued";
    case State::Scheduled:
      return "Scheduled";
    case State::Processing:
      return "Processing";
    case State::Finished:
      return "Finished";
    case State::Error:
      return "Error";
    case State::Canceled:
      return "Canceled";
    case State::Canceling:
      return "Canceling";
  }
  return fmt::format("State {}", static_cast<int>(state));
}

bool is_final(State state) {
  return state == State::Finished || state == State::Error || state == State::Canceled;
}

namespace {

const json* find(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string get_string(const json& object, const char* key) {
  const json* v = find(object, key);
  if (v == nullptr) return {};
  return v->is_string() ? v->get<std::string>() : v->dump();
}

/// A number, or a number written as a string.
double get_number(const json& object, const char* key) {
  const json* v = find(object, key);
  if (v == nullptr) return 0;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    try {
      return std::stod(v->get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

/// An integer, or an integer written as a string (verbose JSON writes Edm.Int64 that way).
int64_t get_int64(const json& object, const char* key) {
  const json* v = find(object, key);
  if (v == nullptr) return 0;
  if (v->is_number()) return v->get<int64_t>();
  if (v->is_string()) {
    try {
      return std::stoll(v->get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

bool get_bool(const json& object, const char* key) {
  const json* v = find(object, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

/// A verbose collection property ({"__metadata":..., "results":[...]}) or a plain array.
const json& collection(const json& object, const char* key) {
  static const json kEmpty = json::array();
  const json* v = find(object, key);
  if (v == nullptr) return kEmpty;
  if (v->is_array()) return *v;
  if (v->is_object()) {
    const json* results = find(*v, "results");
    if (results != nullptr && results->is_array()) return *results;
  }
  return kEmpty;
}

void require_id(const json& entity, const char* kind) {
  if (!entity.is_object())
    throw std::invalid_argument(fmt::format("a {} is not a JSON object", kind));
  const json* id = find(entity, "Id");
  if (id == nullptr || !id->is_string() || id->get<std::string>().empty())
    throw std::invalid_argument(fmt::format("a {} has no Id", kind));
}

State get_state(const json& object) {
  return static_cast<State>(static_cast<int>(get_number(object, "State")));
}

std::string format_utc(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return {};
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return {};
  return text;
}

}  // namespace

const json& entity_of(const json& body) {
  if (!body.is_object()) throw std::invalid_argument("the answer is not a JSON object");
  const json* d = find(body, "d");
  if (d == nullptr) return body;
  if (!d->is_object()) throw std::invalid_argument("\"d\" is not a JSON object");
  return *d;
}

const json& results_of(const json& body) {
  if (body.is_object()) {
    if (const json* d = find(body, "d")) {
      if (d->is_array()) return *d;
      if (d->is_object())
        if (const json* results = find(*d, "results"); results != nullptr && results->is_array())
          return *results;
    }
    if (const json* value = find(body, "value"); value != nullptr && value->is_array())
      return *value;
  }
  throw std::invalid_argument("the answer is not an OData collection (no d.results or value)");
}

std::string odata_date(const json& value) {
  if (value.is_number()) return format_utc(value.get<int64_t>());
  if (!value.is_string()) return {};
  const std::string text = value.get<std::string>();
  if (text.rfind("/Date(", 0) == 0) {
    size_t pos = 6;
    if (pos < text.size() && text[pos] == '-') ++pos;
    const size_t digits_end = text.find_first_not_of("0123456789", pos);
    if (digits_end == pos || digits_end == std::string::npos) return {};
    try {
      return format_utc(std::stoll(text.substr(6, digits_end - 6)));
    } catch (const std::exception&) {
      return {};
    }
  }
  // ISO 8601: keep "YYYY-MM-DDTHH:MM:SS", drop any fraction, keep the zone ("Z" when none).
  if (text.size() < 19 || text[4] != '-' || text[10] != 'T') return text;
  size_t rest = 19;
  if (rest < text.size() && text[rest] == '.') {
    ++rest;
    while (rest < text.size() && std::isdigit(static_cast<unsigned char>(text[rest])) != 0) ++rest;
  }
  const std::string zone = text.substr(rest);
  return text.substr(0, 19) + (zone.empty() ? "Z" : zone);
}

Job parse_job(const json& entity) {
  require_id(entity, "Job");
  Job job;
  job.id = get_string(entity, "Id");
  job.name = get_string(entity, "Name");
  job.state = get_state(entity);
  job.priority = static_cast<int>(get_number(entity, "Priority"));
  job.created = odata_date(entity.value("Created", json()));
  job.last_modified = odata_date(entity.value("LastModified", json()));
  job.start_time = odata_date(entity.value("StartTime", json()));
  job.end_time = odata_date(entity.value("EndTime", json()));
  job.running_duration_s = get_number(entity, "RunningDuration");
  return job;
}

Task parse_task(const json& entity) {
  require_id(entity, "Task");
  Task task;
  task.id = get_string(entity, "Id");
  task.name = get_string(entity, "Name");
  task.configuration = get_string(entity, "Configuration");
  task.media_processor_id = get_string(entity, "MediaProcessorId");
  task.state = get_state(entity);
  task.progress = get_number(entity, "Progress");
  task.running_duration_s = get_number(entity, "RunningDuration");
  task.start_time = odata_date(entity.value("StartTime", json()));
  task.end_time = odata_date(entity.value("EndTime", json()));
  task.perf_message = get_string(entity, "PerfMessage");
  for (const json& e : collection(entity, "ErrorDetails"))
    if (e.is_object())
      task.error_details.push_back({get_string(e, "Code"), get_string(e, "Message")});
  for (const json& e : collection(entity, "HistoricalEvents"))
    if (e.is_object())
      task.historical_events.push_back({get_string(e, "Code"), get_string(e, "Message"),
                                        odata_date(e.value("TimeStamp", json()))});
  return task;
}

Asset parse_asset(const json& entity) {
  require_id(entity, "Asset");
  Asset asset;
  asset.id = get_string(entity, "Id");
  asset.name = get_string(entity, "Name");
  asset.state = static_cast<int>(get_number(entity, "State"));
  asset.created = odata_date(entity.value("Created", json()));
  return asset;
}

AssetFile parse_asset_file(const json& entity) {
  require_id(entity, "AssetFile");
  AssetFile file;
  file.id = get_string(entity, "Id");
  file.name = get_string(entity, "Name");
  file.parent_asset_id = get_string(entity, "ParentAssetId");
  file.mime_type = get_string(entity, "MimeType");
  file.content_file_size = get_int64(entity, "ContentFileSize");
  file.is_primary = get_bool(entity, "IsPrimary");
  return file;
}

}  // namespace mw::client
