#include "daemon/api/request_body.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <span>

#include "daemon/api/api_error.hpp"
#include "daemon/api/uri.hpp"
#include "daemon/runtime/storage.hpp"

namespace mw::api {

namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxNameLength = 4000;      // Job.Name, Task.Name (AMS REFDOC)
constexpr size_t kMaxAssetNameLength = 512;  // Asset.Name (AMS REFDOC)
constexpr std::string_view kParsingFailed = "Parsing request content failed due to: ";

using Names = std::span<const std::string_view>;

// The properties of each type this service takes, and the read-only ones clients may echo back.
constexpr std::string_view kJobProperties[] = {"Name",
                                               "Priority",
                                               "InputMediaAssets",
                                               "InputMediaAssets@odata.bind",
                                               "Tasks",
                                               "TemplateId",
                                               "JobNotificationSubscriptions"};
constexpr std::string_view kJobReadOnly[] = {"Id",      "Created",          "LastModified",
                                             "EndTime", "StartTime",        "RunningDuration",
                                             "State",   "OutputMediaAssets"};
constexpr std::string_view kEncryption[] = {"EncryptionKeyId", "EncryptionScheme",
                                            "EncryptionVersion", "InitializationVector"};
constexpr std::string_view kTaskProperties[] = {"Name",
                                                "Configuration",
                                                "MediaProcessorId",
                                                "TaskBody",
                                                "Options",
                                                "Priority",
                                                "TaskNotificationSubscriptions",
                                                "EncryptionKeyId",
                                                "EncryptionScheme",
                                                "EncryptionVersion",
                                                "InitializationVector"};
constexpr std::string_view kTaskReadOnly[] = {"Id",
                                              "State",
                                              "Progress",
                                              "RunningDuration",
                                              "StartTime",
                                              "EndTime",
                                              "PerfMessage",
                                              "ErrorDetails",
                                              "HistoricalEvents",
                                              "InputMediaAssets",
                                              "OutputMediaAssets"};
constexpr std::string_view kAssetProperties[] = {"Name", "Options", "AlternateId",
                                                 "StorageAccountName", "FormatOption"};
constexpr std::string_view kAssetReadOnly[] = {"Id", "State", "Created", "LastModified", "Uri"};
constexpr std::string_view kFileProperties[] = {"Name",
                                                "ParentAssetId",
                                                "IsPrimary",
                                                "MimeType",
                                                "ContentFileSize",
                                                "ContentChecksum",
                                                "Options",
                                                "IsEncrypted",
                                                "EncryptionScheme",
                                                "EncryptionVersion",
                                                "EncryptionKeyId",
                                                "InitializationVector"};
constexpr std::string_view kFileReadOnly[] = {"Id", "Created", "LastModified"};
constexpr std::string_view kPriority[] = {"Priority"};

bool contains(Names names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string join_field(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : fmt::format("{}.{}", prefix, name);
}

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
    default:
      return "a number";
  }
}

[[noreturn]] void wrong_type(std::string_view field, std::string_view expected, const Json& v) {
  throw bad_request(fmt::format("{}: expected {}, got {}", field, expected, type_name(v)));
}

// Rejects properties that are neither `known` nor `ignored` (read-only ones clients echo back)
// nor OData annotations ("__metadata", "odata.*", "Name@odata.type").
void check_properties(const Json& object, std::string_view type, std::string_view prefix,
                      Names known, Names ignored) {
  for (const auto& [name, value] : object.items()) {
    if (contains(known, name) || contains(ignored, name)) continue;
    if (name == "__metadata" || name.rfind("odata.", 0) == 0) continue;
    if (name.find("@odata.") != std::string::npos && name.find("@odata.bind") == std::string::npos)
      continue;
    throw bad_request(fmt::format(
        "{}Make sure to only use property names that are defined by the type: '{}' is not a "
        "property of Microsoft.Cloud.Media.Vod.Rest.Data.Models.{}",
        kParsingFailed, join_field(prefix, name), type));
  }
}

