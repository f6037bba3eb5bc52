#include "daemon/api/request_body.hpp"

#include <fmt/format.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include <memory>


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
                                                "RequiredWorkerTags",  // extension: docs/farm.md
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
constexpr std::string_view kEndPointProperties[] = {
    "Name",        "EndPointType",   "EndPointAddress",   "CredentialType",
    "SigningKey",  "EncryptedEndPointCredential", "ProtectionKeyId", "ProtectionKeyType"};
constexpr std::string_view kEndPointReadOnly[] = {"Id", "Created"};
constexpr std::string_view kName[] = {"Name"};

// JobNotificationSubscriptions / TaskNotificationSubscriptions: an array of
// {"NotificationEndPointId", "TargetJobState"|"TargetTaskState", "IncludeTaskProgress"} (verbose
// JSON may wrap it as {"results":[...]}). AMS-V2-REFERENCE.md §6: a target state of 0 is refused.
std::vector<runtime::NotificationSubscription> parse_subscriptions(const Json& object,
                                                                   std::string_view name,
                                                                   std::string_view prefix,
                                                                   bool task) {
  const Json* v = member(object, name);
  if (!v) return {};
  const std::string field = join_field(prefix, name);
  if (v->is_object() && member(*v, "results")) v = &(*v)["results"];
  if (!v->is_array()) wrong_type(field, "an array of subscriptions", *v);
  const std::string_view target_name = task ? "TargetTaskState" : "TargetJobState";
  const std::string_view type =
      task ? "TaskNotificationSubscription" : "JobNotificationSubscription";
  const std::string_view known_job[] = {"NotificationEndPointId", "TargetJobState"};
  const std::string_view known_task[] = {"NotificationEndPointId", "TargetTaskState",
                                         "IncludeTaskProgress"};
  std::vector<runtime::NotificationSubscription> subscriptions;
  for (size_t i = 0; i < v->size(); ++i) {
    const std::string element_field = fmt::format("{}[{}]", field, i);
    const Json& element = (*v)[i];
    if (!element.is_object()) wrong_type(element_field, "a subscription object", element);
    check_properties(element, type, element_field, task ? Names(known_task) : Names(known_job),
                     {});
    runtime::NotificationSubscription subscription;
    subscription.notification_endpoint_id =
        get_string(element, "NotificationEndPointId", element_field).value_or("");
    if (subscription.notification_endpoint_id.empty())
      throw bad_request(fmt::format("{}.NotificationEndPointId: required", element_field));
    const auto target = get_int32(element, target_name, element_field);
    if (!target)
      throw bad_request(fmt::format("{}.{}: required (FinalStatesOnly 1 or All 2)",
                                    element_field, target_name));
    if (*target == 0)
      throw bad_request(fmt::format("{}.{}: {}.{} must not be 0", element_field, target_name,
                                    type, target_name));
    if (*target != 1 && *target != 2)
      throw bad_request(fmt::format("{}.{}: {} is not FinalStatesOnly 1 or All 2", element_field,
                                    target_name, *target));
    subscription.target_state = static_cast<runtime::NotificationTarget>(*target);
    if (task)
      subscription.include_task_progress =
          get_bool(element, "IncludeTaskProgress", element_field).value_or(false);
    subscriptions.push_back(std::move(subscription));
  }
  return subscriptions;
}

