#include "daemon/client/ams_client.hpp"

#include <fmt/format.h>

#include <fstream>
#include <functional>

namespace mw::client {

using nlohmann::json;

namespace {

constexpr const char* kJsonVerbose = "application/json;odata=verbose";

std::string trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

/// error.message.value of an AMS error body ({"error":{"code","message":{"lang","value"}}}),
/// also accepting "odata.error" and a plain string message; "" when the body has none.
std::string ams_error_message(const std::string& body) {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return {};
  for (const char* key : {"error", "odata.error"}) {
    const auto error = parsed.find(key);
    if (error == parsed.end() || !error->is_object()) continue;
    const auto message = error->find("message");
    if (message == error->end()) continue;
    if (message->is_string()) return message->get<std::string>();
    if (message->is_object() && message->contains("value") && (*message)["value"].is_string())
      return (*message)["value"].get<std::string>();
  }
  return {};
}

/// Runs a parser over an answer, turning a shape error into ClientError(Protocol).
template <typename T>
T parse_answer(const std::string& what, const std::function<T()>& parse) {
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    throw ClientError(ErrorKind::Protocol,
                      fmt::format("{}: unexpected answer: {}", what, e.what()));
  } catch (const json::exception& e) {
    throw ClientError(ErrorKind::Protocol,
                      fmt::format("{}: unexpected answer: {}", what, e.what()));
  }
}

template <typename T>
std::vector<T> parse_all(const json& body, T (*parse_one)(const json&)) {
  std::vector<T> out;
  for (const json& entity : results_of(body)) out.push_back(parse_one(entity));
  return out;
}

}  // namespace

json job_request_body(const JobRequest& request, std::string_view base_url) {
  json inputs = json::array();
  for (const std::string& id : request.input_asset_ids)
    inputs.push_back(
        {{"__metadata",
          {{"uri", fmt::format("{}/api/Assets('{}')", base_url, percent_encode(id))}}}});
  json task = {{"Configuration", request.configuration},
               {"MediaProcessorId", request.media_processor_id},
               {"TaskBody", request.task_body}};
  if (!request.task_name.empty()) task["Name"] = request.task_name;
  json body = {{"InputMediaAssets", std::move(inputs)}, {"Tasks", json::array({std::move(task)})}};
  if (!request.name.empty()) body["Name"] = request.name;
  if (request.priority != 0) body["Priority"] = request.priority;
  return body;
}

std::string read_token_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw ClientError(ErrorKind::Input,
                      fmt::format("{}: cannot read the token file", path.string()));
  std::string line;
  while (std::getline(in, line)) {
    const std::string token = trim(line);
    if (!token.empty() && token[0] != '#') return token;
  }
  throw ClientError(ErrorKind::Input, fmt::format("{}: no token in the file", path.string()));
}

AmsClient::AmsClient(Connection connection, std::stop_token stop)
    : connection_(std::move(connection)), http_(std::move(stop)) {
  for (const char c : connection_.token)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      throw ClientError(ErrorKind::Input, "the token contains a control character (a line break?)");
  while (!connection_.base_url.empty() && connection_.base_url.back() == '/')
    connection_.base_url.pop_back();
}

std::string AmsClient::entity_path(std::string_view set, const std::string& id) {
  return fmt::format("/api/{}('{}')", set, percent_encode(id));
}

HttpResponse AmsClient::send(const std::string& method, const std::string& path, const json* body,
                             const std::filesystem::path& upload) {
  HttpRequest request;
  request.method = method;
  request.url = connection_.base_url + path;
  request.headers = {fmt::format("Accept: {}", kJsonVerbose), "DataServiceVersion: 3.0",
                     "MaxDataServiceVersion: 3.0", "x-ms-version: 2.19"};
  if (!connection_.token.empty())
    request.headers.push_back(fmt::format("Authorization: Bearer {}", connection_.token));
  if (body != nullptr) {
    request.body =
        body->dump(-1, ' ', false, json::error_handler_t::replace);  // file names may not be UTF-8
    request.headers.push_back(fmt::format("Content-Type: {}", kJsonVerbose));
  }
  if (!upload.empty()) {
    request.upload_file = upload;
    request.headers.emplace_back("Content-Type: application/octet-stream");
  }
  HttpResponse response = http_.perform(request);
  if (response.status >= 200 && response.status < 300) return response;

  const std::string message = ams_error_message(response.body);
  if (response.status == 401 || response.status == 403) {
    const char* cause =
        connection_.token.empty() ? "a bearer token is required" : "the token was refused";
    throw ClientError(ErrorKind::Unauthorized,
                      fmt::format("{}: {}{} (HTTP {})", connection_.base_url, cause,
                                  message.empty() ? "" : ": " + message, response.status),
                      response.status, message);
  }
  const std::string shown =
      !message.empty() ? message : fmt::format("{} {} failed", method, request.url);
  throw ClientError(ErrorKind::Http, fmt::format("{} (HTTP {})", shown, response.status),
                    response.status, message);
}

