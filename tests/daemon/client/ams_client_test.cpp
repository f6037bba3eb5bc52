// AmsClient against a loopback server: the requests it builds and the answers it reads.

#include "daemon/client/ams_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <future>

#include "tests/daemon/client/fake_ams.hpp"
#include "tests/support/process.hpp"

namespace mw::client {
namespace {

using nlohmann::json;
using test::CannedResponse;
using test::RouteTable;
using test::TestHttpServer;

constexpr const char* kAssetId = "nb:cid:UUID:aaaa0000-0000-4000-8000-000000000001";
constexpr const char* kFileId = "nb:cid:UUID:ffff0000-0000-4000-8000-000000000002";
constexpr const char* kJobId = "nb:jid:UUID:1111aaaa-0000-4000-8000-000000000003";
const std::string kEncodedFileId = "nb%3Acid%3AUUID%3Affff0000-0000-4000-8000-000000000002";
const std::string kEncodedJobId = "nb%3Ajid%3AUUID%3A1111aaaa-0000-4000-8000-000000000003";

/// A file of `size` bytes whose content depends on the position (so a reordering shows).
std::string write_pattern_file(const std::filesystem::path& path, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 7 + i / 251) & 0xFF);
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

void expect_ams_headers(const test::RecordedRequest& r, const std::string& token) {
  EXPECT_EQ(r.header("authorization"), "Bearer " + token) << r.target;
  EXPECT_EQ(r.header("accept"), "application/json;odata=verbose") << r.target;
  EXPECT_EQ(r.header("dataserviceversion"), "3.0") << r.target;
  EXPECT_EQ(r.header("maxdataserviceversion"), "3.0") << r.target;
  EXPECT_EQ(r.header("x-ms-version"), "2.19") << r.target;
  EXPECT_EQ(r.header("expect"), "") << r.target;
}

TEST(AmsClient, UploadAssetSendsTheAcceptanceSequenceAndStreamsTheBytes) {
  test::TempDir dir;
  const auto path = dir.path() / "clip one.mp4";
  const std::string bytes = write_pattern_file(path, 3'000'001);  // several read callbacks
  RouteTable routes;
  routes.on("POST", "/api/Assets",
            {test::verbose_entity(test::asset_entity(kAssetId, "clip one.mp4"), 201)});
  routes.on(
      "POST", "/api/Files",
      {test::verbose_entity(test::file_entity(kFileId, "clip one.mp4", kAssetId, "0", true), 201)});
  routes.on("PUT", "/api/Files('" + kEncodedFileId + "')/$value", {{204, ""}});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url() + "/", "tok-1"});

  EXPECT_EQ(client.upload_asset(path), kAssetId);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& r : requests) expect_ams_headers(r, "tok-1");
  EXPECT_EQ(requests[0].header("content-type"), "application/json;odata=verbose");
  EXPECT_EQ(json::parse(requests[0].body), json({{"Name", "clip one.mp4"}}));
  EXPECT_EQ(json::parse(requests[1].body),
            json({{"Name", "clip one.mp4"}, {"ParentAssetId", kAssetId}, {"IsPrimary", true}}));
  EXPECT_EQ(requests[2].method, "PUT");
  EXPECT_EQ(requests[2].header("content-type"), "application/octet-stream");
  EXPECT_EQ(requests[2].header("content-length"), "3000001");
  EXPECT_TRUE(requests[2].body == bytes) << "the uploaded bytes differ from the file";
}

TEST(AmsClient, FailedUploadDeletesTheNewAssetAndReportsTheFirstError) {
  test::TempDir dir;
  const auto path = dir.path() / "clip.mp4";
  write_pattern_file(path, 1000);
  RouteTable routes;
  routes.on("POST", "/api/Assets",
            {test::verbose_entity(test::asset_entity(kAssetId, "clip.mp4"), 201)});
  routes.on(
      "POST", "/api/Files",
      {test::verbose_entity(test::file_entity(kFileId, "clip.mp4", kAssetId, "0", true), 201)});
  routes.on("PUT", "/api/Files('" + kEncodedFileId + "')/$value",
            {{507, test::ams_error_body("Disk full")}});
  routes.on("DELETE", "/api/Assets('nb%3Acid%3AUUID%3Aaaaa0000-0000-4000-8000-000000000001')",
            {{204, ""}});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});

  try {
    client.upload_asset(path);
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Http);
    EXPECT_EQ(e.http_status(), 507);
    EXPECT_EQ(e.ams_message(), "Disk full");
    EXPECT_STREQ(e.what(), "Disk full (HTTP 507)");
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3].method, "DELETE");
}

