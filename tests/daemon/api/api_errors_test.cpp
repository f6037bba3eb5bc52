// The API's refusals: authentication, unknown entities, bad input (nothing persisted), conflicts,
// body limits, malformed HTTP, and the server's own start/stop rules.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "tests/daemon/api/api_fixture.hpp"

namespace mw::api::test {
namespace {

using ApiErrorsTest = ApiFixture;


TEST_F(ApiErrorsTest, RequestsWithoutAValidTokenGet401) {
  Headers none = verbose_headers();
  none.erase("Authorization");
  const Reply missing = get("/api/Jobs", none);
  expect_ams_error(missing, 401, "Bearer");
  EXPECT_EQ(missing.header("www-authenticate"), "Bearer");
  EXPECT_FALSE(missing.header("request-id").empty());

  Headers wrong = verbose_headers();
  wrong["Authorization"] = "Bearer " + kToken + "x";
  expect_ams_error(get("/api/Jobs", wrong), 401, "Bearer");
  wrong["Authorization"] = "Basic " + kToken;
  expect_ams_error(get("/api/Jobs", wrong), 401, "Bearer");
  wrong["Authorization"] = "Bearer";
  expect_ams_error(get("/api/Jobs", wrong), 401, "Bearer");
  // A refused POST is answered before its body is read (and nothing is created).
  none["Content-Type"] = "application/json";
  expect_ams_error(send(http::verb::post, "/api/Assets", R"({"Name":"x"})", none), 401, "Bearer");
  EXPECT_EQ(get("/api/Assets").json()["d"]["results"].size(), 0u);

  Headers lower = verbose_headers();
  lower["Authorization"] =
      "bearer another-token";  // the other configured token, scheme in lower case
  EXPECT_EQ(get("/api/Jobs", lower).status, 200);
}

TEST_F(ApiErrorsTest, UnknownIdsAndPathsGet404) {
  const std::string nope = "nb%3Ajid%3AUUID%3A00000000-0000-0000-0000-000000000000";
  expect_ams_error(get("/api/Jobs('" + nope + "')"), 404,
                   "nb:jid:UUID:00000000-0000-0000-0000-000000000000");
  expect_ams_error(get("/api/Jobs('" + nope + "')/Tasks"), 404, "was not found");
  expect_ams_error(get("/api/Jobs('" + nope + "')/State"), 404, "was not found");
  expect_ams_error(get("/api/Tasks('nb%3Atid%3AUUID%3Ax')"), 404, "Task");
  expect_ams_error(get("/api/Assets('nb%3Acid%3AUUID%3Ax')"), 404, "Asset");
  expect_ams_error(get("/api/Assets('nb%3Acid%3AUUID%3Ax')/Files"), 404, "Asset");
  expect_ams_error(get("/api/Files('nb%3Acid%3AUUID%3Ax')"), 404, "AssetFile");
  expect_ams_error(get("/api/Files('nb%3Acid%3AUUID%3Ax')/$value"), 404, "AssetFile");
  expect_ams_error(get("/api/MediaProcessors('nb%3Ampid%3AUUID%3Ax')"), 404, "MediaProcessor");
  expect_ams_error(get("/api/Locators"), 404, "Locators");
  expect_ams_error(get("/api/Jobs('" + nope + "')/Colour"), 404, "Colour");
  expect_ams_error(get("/api/Jobs('x')/Tasks/More"), 404, "More");
  expect_ams_error(get("/index.html"), 404, "/api/");
  // Unknown upload target: 404 before the body is sent.
  const Reply put = send(http::verb::put, "/api/Files('nb%3Acid%3AUUID%3Ax')/$value",
                         std::string(100000, 'x'), verbose_headers(), true);
  expect_ams_error(put, 404, "AssetFile");
  EXPECT_FALSE(put.interim_continue);
}

TEST_F(ApiErrorsTest, UnsupportedMethodsGet405WithAllow) {
  const Reply r = send(http::verb::delete_, "/api/MediaProcessors");
  expect_ams_error(r, 405, "DELETE");
  EXPECT_EQ(r.header("allow"), "GET");
  EXPECT_EQ(send(http::verb::put, "/api/Jobs").status, 405);
  EXPECT_EQ(send(http::verb::patch, "/api/Tasks").status, 405);
}

TEST_F(ApiErrorsTest, BadJobRequestsGet400NamingTheProblemAndPersistNothing) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const std::string good = job_page_body(asset_id);
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string body = good;
    const size_t at = body.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return body.replace(at, from.size(), to);
  };
  struct Case {
    std::string body, message_part;
  };
  const std::vector<Case> cases = {
      {R"({"Name" : "NewTestJob", )", "Parsing request content failed due to: "},
      {with(R"("Name" : "NewTestJob")", R"("Name" : "NewTestJob", "Colour" : "red")"),
       "Make sure to only use property names that are defined by the type: 'Colour'"},
      {with("H.264 HD 720p VBR", "No Such Preset"), "Configuration"},
      {with("JobInputAsset(0)", "JobInputAsset(3)"), "JobInputAsset(3)"},
      {with(R"("Name" : "NewTestJob")", R"("Name" : "NewTestJob", "Priority" : "high")"),
       "Priority: expected an Edm.Int32"},
      {with(R"("Name" : "NewTestJob")", R"("Name" : "NewTestJob", "Priority" : 1e400)"),
       "Parsing request content failed"},
      {with(R"("TaskBody" : ")", R"("TaskBody" : 7, "Name" : ")"),
       "Tasks[0].TaskBody: expected an Edm.String"},
      {with("nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5", "nb:mpid:UUID:nope"),
       "MediaProcessorId"},
      {with("<taskBody>", "<taskBody"), "TaskBody"},
      {with("Assets('", "Jobs('"), "InputMediaAssets[0].__metadata.uri"},
      {with("Assets('", "Assets('%ZZ"), "bad percent-encoding"},
      {R"({"Name":"x","Tasks":[]})", "Tasks"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    expect_ams_error(send(http::verb::post, "/api/Jobs", c.body), 400, c.message_part);
  }
  EXPECT_EQ(get("/api/Jobs").json()["d"]["results"].size(), 0u);
  EXPECT_EQ(get("/api/Tasks").json()["d"]["results"].size(), 0u);
  EXPECT_EQ(get("/api/Assets").json()["d"]["results"].size(), 1u);  // no output assets left behind

  // An input asset that does not exist is 404, also nothing persisted.
  const std::string unknown =
      with(percent_encode(asset_id), "nb%3Acid%3AUUID%3A00000000-0000-0000-0000-000000000000");
  expect_ams_error(send(http::verb::post, "/api/Jobs", unknown), 404, "InputMediaAssets[0]");
  EXPECT_EQ(get("/api/Jobs").json()["d"]["results"].size(), 0u);
}

TEST_F(ApiErrorsTest, MalformedUrlsGet400) {
  expect_ams_error(get("/api/Jobs('nb%3Ajid%ZZ')"), 400, "percent-encoding");
  expect_ams_error(get("/api/Jobs('unterminated"), 400, "')'");
  expect_ams_error(get("/api/Jobs('a'b')"), 400, "quote");
  expect_ams_error(get("/api/Jobs?$top=%GG"), 400, "percent-encoding");
  Headers tunnel = verbose_headers();
  tunnel["X-HTTP-Method"] = "FROB";
  expect_ams_error(send(http::verb::post, "/api/Jobs", "{}", tunnel), 400, "X-HTTP-Method");
}

TEST_F(ApiErrorsTest, DuplicateFileNamesConflict) {
  const auto [asset_id, file_id] = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip);
  const std::string file = R"({"Name":")" + kClip + R"(","ParentAssetId":")" + asset_id + R"("})";
  EXPECT_EQ(send(http::verb::post, "/api/Files", file).status, 409);
  const std::string second_primary =
      R"({"Name":"other.mp4","IsPrimary":true,"ParentAssetId":")" + asset_id + R"("})";
  EXPECT_EQ(send(http::verb::post, "/api/Files", second_primary).status, 409);
  expect_ams_error(send(http::verb::post, "/api/Files",
                        R"({"Name":"x.mp4","ParentAssetId":"nb:cid:UUID:nope"})"),
                   404, "");
  expect_ams_error(send(http::verb::post, "/api/Files",
                        R"({"Name":"../x.mp4","ParentAssetId":")" + asset_id + R"("})"),
                   400, "Name");
}

