#include "daemon/api/request_body.hpp"

#include <fmt/format.h>


#include "daemon/api/api_error.hpp"
#include "daemon/api/json_fields.hpp"
#include "daemon/api/uri.hpp"
#include "daemon/runtime/storage.hpp"

namespace mw::api {

using namespace json_fields;

namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxAssetNameLength = 512;  // Asset.Name (AMS REFDOC)

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
  check_empty_array(body, "JobNotificationSubscriptions", "",
                    "job notification subscriptions are not supported on POST /api/Jobs yet");
  runtime::JobRequest request;
  request.name = get_string(body, "Name", "").value_or("");
  check_length(request.name, kMaxNameLength, "Name");
  request.priority = get_int32(body, "Priority", "").value_or(0);
  request.input_asset_ids = input_assets(body);
  request.template_id = get_string(body, "TemplateId", "").value_or("");
  if (const Json* tasks = get_array(body, "Tasks", "")) {
    for (size_t i = 0; i < tasks->size(); ++i)
      request.tasks.push_back(parse_task((*tasks)[i], fmt::format("Tasks[{}]", i)));
  }
  return request;
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
