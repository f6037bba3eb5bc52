#pragma once
// A client of the mediaworker REST API, which is the AMS v2 REST API (AMS-V2-REFERENCE.md §0-§4,
// AMS-V2-JOB-PAGE.md): assets and their files, jobs and their tasks, in JSON verbose.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/client/client_error.hpp"
#include "daemon/client/curl_http.hpp"
#include "daemon/client/entities.hpp"

namespace mw::client {

/// The Media Encoder Standard processor Id (AMS-V2-REFERENCE.md §5).
inline constexpr std::string_view kMediaEncoderStandardId =
    "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56";
/// The TaskBody of a one-task job: first job input to first job output (AMS-V2-JOB-PAGE.md).
inline constexpr std::string_view kSingleTaskBody =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
    "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody>";
/// The default service address (`mediaworker serve`'s default listen address).
inline constexpr std::string_view kDefaultBaseUrl = "http://127.0.0.1:8080";

/// Where the service is and how to sign in.
struct Connection {
  std::string base_url{kDefaultBaseUrl};  ///< scheme://host:port[/prefix], without "/api"
  std::string token;                      ///< bearer token; "" sends no Authorization header
};

/// A one-task job, as `mediaworker job submit` creates it.
struct JobRequest {
  std::string name;                          ///< Job.Name (optional)
  int priority = 0;                          ///< Job.Priority, higher runs first
  std::vector<std::string> input_asset_ids;  ///< InputMediaAssets, JobInputAsset(0) first
  std::string configuration;                 ///< Task.Configuration: a preset name
  std::string media_processor_id{kMediaEncoderStandardId};
  std::string task_name;                   ///< Task.Name (optional)
  std::string task_body{kSingleTaskBody};  ///< Task.TaskBody XML
};

/// The POST /api/Jobs body of the Job page's "Create a Job": InputMediaAssets as
/// [{"__metadata":{"uri":"<base>/api/Assets('<percent-encoded id>')"}}] and one task.
nlohmann::json job_request_body(const JobRequest& request, std::string_view base_url);

/// The first line of a token file that is neither empty nor a "#" comment, trimmed.
/// @throws ClientError(Input) when the file can't be read or holds no token
std::string read_token_file(const std::filesystem::path& path);

/// AMS v2 REST calls against one service. Every request carries Authorization: Bearer,
/// Accept: application/json;odata=verbose, DataServiceVersion/MaxDataServiceVersion 3.0 and
/// x-ms-version 2.19. Not thread-safe (one libcurl handle, reused across calls).
///
/// Every call throws ClientError: Connection when the service can't be reached, Unauthorized on
/// 401/403, Http with the AMS error message on any other non-2xx status, Protocol when a 2xx
/// answer is not the JSON expected, Canceled when the stop token is requested meanwhile.
class AmsClient {
 public:
  /// @param stop  a requested stop aborts the request in flight (ClientError Canceled)
  /// @throws ClientError(Input) when the token holds a line break or other control character
  explicit AmsClient(Connection connection, std::stop_token stop = {});

  /// The base URL without a trailing "/".
  const std::string& base_url() const { return connection_.base_url; }

  /// POST /api/Assets {"Name"} -> the new Asset.
  Asset create_asset(const std::string& name);
  /// POST /api/Files {"Name","ParentAssetId","IsPrimary"} -> the new AssetFile.
  AssetFile create_asset_file(const std::string& asset_id, const std::string& name,
                              bool is_primary);
  /// PUT /api/Files('<id>')/$value with the file's bytes, streamed from disk.
  /// @throws ClientError(Input) too, when `path` can't be read
  void upload_file_content(const std::string& file_id, const std::filesystem::path& path);
  /// GET /api/Assets('<id>').
  Asset get_asset(const std::string& asset_id);
  /// DELETE /api/Assets('<id>').
  void delete_asset(const std::string& asset_id);
  /// One Asset named after the file with one primary AssetFile holding its bytes; returns the
  /// Asset Id. When the file can't be created or sent, the new asset is deleted (best effort).
  std::string upload_asset(const std::filesystem::path& path);

  /// POST /api/Jobs with job_request_body -> the new Job (State Queued).
  Job create_job(const JobRequest& request);
  /// GET /api/Jobs('<id>').
  Job get_job(const std::string& job_id);
  /// GET /api/Jobs('<id>')/Tasks, in the order the service lists them.
  std::vector<Task> job_tasks(const std::string& job_id);
  /// GET /api/Jobs with $top/$skip when given (the service caps a page at 1000).
  std::vector<Job> list_jobs(std::optional<int> top = std::nullopt,
                             std::optional<int> skip = std::nullopt);
  /// GET /api/CancelJob?jobid='<id>' (204; 400 when the job is already final or Canceling).
  void cancel_job(const std::string& job_id);
  /// DELETE /api/Jobs('<id>') (204; only Finished, Error or Canceled jobs can be deleted).
  void delete_job(const std::string& job_id);
  /// GET /api/Jobs('<id>')/OutputMediaAssets.
  std::vector<Asset> output_assets(const std::string& job_id);
  /// GET /api/Assets('<id>')/Files.
  std::vector<AssetFile> asset_files(const std::string& asset_id);

 private:
  /// Sends a request to base_url + path (path starts "/api/") and checks for a 2xx status.
  HttpResponse send(const std::string& method, const std::string& path, const nlohmann::json* body,
                    const std::filesystem::path& upload = {});
  /// send() and parse the body as JSON.
  nlohmann::json send_json(const std::string& method, const std::string& path,
                           const nlohmann::json* body = nullptr);
  /// "<base>/api/<set>('<percent-encoded id>')"-style path, without the base.
  static std::string entity_path(std::string_view set, const std::string& id);

  Connection connection_;
  CurlHttp http_;
};

}  // namespace mw::client