json AmsClient::send_json(const std::string& method, const std::string& path, const json* body) {
  const HttpResponse response = send(method, path, body);
  json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    throw ClientError(ErrorKind::Protocol,
                      fmt::format("{} {}{}: the answer (HTTP {}) is not JSON", method,
                                  connection_.base_url, path, response.status));
  return parsed;
}

Asset AmsClient::create_asset(const std::string& name) {
  const json body = {{"Name", name}};
  const json answer = send_json("POST", "/api/Assets", &body);
  return parse_answer<Asset>("POST /api/Assets", [&] { return parse_asset(entity_of(answer)); });
}

AssetFile AmsClient::create_asset_file(const std::string& asset_id, const std::string& name,
                                       bool is_primary) {
  const json body = {{"Name", name}, {"ParentAssetId", asset_id}, {"IsPrimary", is_primary}};
  const json answer = send_json("POST", "/api/Files", &body);
  return parse_answer<AssetFile>("POST /api/Files",
                                 [&] { return parse_asset_file(entity_of(answer)); });
}

void AmsClient::upload_file_content(const std::string& file_id, const std::filesystem::path& path) {
  send("PUT", entity_path("Files", file_id) + "/$value", nullptr, path);
}

Asset AmsClient::get_asset(const std::string& asset_id) {
  const std::string path = entity_path("Assets", asset_id);
  const json answer = send_json("GET", path);
  return parse_answer<Asset>("GET " + path, [&] { return parse_asset(entity_of(answer)); });
}

void AmsClient::delete_asset(const std::string& asset_id) {
  send("DELETE", entity_path("Assets", asset_id), nullptr);
}

std::string AmsClient::upload_asset(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  const Asset asset = create_asset(name);
  try {
    const AssetFile file = create_asset_file(asset.id, name, /*is_primary=*/true);
    upload_file_content(file.id, path);
  } catch (const ClientError&) {
    try {
      delete_asset(asset.id);       // leave no empty asset behind
    } catch (const ClientError&) {  // the first error is the one to report
    }
    throw;
  }
  return asset.id;
}

Job AmsClient::create_job(const JobRequest& request) {
  const json body = job_request_body(request, connection_.base_url);
  const json answer = send_json("POST", "/api/Jobs", &body);
  return parse_answer<Job>("POST /api/Jobs", [&] { return parse_job(entity_of(answer)); });
}

Job AmsClient::get_job(const std::string& job_id) {
  const std::string path = entity_path("Jobs", job_id);
  const json answer = send_json("GET", path);
  return parse_answer<Job>("GET " + path, [&] { return parse_job(entity_of(answer)); });
}

std::vector<Task> AmsClient::job_tasks(const std::string& job_id) {
  const std::string path = entity_path("Jobs", job_id) + "/Tasks";
  const json answer = send_json("GET", path);
  return parse_answer<std::vector<Task>>("GET " + path,
                                         [&] { return parse_all(answer, parse_task); });
}

std::vector<Job> AmsClient::list_jobs(std::optional<int> top, std::optional<int> skip) {
  std::string path = "/api/Jobs";
  if (top || skip) {
    std::string query;
    if (top) query += fmt::format("$top={}", *top);
    if (skip) query += fmt::format("{}$skip={}", query.empty() ? "" : "&", *skip);
    path += "?" + query;
  }
  const json answer = send_json("GET", path);
  return parse_answer<std::vector<Job>>("GET " + path,
                                        [&] { return parse_all(answer, parse_job); });
}

void AmsClient::cancel_job(const std::string& job_id) {
  send("GET", fmt::format("/api/CancelJob?jobid='{}'", percent_encode(job_id)), nullptr);
}

void AmsClient::delete_job(const std::string& job_id) {
  send("DELETE", entity_path("Jobs", job_id), nullptr);
}

std::vector<Asset> AmsClient::output_assets(const std::string& job_id) {
  const std::string path = entity_path("Jobs", job_id) + "/OutputMediaAssets";
  const json answer = send_json("GET", path);
  return parse_answer<std::vector<Asset>>("GET " + path,
                                          [&] { return parse_all(answer, parse_asset); });
}

std::vector<AssetFile> AmsClient::asset_files(const std::string& asset_id) {
  const std::string path = entity_path("Assets", asset_id) + "/Files";
  const json answer = send_json("GET", path);
  return parse_answer<std::vector<AssetFile>>("GET " + path,
                                              [&] { return parse_all(answer, parse_asset_file); });
}

}  // namespace mw::client
