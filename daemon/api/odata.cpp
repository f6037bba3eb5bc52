#include "daemon/api/odata.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "daemon/api/uri.hpp"

namespace mw::api {

namespace {

constexpr std::string_view kModels = "Microsoft.Cloud.Media.Vod.Rest.Data.Models.";

bool verbose(const ODataContext& ctx) {
  return ctx.format == Format::Verbose;
}

// An optional AMS string: null when empty (TemplateId, AlternateId, MimeType, ...).
Json string_or_null(const std::string& value) {
  return value.empty() ? Json(nullptr) : Json(value);
}

// Edm.Int64 is a JSON string in OData v3 (verbose and light).
Json int64_value(int64_t value) {
  return std::to_string(value);
}

// Starts an entity: in verbose its __metadata and the {"__deferred":...} link of each
// navigation property; in light nothing.
Json begin_entity(const ODataContext& ctx, const EntitySet& set, std::string_view id,
                  std::initializer_list<std::string_view> navigation) {
  Json entity = Json::object();
  if (!verbose(ctx)) return entity;
  const std::string uri = entity_uri(ctx, set, id);
  entity["__metadata"] = {{"id", uri}, {"uri", uri}, {"type", set.type}};
  for (const auto nav : navigation)
    entity[std::string(nav)] = {{"__deferred", {{"uri", uri + "/" + std::string(nav)}}}};
  return entity;
}

// A collection of complex values: {"__metadata":{"type":"Collection(T)"},"results":[...]} in
// verbose, a plain array in light.
Json complex_collection(const ODataContext& ctx, std::string_view type, Json elements) {
  if (!verbose(ctx)) return elements;
  return {{"__metadata", {{"type", fmt::format("Collection({}{})", kModels, type)}}},
          {"results", std::move(elements)}};
}

// file:///srv/assets/asset-<guid> (path bytes outside the unreserved set and '/' escaped).
std::string file_uri(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(dir, ec);
  if (ec) absolute = dir;
  std::string out = "file://";
  for (const char c : absolute.generic_string())
    out += c == '/' ? std::string("/") : percent_encode({&c, 1});
  return out;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

}  // namespace

Format format_from_accept(std::string_view accept) {
  return accept.find("odata=verbose") != std::string_view::npos ? Format::Verbose : Format::Light;
}

std::string entity_uri(const ODataContext& ctx, const EntitySet& set, std::string_view id) {
  return fmt::format("{}{}('{}')", ctx.base, set.name, percent_encode(id));
}

int64_t epoch_ms(runtime::TimePoint t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Json date_value(const ODataContext& ctx, runtime::TimePoint t) {
  if (verbose(ctx)) return fmt::format("/Date({})/", epoch_ms(t));
  return iso8601(t);
}

Json date_value(const ODataContext& ctx, const std::optional<runtime::TimePoint>& t) {
  return t ? date_value(ctx, *t) : Json(nullptr);
}

Json job_entity(const ODataContext& ctx, const runtime::Job& job) {
  Json e = begin_entity(ctx, kJobs, job.id, {"Tasks", "OutputMediaAssets", "InputMediaAssets"});
  e["Id"] = job.id;
  e["Name"] = job.name;
  e["Created"] = date_value(ctx, job.created);
  e["LastModified"] = date_value(ctx, job.last_modified);
  e["EndTime"] = date_value(ctx, job.end_time);
  e["Priority"] = job.priority;
  e["RunningDuration"] = job.running_duration_s;
  e["StartTime"] = date_value(ctx, job.start_time);
  e["State"] = static_cast<int>(job.state);
  e["TemplateId"] = string_or_null(job.template_id);
  Json subscriptions = Json::array();
  for (const auto& s : job.notification_subscriptions)
    subscriptions.push_back({{"NotificationEndPointId", s.notification_endpoint_id},
                             {"TargetJobState", static_cast<int>(s.target_state)}});
  e["JobNotificationSubscriptions"] =
      complex_collection(ctx, "JobNotificationSubscription", std::move(subscriptions));
  return e;
}

Json task_entity(const ODataContext& ctx, const runtime::Task& task) {
  Json e = begin_entity(ctx, kTasks, task.id, {"OutputMediaAssets", "InputMediaAssets"});
  Json errors = Json::array();
  for (const auto& d : task.error_details)
    errors.push_back({{"Code", d.code}, {"Message", d.message}});
  Json events = Json::array();
  for (const auto& h : task.historical_events)
    events.push_back(
        {{"Code", h.code}, {"Message", h.message}, {"TimeStamp", date_value(ctx, h.timestamp)}});
  e["Id"] = task.id;
  e["Configuration"] = task.configuration;
  e["EndTime"] = date_value(ctx, task.end_time);
  e["ErrorDetails"] = complex_collection(ctx, "ErrorDetail", std::move(errors));
  e["HistoricalEvents"] = complex_collection(ctx, "TaskHistoricalEvent", std::move(events));
  e["MediaProcessorId"] = task.media_processor_id;
  e["Name"] = task.name;
  e["PerfMessage"] = string_or_null(task.perf_message);
  e["Priority"] = task.priority;
  e["Progress"] = task.progress;
  e["RunningDuration"] = task.running_duration_s;
  e["StartTime"] = date_value(ctx, task.start_time);
  e["State"] = static_cast<int>(task.state);
  e["TaskBody"] = task.task_body;
  e["Options"] = task.options;
  e["EncryptionKeyId"] = nullptr;
  e["EncryptionScheme"] = nullptr;
  e["EncryptionVersion"] = nullptr;
  e["InitializationVector"] = nullptr;
  Json subscriptions = Json::array();
  for (const auto& s : task.notification_subscriptions)
    subscriptions.push_back({{"NotificationEndPointId", s.notification_endpoint_id},
                             {"TargetTaskState", static_cast<int>(s.target_state)},
                             {"IncludeTaskProgress", s.include_task_progress}});
  e["TaskNotificationSubscriptions"] =
      complex_collection(ctx, "TaskNotificationSubscription", std::move(subscriptions));
  if (!task.requirements.tags.empty())  // extension (docs/farm.md): only when the client set it
    e["RequiredWorkerTags"] = task.requirements.tags;
  return e;
}

Json notification_endpoint_entity(const ODataContext& ctx,
                                  const runtime::NotificationEndPoint& endpoint) {
  Json e = begin_entity(ctx, kNotificationEndPoints, endpoint.id, {});
  e["Id"] = endpoint.id;
  e["Name"] = endpoint.name;
  e["Created"] = date_value(ctx, endpoint.created);
  e["EndPointType"] = endpoint.endpoint_type;
  e["EndPointAddress"] = endpoint.endpoint_address;
  e["CredentialType"] = endpoint.credential_type;
  // The signing key is never returned (the AMS property is write-only too).
  e["EncryptedEndPointCredential"] = nullptr;
  e["ProtectionKeyId"] = nullptr;
  e["ProtectionKeyType"] = 0;
  return e;
}

Json asset_entity(const ODataContext& ctx, const runtime::Asset& asset,
                  const runtime::Storage& storage) {
  Json e = begin_entity(ctx, kAssets, asset.id, {"Files"});
  e["Id"] = asset.id;
  e["State"] = asset.state;
  e["Created"] = date_value(ctx, asset.created);
  e["LastModified"] = date_value(ctx, asset.last_modified);
  e["AlternateId"] = string_or_null(asset.alternate_id);
  e["Name"] = asset.name;
  e["Options"] = asset.options;
  e["FormatOption"] = asset.format_option;
  e["Uri"] = file_uri(storage.asset_dir(asset.id));
  e["StorageAccountName"] = string_or_null(asset.storage_account_name);
  return e;
}

Json asset_file_entity(const ODataContext& ctx, const runtime::AssetFile& file) {
  Json e = begin_entity(ctx, kFiles, file.id, {});
  e["Id"] = file.id;
  e["Name"] = file.name;
  e["ContentFileSize"] = int64_value(file.content_file_size);
  e["ParentAssetId"] = file.parent_asset_id;
  e["EncryptionVersion"] = nullptr;
  e["EncryptionScheme"] = nullptr;
  e["IsEncrypted"] = false;
  e["EncryptionKeyId"] = nullptr;
  e["InitializationVector"] = nullptr;
  e["IsPrimary"] = file.is_primary;
  e["LastModified"] = date_value(ctx, file.last_modified);
  e["Created"] = date_value(ctx, file.created);
  e["MimeType"] = string_or_null(file.mime_type);
  e["ContentChecksum"] = nullptr;
  e["Options"] = 0;
  return e;
}

Json media_processor_entity(const ODataContext& ctx, const runtime::MediaProcessor& processor) {
  Json e = begin_entity(ctx, kMediaProcessors, processor.id, {});
  e["Id"] = processor.id;
  e["Description"] = processor.description;
  e["Name"] = processor.name;
  e["Sku"] = processor.sku;
  e["Vendor"] = processor.vendor;
  e["Version"] = processor.version;
  return e;
}

Json worker_entity(const ODataContext& ctx, const runtime::Worker& worker, runtime::TimePoint now) {
  Json e = begin_entity(ctx, kWorkers, worker.id, {});
  const auto& c = worker.capabilities;
  e["Id"] = worker.id;
  e["HostId"] = worker.host_id;
  e["ProcessId"] = worker.pid;
  e["Version"] = worker.version;
  e["Slots"] = worker.slots;
  e["LeaseSeconds"] = worker.lease_seconds;
  e["Started"] = date_value(ctx, worker.started);
  e["LastHeartbeat"] = date_value(ctx, worker.last_heartbeat);
  e["Alive"] = worker.last_heartbeat >= now - std::chrono::seconds(worker.lease_seconds);
  e["RunningTasks"] = worker.running_task_ids;
  e["MaxResolution"] = c.max_long_edge > 0 ? Json(fmt::format("{}x{}", c.max_long_edge, c.max_short_edge)) : Json();
  e["Encoders"] = c.encoders;
  e["Tags"] = c.tags;
  return e;
}

Json job_template_entity(const ODataContext& ctx, const runtime::JobTemplate& job_template) {
  Json e = begin_entity(ctx, kJobTemplates, job_template.id, {"TaskTemplates"});
  e["Id"] = job_template.id;
  e["Name"] = job_template.name;
  e["Created"] = date_value(ctx, job_template.created);
  e["LastModified"] = date_value(ctx, job_template.last_modified);
  e["JobTemplateBody"] = job_template.job_template_body;
  e["NumberofInputAssets"] = job_template.number_of_input_assets;
  e["TemplateType"] = job_template.template_type;
  return e;
}

Json task_template_entity(const ODataContext& ctx, const runtime::TaskTemplate& task_template) {
  Json e = begin_entity(ctx, kTaskTemplates, task_template.id, {});
  e["Id"] = task_template.id;
  e["Configuration"] = task_template.configuration;
  e["Created"] = date_value(ctx, task_template.created);
  e["Description"] = string_or_null(task_template.description);
  e["LastModified"] = date_value(ctx, task_template.last_modified);
  e["MediaProcessorId"] = task_template.media_processor_id;
  e["Name"] = task_template.name;
  e["NumberofInputAssets"] = task_template.number_of_input_assets;
  e["NumberofOutputAssets"] = task_template.number_of_output_assets;
  e["Options"] = task_template.options;
  e["EncryptionKeyId"] = nullptr;
  e["EncryptionScheme"] = nullptr;
  e["EncryptionVersion"] = nullptr;
  e["InitializationVector"] = nullptr;
  return e;
}

std::string entity_document(const ODataContext& ctx, const EntitySet& set, Json entity) {
  if (verbose(ctx)) return dump_json(Json{{"d", std::move(entity)}});
  Json doc = {{"odata.metadata", fmt::format("{}$metadata#{}/@Element", ctx.base, set.name)}};
  for (auto& [name, value] : entity.items()) doc[name] = std::move(value);
  return dump_json(doc);
}

std::string collection_document(const ODataContext& ctx, const EntitySet& set,
                                std::vector<Json> entities) {
  Json results(std::move(entities));
  if (!results.is_array()) results = Json::array();  // an empty vector converts to null
  if (verbose(ctx)) return dump_json(Json{{"d", {{"results", std::move(results)}}}});
  return dump_json(Json{{"odata.metadata", fmt::format("{}$metadata#{}", ctx.base, set.name)},
                        {"value", std::move(results)}});
}

std::string property_document(const ODataContext& ctx, std::string_view name,
                              std::string_view edm_type, Json value) {
  if (verbose(ctx)) return dump_json(Json{{"d", {{std::string(name), std::move(value)}}}});
  return dump_json(Json{{"odata.metadata", fmt::format("{}$metadata#{}", ctx.base, edm_type)},
                        {"value", std::move(value)}});
}

std::string error_document(std::string_view code, std::string_view message) {
  return dump_json(
      Json{{"error", {{"code", code}, {"message", {{"lang", "en-US"}, {"value", message}}}}}});
}

std::string dump_json(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  // "\/" is JSON's escape for "/": both rewrites leave every decoded value unchanged. The
  // patterns can only match at a string's first/last character (a quote inside a string is
  // written \"), so they touch exactly the dates and any user text that looks like one.
  replace_all(text, "\"/Date(", "\"\\/Date(");
  replace_all(text, ")/\"", ")\\/\"");
  return text;
}

}  // namespace mw::api
