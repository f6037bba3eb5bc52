#pragma once
// The handlers of the AMS v2 entity sets, one function per set (each dispatches on method, key
// and property). They run on the I/O threads (store calls are short) and throw ApiError,
// store::StoreError or runtime::JobRejected; the router turns those into responses.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/api/message.hpp"
#include "daemon/runtime/job_service.hpp"
#include "daemon/runtime/storage.hpp"
#include "daemon/store/job_store.hpp"

namespace mw::api {

/// What the handlers work with (all owned by the daemon, outliving the server).
struct Services {
  store::JobStore& store;
  runtime::JobService& jobs;
  const runtime::Storage& storage;
};

/// $skip and $top (AMS: at most 1000 entities per answer; a larger $top is cut to 1000).
/// @throws ApiError 400 when either is not a non-negative integer
store::Page page_of(const Target& target);
/// The part of `items` that `page` selects (for collections not paged by the store).
template <typename T>
std::vector<T> page_slice(std::vector<T> items, store::Page page) {
  const auto skip = std::min(items.size(), static_cast<size_t>(page.skip));
  items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(skip));
  if (items.size() > static_cast<size_t>(page.top)) items.resize(static_cast<size_t>(page.top));
  return items;
}
/// Rejects $-options other than `supported` ($filter, $orderby, $expand, ... would otherwise be
/// silently ignored and give a wrong answer). Other (non-$) options such as api-version pass.
/// @throws ApiError 400 naming the option
void check_query_options(const Target& target, std::initializer_list<std::string_view> supported);
/// The key of an entity request. @throws ApiError 400 when the path has none
const std::string& require_key(const Target& target);
/// An OData string argument of a service operation: "jobid='nb%3Ajid...'" -> the Id.
/// @throws ApiError 400 when missing or malformed
std::string function_argument(const Target& target, const std::string& name);
/// The assets with these Ids, in order (Ids no longer in the store are left out).
std::vector<runtime::Asset> assets_by_id(store::JobStore& store,
                                         const std::vector<std::string>& ids);
/// 404 "Resource not found for the segment '<property>'." for an unknown property.
[[noreturn]] void unknown_property(const Target& target);

/// /api/Jobs, Jobs('id'), Jobs('id')/State|Tasks|InputMediaAssets|OutputMediaAssets.
Response handle_jobs(const Services& services, const Request& request);
/// /api/Tasks, Tasks('id'), Tasks('id')/InputMediaAssets|OutputMediaAssets.
Response handle_tasks(const Services& services, const Request& request);
/// GET /api/CancelJob?jobid='id' -> 204.
Response handle_cancel_job(const Services& services, const Request& request);
/// /api/Assets, Assets('id'), Assets('id')/Files, POST /api/Assets.
Response handle_assets(const Services& services, const Request& request);
/// /api/Files, Files('id'), GET Files('id')/$value, POST /api/Files.
Response handle_files(const Services& services, const Request& request);
/// GET /api/CreateFileInfos?assetid='id' -> 204.
Response handle_create_file_infos(const Services& services, const Request& request);
/// /api/MediaProcessors (with $filter=Name eq '...'), MediaProcessors('id').
Response handle_media_processors(const Services& services, const Request& request);
/// GET Workers and Workers('<id>') (a mediaworker extension, docs/farm.md): the worker table.
Response handle_workers(const Services& services, const Request& request);
/// /api/JobTemplates (GET, POST with TaskTemplates inline), JobTemplates('id') (GET, DELETE;
/// MERGE is 400: JobTemplates cannot be updated), JobTemplates('id')/TaskTemplates.
Response handle_job_templates(const Services& services, const Request& request);
/// GET /api/TaskTemplates, TaskTemplates('id') (POST is 405: created with their JobTemplate).
Response handle_task_templates(const Services& services, const Request& request);

/// /api/NotificationEndPoints, NotificationEndPoints('id'): POST, GET, MERGE (Name), DELETE.
Response handle_notification_endpoints(const Services& services, const Request& request);

/// Where an upload (PUT Files('id')/$value) goes.
struct UploadPlan {
  std::string file_id;
  std::filesystem::path path;       ///< the AssetFile's final path
  std::filesystem::path temp_path;  ///< a hidden file beside it, renamed to `path` when complete
};
/// Looks up the AssetFile and creates its asset's folder.
/// @throws ApiError 404 for an unknown file
UploadPlan plan_upload(const Services& services, const std::string& file_id);
/// After the bytes are in place: ContentFileSize = `size` bytes; 204.
Response finish_upload(const Services& services, const UploadPlan& plan, int64_t size);

}  // namespace mw::api
