// `mediaworker serve` end to end: the real binary on a loopback port, driven over HTTP with the
// AMS v2 Job page's own requests, on real clips. Waits are on the daemon's log lines (a condition
// fed by the log reader), never on sleeps.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/daemon.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kMedia = MW_MEDIA_DIR;
constexpr const char* kJobPageProcessor = "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5";
constexpr const char* kMes = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56";
constexpr const char* kOneTaskBody =
    R"(<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>)";

std::string guid_of_id(const std::string& id) { return id.substr(id.rfind(':') + 1); }

// The Job page's "Create a Job" body, with the asset link under another host.
std::string job_page_body(const std::string& asset_id, const std::string& preset = "H.264 HD 720p VBR",
                          const std::string& name = "NewTestJob", int priority = 0) {
  json body = {{"Name", name},
               {"InputMediaAssets",
                {{{"__metadata",
                   {{"uri", "https://myaccount.restv2.westus.media.azure.net/api/Assets('" + url_encode(asset_id) + "')"}}}}}},
               {"Tasks", {{{"Configuration", preset}, {"MediaProcessorId", kJobPageProcessor}, {"TaskBody", kOneTaskBody}}}}};
  if (priority != 0) body["Priority"] = priority;
  return body.dump();
}

class Serve : public ::testing::Test {
 protected:
  void SetUp() override { daemon_.start(); }