// RequiredWorkerTags (a mediaworker extension, docs/farm.md): an array of strings (verbose JSON
// and Atom collections may wrap it as {"results":[...]}); JobService checks each tag's form.
std::vector<std::string> parse_worker_tags(const Json& object, std::string_view prefix) {
  const Json* v = member(object, "RequiredWorkerTags");
  if (!v || v->is_null()) return {};
  const std::string field = join_field(prefix, "RequiredWorkerTags");
  if (v->is_object() && member(*v, "results")) v = &(*v)["results"];
  if (!v->is_array()) wrong_type(field, "an array of worker tags", *v);
  std::vector<std::string> tags;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) wrong_type(fmt::format("{}[{}]", field, i), "a worker tag string", (*v)[i]);
    tags.push_back((*v)[i].get<std::string>());
  }
  return tags;
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
  runtime::TaskRequest request;
  request.name = get_string(task, "Name", prefix).value_or("");
  check_length(request.name, kMaxNameLength, join_field(prefix, "Name"));
  request.configuration = get_string(task, "Configuration", prefix).value_or("");
  request.media_processor_id = get_string(task, "MediaProcessorId", prefix).value_or("");
  request.task_body = get_string(task, "TaskBody", prefix).value_or("");
  request.options = get_int32(task, "Options", prefix).value_or(0);
  request.priority = get_int32(task, "Priority", prefix).value_or(0);
  request.notification_subscriptions =
      parse_subscriptions(task, "TaskNotificationSubscriptions", prefix, true);
  request.required_worker_tags = parse_worker_tags(task, prefix);
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
  runtime::JobRequest request;
  request.name = get_string(body, "Name", "").value_or("");
  check_length(request.name, kMaxNameLength, "Name");
  request.priority = get_int32(body, "Priority", "").value_or(0);
  request.input_asset_ids = input_assets(body);
  request.notification_subscriptions =
      parse_subscriptions(body, "JobNotificationSubscriptions", "", false);
  request.template_id = get_string(body, "TemplateId", "").value_or("");
  if (!request.template_id.empty() && member(body, "Tasks"))
    throw bad_request(
        "TemplateId: give either TemplateId or Tasks, not both (even an empty Tasks); a job "
        "created from a JobTemplate takes its tasks from the template's TaskTemplates");
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

namespace mw::api {

namespace {

// A signing key: base64 of exactly 64 bytes (the AMS webhook HMAC key size).
std::string decode_signing_key(const std::string& base64, const std::string& field) {
  std::string compact;
  for (const char c : base64)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact.push_back(c);
  if (compact.empty() || compact.size() % 4 != 0 || compact.size() > 1024)
    throw bad_request(fmt::format("{}: expected the base64 of a 64-byte key", field));
  std::string bytes(compact.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  size_t padding = 0;
  for (auto it = compact.rbegin(); it != compact.rend() && *it == '='; ++it) ++padding;
  if (n < 0 || padding > 2 || static_cast<size_t>(n) < padding)
    throw bad_request(fmt::format("{}: not valid base64", field));
  bytes.resize(static_cast<size_t>(n) - padding);
  if (bytes.size() != 64)
    throw bad_request(fmt::format("{}: the key is {} bytes; a signing key is 64 bytes (base64 "
                                  "of 64 random bytes, e.g. `openssl rand 64 | base64 -w0`)",
                                  field, bytes.size()));
  return bytes;
}

// An http:// or https:// URL that libcurl (which POSTs to it) parses: a host, a port in range,
// a well-formed IPv6 literal; no blanks, control characters or backslashes.
void check_webhook_url(const std::string& url) {
  const bool https = url.rfind("https://", 0) == 0;
  if (!https && url.rfind("http://", 0) != 0)
    throw bad_request(fmt::format(
        "EndPointAddress: '{}' is not an http:// or https:// URL (a WebHook endpoint's address "
        "is the URL its notifications are POSTed to)",
        url.substr(0, 200)));
  const std::string rest = url.substr(https ? 8 : 7);
  if (rest.empty() || rest[0] == '/' || rest[0] == ':' || rest[0] == '?')
    throw bad_request(fmt::format("EndPointAddress: '{}' has no host", url.substr(0, 200)));
  for (const unsigned char c : url)
    if (c <= 0x20 || c == 0x7f || c == '\\')
      throw bad_request(
          "EndPointAddress: a URL cannot contain blanks, control characters or backslashes");
  if (url.size() > 2048) throw bad_request("EndPointAddress: longer than 2048 characters");
  const std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), curl_url_cleanup);
  if (!parsed) throw std::bad_alloc();
  const CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0);
  char* host = nullptr;
  if (rc == CURLUE_OK && curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    const bool empty = host == nullptr || host[0] == '\0';
    curl_free(host);
    if (!empty) return;
  }
  throw bad_request(fmt::format("EndPointAddress: '{}' is not a valid URL: {}", url.substr(0, 200),
                                rc == CURLUE_OK ? "it has no host" : curl_url_strerror(rc)));
}

}  // namespace