const Json* member(const Json& object, std::string_view name) {
  const auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> get_string(const Json& object, std::string_view name,
                                      std::string_view prefix) {
  const Json* v = member(object, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(join_field(prefix, name), "an Edm.String", *v);
  return v->get<std::string>();
}

std::optional<int> get_int32(const Json& object, std::string_view name, std::string_view prefix) {
  const Json* v = member(object, name);
  if (!v) return std::nullopt;
  const std::string field = join_field(prefix, name);
  if (v->is_number_unsigned()) {
    if (v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int>::max()))
      throw bad_request(fmt::format("{}: {} is out of the Edm.Int32 range", field, v->dump()));
    return static_cast<int>(v->get<uint64_t>());
  }
  if (!v->is_number_integer()) wrong_type(field, "an Edm.Int32", *v);
  const int64_t value = v->get<int64_t>();
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
    throw bad_request(fmt::format("{}: {} is out of the Edm.Int32 range", field, value));
  return static_cast<int>(value);
}

std::optional<bool> get_bool(const Json& object, std::string_view name, std::string_view prefix) {
  const Json* v = member(object, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) wrong_type(join_field(prefix, name), "an Edm.Boolean", *v);
  return v->get<bool>();
}

const Json* get_array(const Json& object, std::string_view name, std::string_view prefix) {
  const Json* v = member(object, name);
  if (v && !v->is_array()) wrong_type(join_field(prefix, name), "an array", *v);
  return v;
}

void check_length(const std::string& value, size_t max, std::string_view field) {
  if (value.size() > max)
    throw bad_request(fmt::format("{}: longer than {} characters", field, max));
}

// Encryption properties may only be absent, null or empty (and EncryptionScheme "None", which
// AMS itself reports for clear configurations): this service stores nothing encrypted.
void check_unencrypted(const Json& object, std::string_view prefix, Names names) {
  for (const auto name : names) {
    const auto value = get_string(object, name, prefix);
    if (!value || value->empty() || (name == "EncryptionScheme" && *value == "None")) continue;
    throw bad_request(
        fmt::format("{}: encryption is not supported by this service", join_field(prefix, name)));
  }
}

// An optional array property that this service does not support unless it is empty.
void check_empty_array(const Json& object, std::string_view name, std::string_view prefix,
                       std::string_view why) {
  const Json* v = get_array(object, name, prefix);
  if (v && !v->empty()) throw bad_request(fmt::format("{}: {}", join_field(prefix, name), why));
}

std::string asset_link_id(const Json& link, const std::string& field) {
  if (!link.is_string()) wrong_type(field, "a link to an Asset", link);
  try {
    return entity_id_from_link(link.get<std::string>(), "Assets");
  } catch (const UriError& e) {
    throw bad_request(fmt::format("{}: {}", field, e.what()));
  }
}

std::vector<std::string> input_assets(const Json& body) {
  const Json* verbose = get_array(body, "InputMediaAssets", "");
  const Json* bind = get_array(body, "InputMediaAssets@odata.bind", "");
  if (verbose && bind)
    throw bad_request(
        "InputMediaAssets: give either InputMediaAssets or "
        "InputMediaAssets@odata.bind, not both");
  std::vector<std::string> ids;
  if (verbose) {
    for (size_t i = 0; i < verbose->size(); ++i) {
      const std::string field = fmt::format("InputMediaAssets[{}]", i);
      const Json& element = (*verbose)[i];
      if (!element.is_object()) wrong_type(field, R"({"__metadata":{"uri":...}})", element);
      const Json* metadata = member(element, "__metadata");
      if (!metadata || !metadata->is_object() || !member(*metadata, "uri"))
        throw bad_request(fmt::format(
            R"x({}: expected {{"__metadata":{{"uri":".../Assets('<Id>')"}}}})x", field));
      ids.push_back(asset_link_id((*metadata)["uri"], field + ".__metadata.uri"));
    }
  }
  if (bind) {
    for (size_t i = 0; i < bind->size(); ++i)
      ids.push_back(asset_link_id((*bind)[i], fmt::format("InputMediaAssets@odata.bind[{}]", i)));
  }
  return ids;
}

runtime::TaskRequest parse_task(const Json& task, const std::string& prefix) {
  if (!task.is_object()) wrong_type(prefix, "a Task object", task);
  check_properties(task, "Task", prefix, kTaskProperties, kTaskReadOnly);
  check_unencrypted(task, prefix, kEncryption);
  check_empty_array(task, "TaskNotificationSubscriptions", prefix,
                    "task notification subscriptions are not supported yet");
  runtime::TaskRequest request;
  request.name = get_string(task, "Name", prefix).value_or("");
  check_length(request.name, kMaxNameLength, join_field(prefix, "Name"));
  request.configuration = get_string(task, "Configuration", prefix).value_or("");
  request.media_processor_id = get_string(task, "MediaProcessorId", prefix).value_or("");
  request.task_body = get_string(task, "TaskBody", prefix).value_or("");
  request.options = get_int32(task, "Options", prefix).value_or(0);
  request.priority = get_int32(task, "Priority", prefix).value_or(0);
  return request;
}

}  // namespace

Json parse_json_object(std::string_view body) {
  Json value;
  try {
    const Json::parser_callback_t limit_depth = [](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxDepth)
        throw bad_request(
            fmt::format("{}JSON nested deeper than {} levels", kParsingFailed, kMaxDepth));
      return true;
    };
    value = Json::parse(body.begin(), body.end(), limit_depth);
  } catch (const Json::exception& e) {
    throw bad_request(fmt::format("{}{}", kParsingFailed, e.what()));
  }
  if (!value.is_object())
    throw bad_request(
        fmt::format("{}the body must be a JSON object, not {}", kParsingFailed, type_name(value)));
  return value;
}

