// `mediaworker serve` reloading its user preset folder on SIGHUP: the real binary on a loopback
// port, real HTTP, a 1-second real clip. Waits are on the daemon's log lines, never on sleeps.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/daemon.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kMedia = MW_MEDIA_DIR;
constexpr const char* kMes = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56";
constexpr const char* kOneTaskBody =
    "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</"
    "outputAsset></taskBody>";

// A small preset so that its jobs are cheap: 320x180 box (a 1080x720 clip comes out 270x180).
constexpr const char* kMyPreset = R"(name: My Preset
video:
  layers:
    - {width: 320, height: 180, bitrate: 300}
audio:
  bitrate: 64
outputs:
  - file_name: "{Basename}_mine_{Width}x{Height}{Extension}"
)";

// Line 6 holds the error.
constexpr const char* kBrokenPreset = R"(name: Broken Preset
video:
  layers:
    - width: 320
      height: 180
      bitrate: -5
outputs:
  - file_name: "{Basename}{Extension}"
)";

std::string job_body(const std::string& asset_id, const std::string& preset) {
  return json{
      {"Name", "reload"},
      {"InputMediaAssets@odata.bind",
       {"http://other-host/api/Assets('" + url_encode(asset_id) + "')"}},
      {"Tasks",
       {{{"Configuration", preset}, {"MediaProcessorId", kMes}, {"TaskBody", kOneTaskBody}}}}}
      .dump();
}

class ServePresetReload : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(user_dir_);
    daemon_.start();
  }
  void write(const std::string& file, const std::string& text) {
    std::ofstream(user_dir_ / file) << text;
  }
  // POST /api/Jobs; returns the job Id, or "" with the response in `rejected`.
  std::string create_job(const std::string& asset, const std::string& preset,
                         std::string* rejected = nullptr) {
    const HttpResponse r = daemon_.request("POST", "/api/Jobs", job_body(asset, preset));
    if (r.status != 201) {
      if (rejected) *rejected = std::to_string(r.status) + " " + r.body;
      return "";
    }
    return json::parse(r.body)["d"]["Id"];
  }
  json job(const std::string& id) {
    return json::parse(daemon_.request("GET", "/api/Jobs('" + url_encode(id) + "')").body)["d"];
  }
  // SIGHUP, then wait for the reload's outcome line (the `count`th of its kind).
  bool hang_up_and_wait(const std::string& line, int count = 1) {
    daemon_.send_signal(SIGHUP);
    return daemon_.wait_for_log(line, 30s, count);
  }

  TempDir dir_;
  std::filesystem::path user_dir_ = dir_.path() / "my-presets";
  // presets.dirs is relative to the config file's folder.
  DaemonProcess daemon_{dir_.path(), "worker:\n  slots: 1\npresets:\n  dirs: [my-presets]\n"};
};

TEST_F(ServePresetReload, NewPresetFileServesJobsAfterSighupAndABrokenOneKeepsThePreviousSet) {
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");

  // Empty user folder: the Configuration does not resolve (the job is refused at creation).
  std::string rejected;
  EXPECT_EQ(create_job(asset, "My Preset", &rejected), "");
  EXPECT_NE(rejected.find("400"), std::string::npos) << rejected;
  EXPECT_NE(rejected.find("unknown preset 'My Preset'"), std::string::npos) << rejected;

  write("my-preset.yaml", kMyPreset);
  ASSERT_TRUE(hang_up_and_wait("presets reloaded: ")) << daemon_.log();
  EXPECT_NE(daemon_.log().find("presets from 2 folders"), std::string::npos) << daemon_.log();
  const std::string first = create_job(asset, "my preset");  // names compare normalized
  ASSERT_FALSE(first.empty());
  ASSERT_TRUE(daemon_.wait_for_log("of job " + first + ": finished", 120s)) << daemon_.log();
  EXPECT_EQ(job(first)["State"], 3);

  write("broken.yaml", kBrokenPreset);
  ASSERT_TRUE(hang_up_and_wait("presets reload failed: ")) << daemon_.log();
  const std::string log = daemon_.log();
  EXPECT_NE(log.find("presets reload failed: " + (user_dir_ / "broken.yaml").string() +
                     ":6: video.layers[0].bitrate: -5 kbps is out of range"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("; keeping the previous "), std::string::npos) << log;
  // The previous set (with My Preset) is still in force; the broken preset is not.
  const std::string second = create_job(asset, "My Preset");
  ASSERT_FALSE(second.empty());
  ASSERT_TRUE(daemon_.wait_for_log("of job " + second + ": finished", 120s)) << daemon_.log();
  EXPECT_EQ(job(second)["State"], 3);
  EXPECT_EQ(create_job(asset, "Broken Preset", &rejected), "");
  EXPECT_NE(rejected.find("unknown preset 'Broken Preset'"), std::string::npos) << rejected;

  // Fixed file, SIGHUP: both presets are in force.
  write("broken.yaml",
        std::string(kBrokenPreset).replace(std::string(kBrokenPreset).find("-5"), 2, "200"));
  ASSERT_TRUE(hang_up_and_wait("presets reloaded: ", 2)) << daemon_.log();
  EXPECT_FALSE(create_job(asset, "Broken Preset").empty());

  // After the SIGHUPs, SIGTERM still stops the daemon cleanly.
  EXPECT_EQ(daemon_.stop(), 0);
  EXPECT_NE(daemon_.log().find("mediaworker: stopped"), std::string::npos) << daemon_.log();
}

TEST_F(ServePresetReload, RunningTaskKeepsItsPresetWhenAReloadRemovesIt) {
  write("my-preset.yaml", kMyPreset);
  ASSERT_TRUE(hang_up_and_wait("presets reloaded: ")) << daemon_.log();
  // A 6-minute clip: the task is still running when the reload lands.
  const std::string asset = daemon_.upload(kMedia + "/long-1080p60-av1-aac-6min.mp4");
  const std::string id = create_job(asset, "My Preset");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(daemon_.wait_for_log("of job " + id + ": processing", 60s)) << daemon_.log();

  std::filesystem::remove(user_dir_ / "my-preset.yaml");
  ASSERT_TRUE(hang_up_and_wait("presets reloaded: ", 2)) << daemon_.log();
  std::string rejected;
  EXPECT_EQ(create_job(asset, "My Preset", &rejected), "");  // new jobs see the new set
  EXPECT_NE(rejected.find("unknown preset 'My Preset'"), std::string::npos) << rejected;
  EXPECT_EQ(job(id)["State"], 2);  // the running one goes on with the preset it resolved
  EXPECT_EQ(daemon_.log().find("of job " + id + ": Error"), std::string::npos) << daemon_.log();
  EXPECT_EQ(daemon_.request("GET", "/api/CancelJob?jobid='" + url_encode(id) + "'").status, 204);
  ASSERT_TRUE(daemon_.wait_for_log("of job " + id + ": canceled", 10s)) << daemon_.log();
}

}  // namespace
}  // namespace mw::test