TEST_F(ApiErrorsTest, JsonBodiesOverTheLimitGet413) {
  const std::string big = R"({"Name":")" + std::string(20000, 'n') + R"("})";
  expect_ams_error(send(http::verb::post, "/api/Assets", big), 413, "max_body_bytes");
  const Reply expecting = send(http::verb::post, "/api/Jobs", big, verbose_headers(), true);
  expect_ams_error(expecting, 413, "max_body_bytes");
  EXPECT_FALSE(expecting.interim_continue);  // refused before the body was sent
  EXPECT_EQ(get("/api/Assets").json()["d"]["results"].size(), 0u);
}

/// A server that takes JSON bodies of up to 1 MiB, for Configurations near AMS's length limit.
class ApiLargeBodyTest : public ApiFixture {
 protected:
  static config::ApiConfig large_body_config() {
    config::ApiConfig config = test_config();
    config.max_body_bytes = 1024 * 1024;
    return config;
  }
  ApiLargeBodyTest() : ApiFixture(large_body_config()) {}
};

TEST_F(ApiLargeBodyTest, ConfigurationLongerThanTheAmsLimitGets400) {
  // AMS v2 Task.Configuration: max length 100000. A longer one was stored, and an MES preset's
  // Description of that length became the preset name in every log line of the task.
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const auto body_with = [&](const std::string& configuration) {
    std::string body = job_page_body(asset_id);
    const std::string from = "\"H.264 HD 720p VBR\"";
    return body.replace(body.find(from), from.size(), nlohmann::json(configuration).dump());
  };
  const std::string mes = R"({"Version": 1.0, "Description": ")" + std::string(100000, 'x') +
                          R"(", "Codecs": [{"Type": "AACAudio"}], "Outputs": [{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}]})";
  expect_ams_error(send(http::verb::post, "/api/Jobs", body_with(mes)), 400,
                   "Tasks[0].Configuration: task 0: Configuration is " + std::to_string(mes.size()) +
                       " characters long; AMS allows at most 100000");
  EXPECT_EQ(get("/api/Jobs").json()["d"]["results"].size(), 0u);
  // 100000 characters of 2 bytes each (UTF-8 'é') are within the limit: characters, not bytes.
  std::string accented;
  for (int i = 0; i < 49000; ++i) accented += "\xC3\xA9";
  const std::string within = R"({"Version": 1.0, "Description": ")" + accented +
                             R"(", "Codecs": [{"Type": "AACAudio"}], "Outputs": [{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}]})";
  EXPECT_EQ(send(http::verb::post, "/api/Jobs", body_with(within)).status, 201);
}

// Writes raw bytes on a fresh connection and returns everything the server sends back.
std::string raw_exchange(uint16_t port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(bytes));
  std::string reply;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);  // until the server closes
  return reply;
}

TEST_F(ApiErrorsTest, MalformedHttpGets400AndTheConnectionCloses) {
  const std::string reply = raw_exchange(server_.port(), "GARBAGE\x01 / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("\"error\""), std::string::npos);
  // A chunked body with a bad chunk size.
  const std::string chunked = raw_exchange(
      server_.port(), "POST /api/Assets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken +
                          "\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 400", 0), 0u) << chunked;
  // The server is still fine.
  EXPECT_EQ(get("/api/Jobs").status, 200);
}

}  // namespace
}  // namespace mw::api::test