TEST(AmsClient, UnreadableUploadFileIsAnInputErrorNamingThePath) {
  RouteTable routes;
  routes.on("POST", "/api/Assets",
            {test::verbose_entity(test::asset_entity(kAssetId, "gone.mp4"), 201)});
  routes.on(
      "POST", "/api/Files",
      {test::verbose_entity(test::file_entity(kFileId, "gone.mp4", kAssetId, "0", true), 201)});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  try {
    client.upload_asset("/nonexistent/gone.mp4");
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/gone.mp4: cannot read the file"),
              std::string::npos)
        << e.what();
  }
}

TEST(AmsClient, JobRequestBodyIsTheJobPageCreateBody) {
  JobRequest request;
  request.name = "NewTestJob";
  request.priority = 40;
  request.input_asset_ids = {kAssetId};
  request.configuration = "H.264 HD 720p VBR";
  request.task_name = "encode";
  const json body = job_request_body(request, "http://host:8080");
  const json expected = {
      {"Name", "NewTestJob"},
      {"Priority", 40},
      {"InputMediaAssets",
       {{{"__metadata",
          {{"uri",
            "http://host:8080/api/"
            "Assets('nb%3Acid%3AUUID%3Aaaaa0000-0000-4000-8000-000000000001')"}}}}}},
      {"Tasks",
       {{{"Configuration", "H.264 HD 720p VBR"},
         {"MediaProcessorId", "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"},
         {"Name", "encode"},
         {"TaskBody",
          "<?xml version=\"1.0\" "
          "encoding=\"utf-8\"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
          "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"}}}}};
  EXPECT_EQ(body, expected) << body.dump(2);
}

TEST(AmsClient, CreateJobPostsTheBodyAndReadsTheNewJob) {
  RouteTable routes;
  routes.on("POST", "/api/Jobs", {test::verbose_entity(test::job_entity(kJobId, 0, "j"), 201)});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  JobRequest request;
  request.input_asset_ids = {kAssetId};
  request.configuration = "H.264 HD 720p VBR";
  const Job job = client.create_job(request);
  EXPECT_EQ(job.id, kJobId);
  EXPECT_EQ(job.state, State::Queued);
  EXPECT_EQ(job.created, "2020-04-17T00:56:31Z");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(json::parse(requests[0].body), job_request_body(request, server.url()));
}

TEST(AmsClient, CancelRefusedCarriesTheStatusAndTheAmsMessage) {
  RouteTable routes;
  routes.on("GET", "/api/CancelJob?jobid='" + kEncodedJobId + "'",
            {{400, test::ams_error_body("The job is already in a final state (Finished).")}});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  try {
    client.cancel_job(kJobId);
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Http);
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_STREQ(e.what(), "The job is already in a final state (Finished). (HTTP 400)");
  }
}

TEST(AmsClient, CancelAndDeleteSucceedOn204) {
  RouteTable routes;
  routes.on("GET", "/api/CancelJob?jobid='" + kEncodedJobId + "'", {{204, ""}});
  routes.on("DELETE", "/api/Jobs('" + kEncodedJobId + "')", {{204, ""}});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  client.cancel_job(kJobId);
  client.delete_job(kJobId);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(AmsClient, RefusedTokenIsUnauthorizedAndNamesTheService) {
  RouteTable routes;
  routes.on("GET", "/api/Jobs", {{401, test::ams_error_body("Invalid bearer token.")}});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "wrong"});
  try {
    client.list_jobs();
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unauthorized);
    EXPECT_EQ(std::string(e.what()),
              server.url() + ": the token was refused: Invalid bearer token. (HTTP 401)");
  }
}

TEST(AmsClient, RefusedConnectionNamesTheUrlAndTheCause) {
  // A bound socket that does not listen: connecting to it is refused at once.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket bound(io);
  bound.open(boost::asio::ip::tcp::v4());
  bound.bind({boost::asio::ip::address_v4::loopback(), 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(bound.local_endpoint().port());
  AmsClient client({url, "t"});
  try {
    client.get_job(kJobId);
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Connection);
    EXPECT_EQ(std::string(e.what()),
              "cannot reach " + url + "/api/Jobs('" + kEncodedJobId +
                  "'): Connection refused; is `mediaworker serve` running there?");
  }
}

TEST(AmsClient, ListJobsSendsTopAndSkipAndReadsTheCollection) {
  RouteTable routes;
  routes.on("GET", "/api/Jobs?$top=2&$skip=3",
            {test::verbose_results(
                {test::job_entity(kJobId, 2, "first"), test::job_entity("nb:jid:UUID:2", 4)})});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  const auto jobs = client.list_jobs(2, 3);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].name, "first");
  EXPECT_EQ(jobs[0].state, State::Processing);
  EXPECT_EQ(jobs[1].state, State::Error);
}

