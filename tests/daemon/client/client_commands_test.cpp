// The client verbs (`mediaworker asset ...`, `mediaworker job ...`) run as a user runs them: the
// real binary against a scripted AMS service on loopback.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/ip/tcp.hpp>
#include <fstream>

#include "tests/daemon/client/fake_ams.hpp"
#include "tests/support/process.hpp"

namespace mw::test {
namespace {

using nlohmann::json;

const std::string kBinary = MW_BINARY;
constexpr const char* kAssetId = "nb:cid:UUID:aaaa0000-0000-4000-8000-000000000001";
constexpr const char* kFileId = "nb:cid:UUID:ffff0000-0000-4000-8000-000000000002";
constexpr const char* kOutputId = "nb:cid:UUID:0000aaaa-0000-4000-8000-000000000009";
constexpr const char* kJobId = "nb:jid:UUID:1111aaaa-0000-4000-8000-000000000003";
const std::string kJobPath = "/api/Jobs('nb%3Ajid%3AUUID%3A1111aaaa-0000-4000-8000-000000000003')";

/// A scripted service, a token file, and a way to run the binary against them with a clean
/// environment (no MEDIAWORKER_* variables from the caller).
class ClientCommands : public ::testing::Test {
 protected:
  ClientCommands() : server_([this](const RecordedRequest& r) { return routes_(r); }) {
    std::ofstream(dir_.path() / "token") << "# test token\nsecret-1\n";
  }

