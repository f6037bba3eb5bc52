#pragma once
// OData v3 JSON as AMS v2 answered it (AMS-V2-REFERENCE.md §0, §1, §4, §10):
//  - verbose (Accept: application/json;odata=verbose): {"d":{...}} for one entity,
//    {"d":{"results":[...]}} for a collection; each entity carries
//    "__metadata":{"id","uri","type"} and its navigation properties as {"__deferred":{"uri"}};
//    dates are "\/Date(<ms since the epoch>)\/" (what AMS 2.19 sent); Edm.Int64 is a string;
//    collections of complex types are {"__metadata":{"type":"Collection(T)"},"results":[...]}.
//  - light (application/json, or no Accept): {"odata.metadata":"<base>$metadata#Jobs",
//    "value":[...]} for a collection and {"odata.metadata":"<base>$metadata#Jobs/@Element", ...}
//    for one entity; dates are ISO 8601 UTC with milliseconds ("2024-05-01T12:00:00.123Z");
//    Edm.Int64 is a string too (the OData v3 JSON rule); no navigation links.
// Errors are {"error":{"code":"","message":{"lang":"en-US","value":"..."}}} in both flavours.

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/runtime/storage.hpp"

namespace mw::api {

using Json = nlohmann::ordered_json;

enum class Format { Light, Verbose };

/// The JSON flavour an Accept header asks for: Verbose when it names odata=verbose.
Format format_from_accept(std::string_view accept);

/// What every serialisation needs: the flavour and the service root ("http://<Host>/api/").
struct ODataContext {
  Format format = Format::Light;
  std::string base;  ///< ends with "/api/"
};

/// An entity set and the OData type of its entities.
struct EntitySet {
  std::string_view name;  ///< "Jobs"
  std::string_view type;  ///< "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job"
};
inline constexpr EntitySet kJobs{"Jobs", "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job"};
inline constexpr EntitySet kTasks{"Tasks", "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Task"};
inline constexpr EntitySet kAssets{"Assets", "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Asset"};
inline constexpr EntitySet kFiles{"Files", "Microsoft.Cloud.Media.Vod.Rest.Data.Models.AssetFile"};
inline constexpr EntitySet kNotificationEndPoints{
    "NotificationEndPoints", "Microsoft.Cloud.Media.Vod.Rest.Data.Models.NotificationEndPoint"};
inline constexpr EntitySet kMediaProcessors{
    "MediaProcessors", "Microsoft.Cloud.Media.Vod.Rest.Data.Models.MediaProcessor"};
inline constexpr EntitySet kJobTemplates{"JobTemplates",
                                         "Microsoft.Cloud.Media.Vod.Rest.Data.Models.JobTemplate"};
/// A mediaworker extension (docs/farm.md): the worker processes of the farm.
inline constexpr EntitySet kWorkers{"Workers", "Mediaworker.Models.Worker"};
inline constexpr EntitySet kTaskTemplates{
    "TaskTemplates", "Microsoft.Cloud.Media.Vod.Rest.Data.Models.TaskTemplate"};

/// "<base><Set>('<percent-encoded id>')", e.g. "http://h/api/Jobs('nb%3Ajid%3AUUID%3Ax')".
std::string entity_uri(const ODataContext& ctx, const EntitySet& set, std::string_view id);

/// ISO 8601 UTC with milliseconds (runtime::iso8601).
using runtime::iso8601;
/// Milliseconds since 1970-01-01T00:00:00Z (negative before it).
int64_t epoch_ms(runtime::TimePoint t);
/// An Edm.DateTime value: "/Date(<ms>)/" in verbose (written "\/Date(<ms>)\/" by dump_json),
/// iso8601 in light.
Json date_value(const ODataContext& ctx, runtime::TimePoint t);
/// date_value, or null when absent (StartTime/EndTime before they happen).
Json date_value(const ODataContext& ctx, const std::optional<runtime::TimePoint>& t);

/// The entity's properties in AMS order; in verbose preceded by __metadata and the
/// navigation links (Job: Tasks, OutputMediaAssets, InputMediaAssets; Task: OutputMediaAssets,
/// InputMediaAssets; Asset: Files).
Json job_entity(const ODataContext& ctx, const runtime::Job& job);
Json task_entity(const ODataContext& ctx, const runtime::Task& task);
/// Asset.Uri is the file:// URI of the asset's folder in `storage` (the AMS container).
Json asset_entity(const ODataContext& ctx, const runtime::Asset& asset,
                  const runtime::Storage& storage);
Json asset_file_entity(const ODataContext& ctx, const runtime::AssetFile& file);
/// A Worker (extension): Id, HostId, ProcessId, Version, Slots, LeaseSeconds, Started,
/// LastHeartbeat, Alive (its last heartbeat is younger than its lease at `now`), RunningTasks
/// (the Ids of the tasks it holds), MaxResolution ("WIDTHxHEIGHT", null: no limit), Encoders, Tags.
Json worker_entity(const ODataContext& ctx, const runtime::Worker& worker, runtime::TimePoint now);
/// A NotificationEndPoint without its signing key (EncryptedEndPointCredential is null).
Json notification_endpoint_entity(const ODataContext& ctx,
                                  const runtime::NotificationEndPoint& endpoint);
Json media_processor_entity(const ODataContext& ctx, const runtime::MediaProcessor& processor);
/// JobTemplate (REFDOC jobtemplate.md): Id, Name, Created, LastModified, JobTemplateBody,
/// NumberofInputAssets, TemplateType; in verbose the TaskTemplates navigation link.
Json job_template_entity(const ODataContext& ctx, const runtime::JobTemplate& job_template);
/// TaskTemplate (REFDOC tasktemplate.md); the encryption properties are null (none supported).
Json task_template_entity(const ODataContext& ctx, const runtime::TaskTemplate& task_template);

/// One entity as a response body: {"d":entity} or {"odata.metadata":"...#Set/@Element",...}.
std::string entity_document(const ODataContext& ctx, const EntitySet& set, Json entity);
/// A collection as a response body: {"d":{"results":[...]}} or
/// {"odata.metadata":"...#Set","value":[...]}.
std::string collection_document(const ODataContext& ctx, const EntitySet& set,
                                std::vector<Json> entities);
/// One primitive property (GET Jobs('id')/State): {"d":{"State":2}} or
/// {"odata.metadata":"<base>$metadata#Edm.Int32","value":2}.
std::string property_document(const ODataContext& ctx, std::string_view name,
                              std::string_view edm_type, Json value);
/// The AMS error body {"error":{"code":...,"message":{"lang":"en-US","value":...}}}.
std::string error_document(std::string_view code, std::string_view message);

/// Serialises a JSON value; invalid UTF-8 is replaced (U+FFFD), never thrown, and "/Date(n)/"
/// strings are written with escaped slashes ("\/Date(n)\/"), as WCF Data Services wrote them.
std::string dump_json(const Json& value);

/// Serialises every item with `to_entity(item)` into a collection document.
template <typename T, typename ToEntity>
std::string serialise_collection(const ODataContext& ctx, const EntitySet& set,
                                 const std::vector<T>& items, ToEntity&& to_entity) {
  std::vector<Json> entities;
  entities.reserve(items.size());
  for (const auto& item : items) entities.push_back(to_entity(item));
  return collection_document(ctx, set, std::move(entities));
}

}  // namespace mw::api