runtime::NotificationEndPoint parse_notification_endpoint_create(const Json& body,
                                                                 runtime::TimePoint now) {
  check_properties(body, "NotificationEndPoint", "", kEndPointProperties, kEndPointReadOnly);
  runtime::NotificationEndPoint endpoint;
  endpoint.id = runtime::new_id(runtime::kNotificationEndPointIdPrefix);
  endpoint.created = now;
  endpoint.name = get_string(body, "Name", "").value_or("");
  if (endpoint.name.empty()) throw bad_request("Name: required");
  check_length(endpoint.name, kMaxNameLength, "Name");
  const auto type = get_int32(body, "EndPointType", "");
  if (!type) throw bad_request("EndPointType: required (WebHook 3)");
  if (*type == runtime::kEndPointTypeAzureQueue)
    throw bad_request(
        "EndPointType: AzureQueue 1 is not available: this on-premises service has no Azure "
        "queues; create a WebHook 3 endpoint whose EndPointAddress is your receiver's URL");
  if (*type != runtime::kEndPointTypeWebHook)
    throw bad_request(fmt::format("EndPointType: {} is not supported; only WebHook 3 is", *type));
  endpoint.endpoint_type = *type;
  endpoint.endpoint_address = get_string(body, "EndPointAddress", "").value_or("");
  if (endpoint.endpoint_address.empty()) throw bad_request("EndPointAddress: required");
  check_webhook_url(endpoint.endpoint_address);

  const auto key = get_string(body, "SigningKey", "");
  const auto encrypted = get_string(body, "EncryptedEndPointCredential", "");
  if (key && encrypted)
    throw bad_request(
        "SigningKey: give the key as SigningKey or as EncryptedEndPointCredential, not both");
  const std::string key_field = key ? "SigningKey" : "EncryptedEndPointCredential";
  const std::string key_text = key ? *key : encrypted.value_or("");
  const int credential = get_int32(body, "CredentialType", "")
                             .value_or(key_text.empty() ? runtime::kCredentialTypeNone
                                                        : runtime::kCredentialTypeSigningKey);
  if (credential == runtime::kCredentialTypeNone) {
    if (!key_text.empty())
      throw bad_request(fmt::format(
          "{}: a signing key needs CredentialType SigningKey 1 (CredentialType is None 0)",
          key_field));
  } else if (credential == runtime::kCredentialTypeSigningKey) {
    if (key_text.empty())
      throw bad_request(
          "SigningKey: CredentialType SigningKey 1 needs the key: SigningKey (or "
          "EncryptedEndPointCredential) = the base64 of 64 random bytes");
    endpoint.signing_key = decode_signing_key(key_text, key_field);
  } else {
    throw bad_request(fmt::format(
        "CredentialType: {} is not None 0 or SigningKey 1", credential));
  }
  endpoint.credential_type = credential;
  if (const auto protection = get_int32(body, "ProtectionKeyType", "");
      protection && *protection != 0)
    throw bad_request("ProtectionKeyType: only X509CertificateThumbprint 0 exists");
  return endpoint;
}

std::string parse_notification_endpoint_update(const Json& body) {
  for (const auto& [name, value] : body.items()) {
    if (name != "Name" &&
        (contains(kEndPointProperties, name) || contains(kEndPointReadOnly, name)))
      throw bad_request(fmt::format(
          "{}: NotificationEndPoint.{} is fixed after creation; only Name can be updated", name,
          name));
  }
  check_properties(body, "NotificationEndPoint", "", kName, {});
  const auto name = get_string(body, "Name", "");
  if (!name || name->empty()) throw bad_request("Name: required");
  check_length(*name, kMaxNameLength, "Name");
  return *name;
}

}  // namespace mw::api
