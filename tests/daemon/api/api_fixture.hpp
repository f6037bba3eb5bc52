#pragma once
// An ApiServer in the test process: 127.0.0.1 port 0, a real SqliteJobStore and Storage in a
// temporary folder, a JobService over the system presets, and a Beast client. Requests are
// synchronous: once start() returned the server accepts, so no test sleeps. No worker runs, so
// jobs stay Queued.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "daemon/api/api_server.hpp"
#include "daemon/api/uri.hpp"
#include "daemon/config/config.hpp"
#include "daemon/runtime/job_service.hpp"
#include "daemon/runtime/storage.hpp"
#include "daemon/store/sqlite_job_store.hpp"
#include "presets/library.hpp"
#include "tests/daemon/api/http_client.hpp"
#include "tests/support/process.hpp"

namespace mw::api::test {

namespace http = boost::beast::http;
using Headers = std::map<std::string, std::string>;

inline const std::string kToken = "api-test-token-5f2c";
inline const std::string kClip = "clip-1080x720-h264-aac-mono-1s.mp4";

/// The Job page's "Create a Job" body, byte for byte, with `asset_id` in place of the page's
/// asset Id (its placeholder host is kept: any host is accepted).
inline std::string job_page_body(const std::string& asset_id) {
  return R"({"Name" : "NewTestJob", "InputMediaAssets" : [{"__metadata" : {"uri" : "https://&lt;accountname&gt;.restv2.&lt;location&gt;.media.azure.net/api/Assets(')" +
         percent_encode(asset_id) +
         R"x(')"}}], "Tasks" : [{"Configuration" : "H.264 HD 720p VBR", "MediaProcessorId" : "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5", "TaskBody" : "<?xml version=\"1.0\" encoding=\"utf-8\"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"}]})x";
}

/// The Job page's request headers (JSON verbose, DataServiceVersion 3.0, x-ms-version 2.11).
inline Headers verbose_headers() {
  return {{"Authorization", "Bearer " + kToken},
          {"Accept", "application/json;odata=verbose"},
          {"Content-Type", "application/json;odata=verbose"},
          {"DataServiceVersion", "3.0"},
          {"MaxDataServiceVersion", "3.0"},
          {"x-ms-version", "2.11"}};
}

/// JSON light (Accept: application/json).
inline Headers light_headers() {
  return {{"Authorization", "Bearer " + kToken},
          {"Accept", "application/json"},
          {"Content-Type", "application/json"}};
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Whether `text` has the shape of `pattern`: '9' a decimal digit, 'x' a lower-case hex digit,
/// '+' one or more decimal digits, anything else itself. (No std::regex: GCC 12 warns in it
/// under the sanitizers.)
inline bool has_shape(const std::string& text, const std::string& pattern) {
  size_t t = 0;
  for (const char p : pattern) {
    const auto digit = [&] { return t < text.size() && text[t] >= '0' && text[t] <= '9'; };
    if (p == '+') {
      if (!digit()) return false;
      while (digit()) ++t;
      continue;
    }
    if (t >= text.size()) return false;
    const char c = text[t++];
    if (p == '9'   ? !(c >= '0' && c <= '9')
        : p == 'x' ? !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                   : c != p)
      return false;
  }
  return t == text.size();
}
inline const std::string kGuidShape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

inline config::ApiConfig test_config() {
  config::ApiConfig config;
  config.listen = "127.0.0.1:0";
  config.tokens = {"another-token", kToken};
  config.max_body_bytes = 16 * 1024;  // JSON bodies only: the clip upload is larger
  config.threads = 2;
  return config;
}

// An AMS error body: {"error":{"code":...,"message":{"lang":"en-US","value":...}}}.
inline void expect_ams_error(const Reply& r, int status, const std::string& message_part) {
  EXPECT_EQ(r.status, status) << r.body;
  nlohmann::json body;
  ASSERT_NO_THROW(body = r.json()) << r.body;
  ASSERT_TRUE(body.contains("error")) << r.body;
  EXPECT_TRUE(body["error"]["code"].is_string());
  EXPECT_EQ(body["error"]["message"]["lang"], "en-US");
  EXPECT_NE(r.error_message().find(message_part), std::string::npos)
      << "'" << message_part << "' not in: " << r.error_message();
}

class ApiFixture : public ::testing::Test {
 protected:
  explicit ApiFixture(config::ApiConfig config = test_config())
      : store_(dir_.path() / "jobs.db"),
        storage_(dir_.path() / "assets"),
        presets_(presets::PresetLibrary::load({presets::default_preset_dir()})),
        jobs_(store_, storage_, presets_),
        server_(config, store_, jobs_, storage_) {
    server_.start();
    client_ = std::make_unique<HttpClient>(server_.port());
  }

  std::string base() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/";
  }

  Reply send(http::verb method, const std::string& target, const std::string& body = {},
             const Headers& headers = verbose_headers(), bool expect_continue = false) {
    return client_->send(method, target, body, headers, expect_continue);
  }
  Reply get(const std::string& target, const Headers& headers = verbose_headers()) {
    return send(http::verb::get, target, {}, headers);
  }

  /// The three upload steps of the acceptance check: POST /api/Assets, POST /api/Files,
  /// PUT /api/Files('id')/$value. Returns {asset Id, file Id}.
  std::pair<std::string, std::string> upload(const std::filesystem::path& clip) {
    const std::string name = clip.filename().string();
    const Reply asset =
        send(http::verb::post, "/api/Assets", R"({"Name":")" + name + R"(","Options":0})");
    EXPECT_EQ(asset.status, 201) << asset.body;
    const std::string asset_id = asset.json()["d"]["Id"];
    const Reply file = send(
        http::verb::post, "/api/Files",
        R"({"Name":")" + name + R"(","ParentAssetId":")" + asset_id + R"(","IsPrimary":true})");
    EXPECT_EQ(file.status, 201) << file.body;
    const std::string file_id = file.json()["d"]["Id"];
    Headers headers = verbose_headers();
    headers["Content-Type"] = "application/octet-stream";
    const Reply put = send(http::verb::put, "/api/Files('" + percent_encode(file_id) + "')/$value",
                           read_file(clip), headers);
    EXPECT_EQ(put.status, 204) << put.body;
    return {asset_id, file_id};
  }

  /// Uploads the test clip and creates a job with the Job page's body; returns the job Id.
  std::string create_job() {
    const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
    const Reply reply = send(http::verb::post, "/api/Jobs", job_page_body(asset_id));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json()["d"]["Id"];
  }

  // Destroyed in reverse: the client, then the server (stopped), then what it used.
  mw::test::TempDir dir_;
  store::SqliteJobStore store_;
  runtime::Storage storage_;
  runtime::PresetCatalog presets_;
  runtime::JobService jobs_;
  ApiServer server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace mw::api::test