runtime::JobRequest parse_job_request(const Json& body) {
  check_properties(body, "Job", "", kJobProperties, kJobReadOnly);
  if (const auto template_id = get_string(body, "TemplateId", "");
      template_id && !template_id->empty())
    throw bad_request("TemplateId: JobTemplates are not supported by this service; give the Tasks");
  check_empty_array(body, "JobNotificationSubscriptions", "",
                    "job notification subscriptions are not supported on POST /api/Jobs yet");
  runtime::JobRequest request;
  request.name = get_string(body, "Name", "").value_or("");
  check_length(request.name, kMaxNameLength, "Name");
  request.priority = get_int32(body, "Priority", "").value_or(0);
  request.input_asset_ids = input_assets(body);
  if (const Json* tasks = get_array(body, "Tasks", "")) {
    for (size_t i = 0; i < tasks->size(); ++i)
      request.tasks.push_back(parse_task((*tasks)[i], fmt::format("Tasks[{}]", i)));
  }
  return request;
}

runtime::TaskRequest parse_task_request(const Json& body, const std::string& field) {
  return parse_task(body, field);
}

std::optional<int> parse_job_update(const Json& body) {
  for (const auto& [name, value] : body.items()) {
    if (name != "Priority" && (contains(kJobProperties, name) || contains(kJobReadOnly, name)))
      throw bad_request(
          fmt::format("{}: Job.{} is write-once; only Priority can be updated", name, name));
  }
  check_properties(body, "Job", "", kPriority, {});
  return get_int32(body, "Priority", "");
}

runtime::Asset parse_asset_create(const Json& body, runtime::TimePoint now) {
  check_properties(body, "Asset", "", kAssetProperties, kAssetReadOnly);
  runtime::Asset asset;
  asset.id = runtime::new_id(runtime::kAssetIdPrefix);
  asset.name = get_string(body, "Name", "").value_or("");
  check_length(asset.name, kMaxAssetNameLength, "Name");
  asset.alternate_id = get_string(body, "AlternateId", "").value_or("");
  check_length(asset.alternate_id, kMaxNameLength, "AlternateId");
  asset.storage_account_name = get_string(body, "StorageAccountName", "").value_or("");
  asset.options = get_int32(body, "Options", "").value_or(0);
  if (asset.options != 0)
    throw bad_request(
        fmt::format("Options: {} is not supported; storage encryption is not "
                    "available on this service (use None 0)",
                    asset.options));
  asset.format_option = get_int32(body, "FormatOption", "").value_or(0);
  if (asset.format_option != 0 && asset.format_option != 1)
    throw bad_request(
        fmt::format("FormatOption: {} is not None 0 or AdaptiveStreaming 1", asset.format_option));
  asset.created = asset.last_modified = now;
  return asset;
}

runtime::AssetFile parse_asset_file_create(const Json& body, runtime::TimePoint now) {
  check_properties(body, "AssetFile", "", kFileProperties, kFileReadOnly);
  check_unencrypted(body, "", kEncryption);
  if (get_bool(body, "IsEncrypted", "").value_or(false))
    throw bad_request("IsEncrypted: encryption is not supported by this service");
  if (get_int32(body, "Options", "").value_or(0) != 0)
    throw bad_request("Options: only None 0 is supported for AssetFiles");
  get_string(body, "ContentChecksum", "");  // type-checked; the service does not keep it
  if (const Json* size = member(body, "ContentFileSize");
      size && !size->is_string() && !size->is_number_integer())
    wrong_type("ContentFileSize", "an Edm.Int64", *size);  // set by the upload, so ignored

  runtime::AssetFile file;
  file.id = runtime::new_id(runtime::kAssetIdPrefix);
  const auto name = get_string(body, "Name", "");
  if (!name) throw bad_request("Name: required (the file's name in the asset)");
  if (!runtime::Storage::valid_file_name(*name))
    throw bad_request(
        fmt::format("Name: '{}' is not a valid AssetFile name (1 to 260 characters, "
                    "no '/' or '\\', not starting with '.')",
                    *name));
  file.name = *name;
  const auto parent = get_string(body, "ParentAssetId", "");
  if (!parent || parent->empty()) throw bad_request("ParentAssetId: required (the Asset's Id)");
  file.parent_asset_id = *parent;
  file.is_primary = get_bool(body, "IsPrimary", "").value_or(false);
  file.mime_type = get_string(body, "MimeType", "").value_or("");
  check_length(file.mime_type, kMaxNameLength, "MimeType");
  file.created = file.last_modified = now;
  return file;
}

}  // namespace mw::api