  json get(const std::string& target) {
    const HttpResponse r = daemon_.request("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
  std::string create_job(const std::string& body) {
    const HttpResponse r = daemon_.request("POST", "/api/Jobs", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["d"]["Id"];
  }
  json job(const std::string& id) { return get("/api/Jobs('" + url_encode(id) + "')")["d"]; }
  json tasks(const std::string& id) { return get("/api/Jobs('" + url_encode(id) + "')/Tasks")["d"]["results"]; }
  std::vector<std::string> output_files(const std::string& job_id, int index = 0) {
    const json assets = get("/api/Jobs('" + url_encode(job_id) + "')/OutputMediaAssets")["d"]["results"];
    const std::string asset_id = assets.at(static_cast<size_t>(index)).at("Id").get<std::string>();
    const json files = get("/api/Assets('" + url_encode(asset_id) + "')/Files");
    std::vector<std::string> names;
    for (const auto& f : files["d"]["results"]) names.push_back(f["Name"]);
    std::sort(names.begin(), names.end());
    return names;
  }
  // Waits for the worker's log line of the job's task reaching `what` ("finished", "canceled", an
  // AMS error code ...).
  bool wait_task(const std::string& job_id, const std::string& what, std::chrono::milliseconds timeout = 120s) {
    return daemon_.wait_for_log("of job " + job_id + ": " + what, timeout);
  }
  static std::vector<std::string> event_codes(const json& task) {
    std::vector<std::string> codes;
    for (const auto& e : task["HistoricalEvents"]["results"]) codes.push_back(e["Code"]);
    return codes;
  }

  TempDir dir_;
  DaemonProcess daemon_{dir_.path()};
};

TEST_F(Serve, JobPageCreateRequestFinishesWithItsOutputAsset) {
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  const HttpResponse created = daemon_.request("POST", "/api/Jobs", job_page_body(asset));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["d"]["Id"];
  EXPECT_EQ(id.rfind("nb:jid:UUID:", 0), 0u);
  EXPECT_NE(created.headers.at("location").find("/api/Jobs('nb%3Ajid%3AUUID%3A"), std::string::npos);
  ASSERT_TRUE(wait_task(id, "finished")) << daemon_.log();

  const json j = job(id);
  EXPECT_EQ(j["State"], 3);
  EXPECT_GT(j["RunningDuration"].get<double>(), 0.0);
  const json t = tasks(id)[0];
  EXPECT_EQ(t["State"], 3);
  EXPECT_EQ(t["Progress"].get<double>(), 100.0);
  EXPECT_GT(t["RunningDuration"].get<double>(), 0.0);
  EXPECT_LT(t["RunningDuration"].get<double>(), 120.0);  // seconds, not milliseconds
  EXPECT_LE(t["StartTime"].get<std::string>(), t["EndTime"].get<std::string>());
  EXPECT_EQ(event_codes(t), (std::vector<std::string>{"Queued", "Scheduled", "Processing", "Finished"}));
  EXPECT_NE(t["PerfMessage"].get<std::string>().find("Encoding time is"), std::string::npos);
  std::vector<std::string> expected{guid_of_id(asset) + "_metadata.xml", "clip-1080x720-h264-aac-mono-1s_1080x720_4500.mp4",
                                    "clip-1080x720-h264-aac-mono-1s_manifest.xml"};
  std::sort(expected.begin(), expected.end());  // output_files() is sorted; the GUID may sort either side
  EXPECT_EQ(output_files(id), expected);
}

TEST_F(Serve, ChainedTasksRunInOrder) {
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  json body = {{"Name", "chain"},
               {"InputMediaAssets@odata.bind", {"http://other-host/api/Assets('" + url_encode(asset) + "')"}},
               {"Tasks",
                {{{"Configuration", "H.264 HD 720p VBR"}, {"MediaProcessorId", kMes}, {"TaskBody", kOneTaskBody}},
                 {{"Configuration", "AAC Good Quality Audio"},
                  {"MediaProcessorId", kMes},
                  {"TaskBody",
                   "<taskBody><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)</outputAsset></taskBody>"}}}}};
  const std::string id = create_job(body.dump());
  ASSERT_TRUE(daemon_.wait_for_log("of job " + id + ": finished", 120s, 2)) << daemon_.log();
  EXPECT_EQ(job(id)["State"], 3);
  const json ts = tasks(id);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_LE(ts[0]["EndTime"].get<std::string>(), ts[1]["StartTime"].get<std::string>());
  // Task 2 read task 1's MP4; {Basename} is the first 32 characters of its name (MES).
  const auto audio = output_files(id, 1);
  EXPECT_NE(std::find(audio.begin(), audio.end(), "clip-1080x720-h264-aac-mono-1s_1_AAC_192.mp4"), audio.end())
      << ::testing::PrintToString(audio);
}

TEST_F(Serve, LadderAboveTheSourceDropsLayersAndSaysSoInHistoricalEvents) {
  // An inline MES JSON preset (as migrating users send it in Task.Configuration): a 1080p/720p/
  // 360p ladder on the 1080x720 clip. The 1920x1080 box would be 1620x1080, above the source:
  // MES drops it, and the task's HistoricalEvents say so before "Finished".
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  const json preset = {
      {"Version", 1.0},
      {"Codecs",
       {{{"Type", "H264Video"},
         {"KeyFrameInterval", "00:00:02"},
         {"Complexity", "Speed"},
         {"H264Layers",
          {{{"Type", "H264Layer"}, {"Width", 1920}, {"Height", 1080}, {"Bitrate", 3000}},
           {{"Type", "H264Layer"}, {"Width", 1280}, {"Height", 720}, {"Bitrate", 1500}},
           {{"Type", "H264Layer"}, {"Width", 640}, {"Height", 360}, {"Bitrate", 500}}}}},
        {{"Type", "AACAudio"}, {"Bitrate", 96}}}},
      {"Outputs", {{{"FileName", "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4"}, {"Format", {{"Type", "MP4Format"}}}}}}};
  const std::string id = create_job(job_page_body(asset, preset.dump(2), "ladder"));
  ASSERT_TRUE(wait_task(id, "finished")) << daemon_.log();
  const json t = tasks(id)[0];
  EXPECT_EQ(event_codes(t), (std::vector<std::string>{"Queued", "Scheduled", "Processing", "Note", "Finished"}));
  const std::string note = t["HistoricalEvents"]["results"][3]["Message"];
  EXPECT_NE(note.find("layer 0 (1920x1080 at 3000 kbps) dropped"), std::string::npos) << note;
  std::vector<std::string> expected{guid_of_id(asset) + "_metadata.xml", "clip-1080x720-h264-aac-mono-1s_1080x720_1500.mp4",
                                    "clip-1080x720-h264-aac-mono-1s_540x360_500.mp4",
                                    "clip-1080x720-h264-aac-mono-1s_manifest.xml"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(output_files(id), expected);
}

TEST_F(Serve, TruncatedClipEndsInErrorAndTheDaemonKeepsServing) {
  const std::string asset = daemon_.upload(kMedia + "/truncated-mdat-640x360-h264-aac.mp4");
  // The smallest video preset: the demuxer fails after 10 s of pictures whatever the preset.
  const std::string id = create_job(job_page_body(asset, "H264 Single Bitrate Low Quality SD for Android"));
  ASSERT_TRUE(wait_task(id, "ErrorExecutingTaskMalformedContent")) << daemon_.log();
  const json j = job(id);
  EXPECT_EQ(j["State"], 4);
  const json t = tasks(id)[0];
  EXPECT_EQ(t["State"], 4);
  const json detail = t["ErrorDetails"]["results"][0];
  EXPECT_EQ(detail["Code"], "ErrorExecutingTaskMalformedContent");
  EXPECT_NE(detail["Message"].get<std::string>().find("stream 0: input ended early at 10."), std::string::npos)
      << detail;
  EXPECT_TRUE(output_files(id).empty());
  EXPECT_EQ(daemon_.request("GET", "/api/MediaProcessors").status, 200);
}

TEST_F(Serve, CancelStopsTheLongEncodeWithinTwoSecondsAndLeavesNoFiles) {
  const std::string asset = daemon_.upload(kMedia + "/long-1080p60-av1-aac-6min.mp4");
  const std::string id = create_job(job_page_body(asset));
  ASSERT_TRUE(wait_task(id, "processing")) << daemon_.log();
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon_.request("GET", "/api/CancelJob?jobid='" + url_encode(id) + "'").status, 204);
  ASSERT_TRUE(wait_task(id, "canceled", 2s)) << daemon_.log();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 2s);
  EXPECT_EQ(job(id)["State"], 5);
  EXPECT_EQ(tasks(id)[0]["State"], 5);
  EXPECT_TRUE(output_files(id).empty());
  // A final job cannot be canceled again; it can be deleted, its output asset stays.
  EXPECT_EQ(daemon_.request("GET", "/api/CancelJob?jobid='" + url_encode(id) + "'").status, 400);
  EXPECT_EQ(daemon_.request("DELETE", "/api/Jobs('" + url_encode(id) + "')").status, 204);
  EXPECT_EQ(daemon_.request("GET", "/api/Jobs('" + url_encode(id) + "')").status, 404);
}

TEST_F(Serve, HigherPriorityJobRunsFirstWithOneSlot) {
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  const std::string first = create_job(job_page_body(asset, "H.264 HD 720p VBR", "first"));
  const std::string low = create_job(job_page_body(asset, "H.264 HD 720p VBR", "low", 0));
  const std::string high = create_job(job_page_body(asset, "H.264 HD 720p VBR", "high", 10));
  ASSERT_TRUE(wait_task(low, "finished")) << daemon_.log();
  ASSERT_TRUE(wait_task(high, "finished")) << daemon_.log();
  ASSERT_TRUE(wait_task(first, "finished")) << daemon_.log();
  EXPECT_LT(tasks(high)[0]["StartTime"].get<std::string>(), tasks(low)[0]["StartTime"].get<std::string>());
}

TEST_F(Serve, JobCreatedFromAJobTemplateFinishesWithItsMp4) {
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  const std::string task_template_id = "nb:ttid:UUID:5b2d8b0e-6c1f-4f55-9a57-0d6f2c4c1e01";
  const json job_template = {
      {"Name", "SD for Android"},
      {"TemplateType", 1},
      {"NumberofInputAssets", 1},
      {"JobTemplateBody", "<?xml version=\"1.0\" encoding=\"utf-8\"?><jobTemplate><taskBody taskTemplateId=\"" +
                              task_template_id +
                              "\"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
                              "</taskBody></jobTemplate>"},
      {"TaskTemplates",
       {{{"Id", task_template_id},
         {"Name", "SD"},
         {"Configuration", "H264 Single Bitrate Low Quality SD for Android"},
         {"MediaProcessorId", kMes},
         {"NumberofInputAssets", 1},
         {"NumberofOutputAssets", 1}}}}};
  const HttpResponse created = daemon_.request("POST", "/api/JobTemplates", job_template.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string template_id = json::parse(created.body)["d"]["Id"];

  const json from_template = {
      {"Name", "from template"},
      {"TemplateId", template_id},
      {"InputMediaAssets",
       {{{"__metadata", {{"uri", "https://myaccount.restv2.westus.media.azure.net/api/Assets('" + url_encode(asset) + "')"}}}}}}};
  const std::string id = create_job(from_template.dump());
  ASSERT_TRUE(wait_task(id, "finished")) << daemon_.log();
  const json j = job(id);
  EXPECT_EQ(j["State"], 3);
  EXPECT_EQ(j["TemplateId"], template_id);
  EXPECT_EQ(tasks(id)[0]["Name"], "SD");
  const auto files = output_files(id);
  EXPECT_EQ(std::count_if(files.begin(), files.end(), [](const std::string& f) { return f.ends_with(".mp4"); }), 1)
      << ::testing::PrintToString(files);
}

TEST_F(Serve, BadRequestsPersistNothing) {
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  const HttpResponse unknown_preset = daemon_.request("POST", "/api/Jobs", job_page_body(asset, "H.264 HD 9000p"));
  EXPECT_EQ(unknown_preset.status, 400);
  EXPECT_NE(unknown_preset.body.find("unknown preset 'H.264 HD 9000p'"), std::string::npos) << unknown_preset.body;
  EXPECT_EQ(daemon_.request("POST", "/api/Jobs", "{\"Name\": ").status, 400);
  EXPECT_TRUE(get("/api/Jobs")["d"]["results"].empty());
  EXPECT_EQ(daemon_.request("GET", "/api/Jobs", "", {{"Authorization", "Bearer wrong"}}).status, 401);
}

TEST(ServeRestart, KilledDaemonFinishesTheJobAfterRestartWithoutDuplicateFiles) {
  TempDir dir;
  std::string id, asset;
  {
    DaemonProcess first(dir.path());
    first.start();
    asset = first.upload(kMedia + "/vfr-640x360-h264-aac-17s.mp4");
    const HttpResponse r = first.request("POST", "/api/Jobs", job_page_body(asset));
    ASSERT_EQ(r.status, 201) << r.body;
    id = json::parse(r.body)["d"]["Id"];
    ASSERT_TRUE(first.wait_for_log("of job " + id + ": processing", 60s)) << first.log();
    first.kill_now();  // SIGKILL mid-encode
  }
  DaemonProcess second(dir.path());
  second.start();
  ASSERT_TRUE(second.wait_for_log("of job " + id + ": finished", 180s)) << second.log();
  const json t = json::parse(second.request("GET", "/api/Jobs('" + url_encode(id) + "')/Tasks").body)["d"]["results"][0];
  EXPECT_EQ(t["State"], 3);
  std::vector<std::string> codes;
  for (const auto& e : t["HistoricalEvents"]["results"]) codes.push_back(e["Code"]);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "Requeued"), 1) << ::testing::PrintToString(codes);
  EXPECT_EQ(codes.back(), "Finished");
  const json out = json::parse(second.request("GET", "/api/Jobs('" + url_encode(id) + "')/OutputMediaAssets").body);
  const json files =
      json::parse(second.request("GET", "/api/Assets('" + url_encode(out["d"]["results"][0]["Id"]) + "')/Files").body);
  EXPECT_EQ(files["d"]["results"].size(), 3u) << files.dump();
}

}  // namespace
}  // namespace mw::test