TEST(AmsClient, TasksOutputAssetsAndFilesAreRead) {
  RouteTable routes;
  const json errors = {{{"Code", "ErrorParsingConfiguration"}, {"Message", "unknown preset 'X'"}}};
  routes.on("GET", "/api/Jobs('" + kEncodedJobId + "')/Tasks",
            {test::verbose_results({test::task_entity("nb:tid:UUID:t1", 4, 0, errors)})});
  routes.on("GET", "/api/Jobs('" + kEncodedJobId + "')/OutputMediaAssets",
            {test::verbose_results({test::asset_entity(kAssetId, "out")})});
  routes.on("GET", "/api/Assets('nb%3Acid%3AUUID%3Aaaaa0000-0000-4000-8000-000000000001')/Files",
            {test::verbose_results({test::file_entity(kFileId, "clip_1280x720_4500.mp4", kAssetId,
                                                      "1234567", true)})});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});

  const auto tasks = client.job_tasks(kJobId);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].state, State::Error);
  ASSERT_EQ(tasks[0].error_details.size(), 1u);
  EXPECT_EQ(tasks[0].error_details[0].code, "ErrorParsingConfiguration");
  EXPECT_EQ(tasks[0].error_details[0].message, "unknown preset 'X'");
  ASSERT_EQ(tasks[0].historical_events.size(), 2u);
  EXPECT_EQ(tasks[0].historical_events[1].timestamp, "2020-04-17T00:56:32Z");

  const auto assets = client.output_assets(kJobId);
  ASSERT_EQ(assets.size(), 1u);
  const auto files = client.asset_files(assets[0].id);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].content_file_size, 1234567);
  EXPECT_TRUE(files[0].is_primary);
}

TEST(AmsClient, A2xxAnswerThatIsNotAmsJsonIsAProtocolError) {
  RouteTable routes;
  routes.on("GET", "/api/Jobs('" + kEncodedJobId + "')",
            {{200, "<html>proxy</html>", "text/html"}});
  routes.on("GET", "/api/Jobs", {{200, R"({"d":{"Name":"no results"}})"}});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  try {
    client.get_job(kJobId);
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Protocol);
    EXPECT_NE(std::string(e.what()).find("is not JSON"), std::string::npos) << e.what();
  }
  try {
    client.list_jobs();
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Protocol);
    EXPECT_NE(std::string(e.what()).find("GET /api/Jobs: unexpected answer"), std::string::npos)
        << e.what();
  }
}

TEST(AmsClient, NoTokenSendsNoAuthorizationHeader) {
  RouteTable routes;
  routes.on("GET", "/api/Jobs", {test::verbose_results({})});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), ""});
  EXPECT_TRUE(client.list_jobs().empty());
  EXPECT_EQ(server.requests().at(0).header("authorization"), "");
}

TEST(AmsClient, AStopRequestAbortsTheRequestInFlight) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::stop_source stop;
  // The service asks for the stop once the request has arrived, then holds its answer until the
  // test releases it (bounded, in case the abort failed).
  TestHttpServer server([released, &stop](const test::RecordedRequest&) {
    stop.request_stop();
    released.wait_for(std::chrono::seconds(30));
    return CannedResponse{200, "{}"};
  });
  AmsClient client({server.url(), "t"}, stop.get_token());
  const auto start = std::chrono::steady_clock::now();
  try {
    client.list_jobs();
    ADD_FAILURE() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Canceled);
    EXPECT_STREQ(e.what(), ("GET " + server.url() + "/api/Jobs: interrupted").c_str());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  release.set_value();
}

TEST(AmsClient, ATokenWithALineBreakIsRefusedBeforeAnyRequest) {
  try {
    AmsClient client({"http://127.0.0.1:9", "abc\r\nX-Injected: 1"});
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Input);
  }
}

TEST(ReadTokenFile, SkipsBlankAndCommentLinesAndTrims) {
  test::TempDir dir;
  std::ofstream(dir.path() / "tokens") << "\n# the API token\n   \n  s3cret-token \nsecond\n";
  EXPECT_EQ(read_token_file(dir.path() / "tokens"), "s3cret-token");
  std::ofstream(dir.path() / "empty") << "# nothing\n\n";
  EXPECT_THROW(read_token_file(dir.path() / "empty"), ClientError);
  EXPECT_THROW(read_token_file(dir.path() / "missing"), ClientError);
}

TEST(PercentEncode, EncodesEverythingButUnreserved) {
  EXPECT_EQ(percent_encode("nb:cid:UUID:ab-9_~."), "nb%3Acid%3AUUID%3Aab-9_~.");
  EXPECT_EQ(percent_encode("a b'/?"), "a%20b%27%2F%3F");
}

}  // namespace
}  // namespace mw::client