  ProcessResult mw(std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {"/usr/bin/env", "-u", "MEDIAWORKER_URL", "-u",
                                     "MEDIAWORKER_TOKEN"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(kBinary);
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  std::vector<std::string> service() const {
    return {"--url", server_.url(), "--token-file", (dir_.path() / "token").string()};
  }
  std::vector<std::string> verb(std::vector<std::string> args) const {
    const auto s = service();
    args.insert(args.end(), s.begin(), s.end());
    return args;
  }
  std::string media_file(const std::string& name) const {
    const auto path = dir_.path() / name;
    std::ofstream(path) << "not really a movie";
    return path.string();
  }

  void route_upload() {
    routes_.on("POST", "/api/Assets", {verbose_entity(asset_entity(kAssetId, "clip.mp4"), 201)});
    routes_.on("POST", "/api/Files",
               {verbose_entity(file_entity(kFileId, "clip.mp4", kAssetId, "0", true), 201)});
    routes_.on("PUT", "/api/Files('nb%3Acid%3AUUID%3Affff0000-0000-4000-8000-000000000002')/$value",
               {{204, ""}});
  }
  void route_finished_job() {
    routes_.on("POST", "/api/Jobs", {verbose_entity(job_entity(kJobId, 0), 201)});
    routes_.on("GET", kJobPath,
               {verbose_entity(job_entity(kJobId, 2)), verbose_entity(job_entity(kJobId, 3))});
    routes_.on("GET", kJobPath + "/Tasks",
               {verbose_results({task_entity("nb:tid:UUID:t", 2, 50)}),
                verbose_results({task_entity("nb:tid:UUID:t", 3, 100)})});
    routes_.on("GET", kJobPath + "/OutputMediaAssets",
               {verbose_results({asset_entity(kOutputId, "clip out")})});
    routes_.on(
        "GET", "/api/Assets('nb%3Acid%3AUUID%3A0000aaaa-0000-4000-8000-000000000009')/Files",
        {verbose_results(
            {file_entity("nb:cid:UUID:o1", "clip_1280x720_4500.mp4", kOutputId, "1234567", false),
             file_entity("nb:cid:UUID:o2", "clip_manifest.xml", kOutputId, "800", false)})});
  }
  std::vector<RecordedRequest> requests_to(const std::string& method,
                                           const std::string& target) const {
    std::vector<RecordedRequest> out;
    for (const auto& r : server_.requests())
      if (r.method == method && r.target == target) out.push_back(r);
    return out;
  }

  TempDir dir_;
  RouteTable routes_;
  TestHttpServer server_;
};

TEST_F(ClientCommands, AssetUploadPrintsOneAssetIdPerFile) {
  route_upload();
  routes_.on("POST", "/api/Assets",
             {verbose_entity(asset_entity(kAssetId, "a.mp4"), 201),
              verbose_entity(asset_entity("nb:cid:UUID:second", "b.mp4"), 201)});
  const ProcessResult r = mw(verb({"asset", "upload", media_file("a.mp4"), media_file("b.mp4")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kAssetId) + "\nnb:cid:UUID:second\n");
  const auto assets = requests_to("POST", "/api/Assets");
  ASSERT_EQ(assets.size(), 2u);
  EXPECT_EQ(json::parse(assets[1].body), json({{"Name", "b.mp4"}}));
  EXPECT_EQ(assets[0].header("authorization"), "Bearer secret-1");
}

TEST_F(ClientCommands, AssetUploadOfAMissingFileFailsBeforeAnyRequest) {
  const ProcessResult r = mw(verb({"asset", "upload", media_file("a.mp4"), "/nonexistent/b.mp4"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.last_error_line(), "mediaworker: error: /nonexistent/b.mp4: no such file");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ClientCommands, SubmitAFileUploadsItWaitsAndListsTheOutputFiles) {
  route_upload();
  route_finished_job();
  const std::string clip = media_file("clip.mp4");
  const ProcessResult r =
      mw(verb({"job", "submit", "--input", clip, "--preset", "H.264 HD 720p VBR", "--wait"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), kJobId);
  EXPECT_NE(r.out.find("job " + std::string(kJobId) + " Finished (2.5 s)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  clip_1280x720_4500.mp4  1.2 MB\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  clip_manifest.xml  800 B\n"), std::string::npos) << r.out;
  // Not a terminal: the task's bar is plain percentage lines, ending at 100 %.
  EXPECT_NE(r.err.find("H.264 HD 720p VBR 50%"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("H.264 HD 720p VBR 100%"), std::string::npos) << r.err;

  const auto jobs = requests_to("POST", "/api/Jobs");
  ASSERT_EQ(jobs.size(), 1u);
  const json body = json::parse(jobs[0].body);
  EXPECT_EQ(body["Name"], "clip.mp4 (H.264 HD 720p VBR)");
  EXPECT_EQ(
      body["InputMediaAssets"][0]["__metadata"]["uri"],
      server_.url() + "/api/Assets('nb%3Acid%3AUUID%3Aaaaa0000-0000-4000-8000-000000000001')");
  EXPECT_EQ(body["Tasks"][0]["Configuration"], "H.264 HD 720p VBR");
  EXPECT_EQ(body["Tasks"][0]["MediaProcessorId"],
            "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56");
  EXPECT_EQ(jobs[0].header("content-type"), "application/json;odata=verbose");
}

TEST_F(ClientCommands, SubmitAnAssetIdUploadsNothingAndPassesNameAndPriority) {
  route_finished_job();
  const ProcessResult r = mw(verb({"job", "submit", "-i", kAssetId, "-p", "H.264 HD 720p VBR",
                                   "--name", "nightly", "--priority", "40"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kJobId) + "\n");
  EXPECT_TRUE(requests_to("POST", "/api/Assets").empty());
  const json body = json::parse(requests_to("POST", "/api/Jobs").at(0).body);
  EXPECT_EQ(body["Name"], "nightly");
  EXPECT_EQ(body["Priority"], 40);
}

TEST_F(ClientCommands, SubmitAnAssetIdNamesTheJobAfterTheAsset) {
  route_finished_job();
  routes_.on("GET", "/api/Assets('nb%3Acid%3AUUID%3Aaaaa0000-0000-4000-8000-000000000001')",
             {verbose_entity(asset_entity(kAssetId, "interview.mov"))});
  const ProcessResult r = mw(verb({"job", "submit", "-i", kAssetId, "-p", "H.264 HD 720p VBR"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json body = json::parse(requests_to("POST", "/api/Jobs").at(0).body);
  EXPECT_EQ(body["Name"], "interview.mov (H.264 HD 720p VBR)");
}

TEST_F(ClientCommands, SubmitAnMesJsonFileSendsItsTextAndNamesTheJobByItsDescription) {
  route_finished_job();
  const std::string text = R"({"Version": 1.0,
  "Description": "Web audio 96k\nsecond line",
  "Codecs": [{"Type": "AACAudio", "Profile": "AACLC", "Channels": 2, "SamplingRate": 48000,
              "Bitrate": 96}],
  "Outputs": [{"FileName": "{Basename}_{AudioBitrate}{Extension}", "Format": {"Type": "MP4Format"}}]}
)";
  const auto preset = dir_.path() / "web.json";
  std::ofstream(preset) << text;
  route_upload();
  const ProcessResult r = mw(verb({"job", "submit", "-i", media_file("clip.mp4"), "-p", preset.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json body = json::parse(requests_to("POST", "/api/Jobs").at(0).body);
  EXPECT_EQ(body["Tasks"][0]["Configuration"], text);
  // One line, the Description's: never the whole JSON.
  EXPECT_EQ(body["Tasks"][0]["Name"], "Web audio 96k second line");
  EXPECT_EQ(body["Name"], "clip.mp4 (Web audio 96k second line)");
}

TEST_F(ClientCommands, SubmitAYamlFileWithALongNameCutsTheDefaultNamesButKeepsAGivenOne) {
  route_finished_job();
  route_upload();
  const std::string long_name(100, 'x');
  const auto preset = dir_.path() / "long.yaml";
  std::ofstream(preset) << "name: " << long_name
                        << "\naudio:\n  bitrate: 96\noutputs:\n  - file_name: \"{Basename}{Extension}\"\n";
  const ProcessResult r = mw(verb({"job", "submit", "-i", media_file("clip.mp4"), "-p", preset.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json body = json::parse(requests_to("POST", "/api/Jobs").at(0).body);
  EXPECT_EQ(body["Tasks"][0]["Name"], std::string(61, 'x') + "...");
  EXPECT_TRUE(body["Tasks"][0]["Configuration"].get<std::string>().find("name: " + long_name) == 0);

  const ProcessResult named = mw(verb({"job", "submit", "-i", kAssetId, "-p", preset.string(), "--name", "nightly"}));
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(json::parse(requests_to("POST", "/api/Jobs").at(1).body)["Name"], "nightly");
}

TEST_F(ClientCommands, SubmitInlineMesTextWithoutDescriptionIsAnInlinePreset) {
  route_finished_job();
  routes_.on("GET", "/api/Assets('nb%3Acid%3AUUID%3Aaaaa0000-0000-4000-8000-000000000001')",
             {verbose_entity(asset_entity(kAssetId, "interview.mov"))});
  const ProcessResult r = mw(verb({"job", "submit", "-i", kAssetId, "-p",
                                   "{\"Version\": 1.0,\n \"Codecs\": [], \"Outputs\": []}"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json body = json::parse(requests_to("POST", "/api/Jobs").at(0).body);
  EXPECT_EQ(body["Name"], "interview.mov (inline preset)");
  EXPECT_EQ(body["Tasks"][0]["Name"], "inline preset");
}

TEST_F(ClientCommands, SubmitOfNeitherAFileNorAnAssetIdIsAUsageError) {
  const ProcessResult r = mw(verb({"job", "submit", "-i", "clpi.mp4", "-p", "H.264 HD 720p VBR"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.last_error_line(),
            "mediaworker: error: clpi.mp4: no such file, and not an asset Id (nb:cid:UUID:...)");
}

TEST_F(ClientCommands, WaitOnAFailedJobPrintsTheErrorDetailsAndExits1) {
  routes_.on("GET", kJobPath, {verbose_entity(job_entity(kJobId, 4))});
  routes_.on("GET", kJobPath + "/Tasks",
             {verbose_results({task_entity("nb:tid:UUID:t", 4, 0,
                                           {{{"Code", "ErrorParsingConfiguration"},
                                             {"Message", "unknown preset 'H.264 HD 721p'"}}})})});
  const ProcessResult r = mw(verb({"job", "wait", kJobId}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("job " + std::string(kJobId) + " Error"), std::string::npos) << r.out;
  EXPECT_NE(
      r.err.find("mediaworker: error: H.264 HD 720p VBR: ErrorParsingConfiguration: unknown preset "
                 "'H.264 HD 721p'"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(r.last_error_line(),
            "mediaworker: error: job " + std::string(kJobId) + " ended in Error");
}

TEST_F(ClientCommands, WaitOnACanceledJobExits1) {
  routes_.on("GET", kJobPath, {verbose_entity(job_entity(kJobId, 5))});
  routes_.on("GET", kJobPath + "/Tasks", {verbose_results({task_entity("nb:tid:UUID:t", 5, 30)})});
  const ProcessResult r = mw(verb({"job", "wait", kJobId}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.last_error_line(),
            "mediaworker: error: job " + std::string(kJobId) + " ended in Canceled");
}

TEST_F(ClientCommands, WaitOnAnUnknownJobExits2) {
  const ProcessResult r = mw(verb({"job", "wait", kJobId}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.last_error_line().find("(HTTP 404)"), std::string::npos) << r.err;
}

TEST_F(ClientCommands, WaitTimesOutWith124) {
  routes_.on("GET", kJobPath, {verbose_entity(job_entity(kJobId, 2))});
  routes_.on("GET", kJobPath + "/Tasks", {verbose_results({task_entity("nb:tid:UUID:t", 2, 10)})});
  const ProcessResult r = mw(verb({"job", "wait", kJobId, "--timeout", "0.1"}));
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_EQ(r.last_error_line(), "mediaworker: error: timed out after 0.1 s; job " +
                                     std::string(kJobId) + " is still Processing");
}

TEST_F(ClientCommands, InterruptedWaitExits130AndLeavesTheJobRunning) {
  routes_.on("GET", kJobPath, {verbose_entity(job_entity(kJobId, 2))});
  routes_.on("GET", kJobPath + "/Tasks", {verbose_results({task_entity("nb:tid:UUID:t", 2, 10)})});
  std::vector<std::string> argv = {"/usr/bin/env",      "-u",   "MEDIAWORKER_URL", "-u",
                                   "MEDIAWORKER_TOKEN", kBinary};
  for (const std::string& a : verb({"job", "wait", kJobId})) argv.push_back(a);
  const ProcessResult r = run_and_signal(argv, "H.264 HD 720p VBR 10%", SIGINT);
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_NE(r.last_error_line().find("stopped waiting; job " + std::string(kJobId) +
                                     " is still Processing on the service"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(
      requests_to("GET",
                  "/api/CancelJob?jobid='nb%3Ajid%3AUUID%3A1111aaaa-0000-4000-8000-000000000003'")
          .empty());
}

TEST_F(ClientCommands, CancelRefusedPrintsTheAmsMessageAndExits1) {
  routes_.on("GET", "/api/CancelJob?jobid='nb%3Ajid%3AUUID%3A1111aaaa-0000-4000-8000-000000000003'",
             {{400, ams_error_body("Job is in a final state and cannot be canceled.")}});
  const ProcessResult r = mw(verb({"job", "cancel", kJobId}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.last_error_line(),
            "mediaworker: error: Job is in a final state and cannot be canceled. (HTTP 400)");
}

TEST_F(ClientCommands, CancelAndDeleteExit0On204) {
  routes_.on("GET", "/api/CancelJob?jobid='nb%3Ajid%3AUUID%3A1111aaaa-0000-4000-8000-000000000003'",
             {{204, ""}});
  routes_.on("DELETE", kJobPath, {{204, ""}});
  EXPECT_EQ(mw(verb({"job", "cancel", kJobId})).exit_code, 0);
  EXPECT_EQ(mw(verb({"job", "delete", kJobId})).exit_code, 0);
  EXPECT_EQ(requests_to("DELETE", kJobPath).size(), 1u);
}

TEST_F(ClientCommands, ListPrintsOneLinePerJob) {
  routes_.on("GET", "/api/Jobs?$top=2",
             {verbose_results(
                 {job_entity(kJobId, 3, "first"), job_entity("nb:jid:UUID:2", 2, "second job")})});
  const ProcessResult r = mw(verb({"job", "list", "--top", "2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kJobId) + "  Finished    first       2020-04-17T00:56:31Z\n" +
                       "nb:jid:UUID:2  Processing  second job  2020-04-17T00:56:31Z\n");
}

TEST_F(ClientCommands, ShowPrintsTheTasksTheirHistoryAndTheOutputs) {
  route_finished_job();
  routes_.on("GET", kJobPath, {verbose_entity(job_entity(kJobId, 3))});
  routes_.on("GET", kJobPath + "/Tasks", {verbose_results({task_entity("nb:tid:UUID:t", 3, 100)})});
  const ProcessResult r = mw(verb({"job", "show", kJobId}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string expected :
       {"  State            Finished\n", "task nb:tid:UUID:t  H.264 HD 720p VBR\n",
        "  Progress         100.0 %\n", "  RunningDuration  1.2 s\n",
        "    2020-04-17T00:56:31Z  Queued\n",
        "output asset nb:cid:UUID:0000aaaa-0000-4000-8000-000000000009  clip out\n"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
}

TEST_F(ClientCommands, RefusedTokenExits2NamingTheService) {
  routes_.on("GET", "/api/Jobs", {{401, ams_error_body("Invalid bearer token.")}});
  const ProcessResult r = mw(verb({"job", "list"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.last_error_line(), "mediaworker: error: " + server_.url() +
                                     ": the token was refused: Invalid bearer token. (HTTP 401)");
}

TEST_F(ClientCommands, UrlAndTokenComeFromTheEnvironment) {
  routes_.on("GET", "/api/Jobs", {verbose_results({})});
  const ProcessResult r =
      mw({"job", "list"}, {"MEDIAWORKER_URL=" + server_.url(), "MEDIAWORKER_TOKEN=from-env"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.requests().at(0).header("authorization"), "Bearer from-env");
}

TEST_F(ClientCommands, MissingTokenAsksForOne) {
  routes_.on("GET", "/api/Jobs", {{401, ams_error_body("A bearer token is required.")}});
  const ProcessResult r = mw({"job", "list", "--url", server_.url()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.last_error_line().find("set MEDIAWORKER_TOKEN or pass --token-file"),
            std::string::npos)
      << r.err;
}

TEST_F(ClientCommands, UnreachableServiceExits2NamingTheUrl) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket bound(io);  // bound, not listening: connections are refused
  bound.open(boost::asio::ip::tcp::v4());
  bound.bind({boost::asio::ip::address_v4::loopback(), 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(bound.local_endpoint().port());
  const ProcessResult r = mw({"job", "show", kJobId, "--url", url});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.last_error_line(), "mediaworker: error: cannot reach " + url + kJobPath +
                                     ": Connection refused; is `mediaworker serve` running there?");
}

}  // namespace
}  // namespace mw::test
