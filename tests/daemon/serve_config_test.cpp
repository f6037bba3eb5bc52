// `mediaworker serve` and its config at run time (issue 8): a broken file at start-up (one line
// naming the key, exit non-zero), SIGHUP reading the file again (a broken one logged and the
// running config kept; bearer tokens rotated; keys that need a restart named), and the log as
// JSON lines carrying the job, task and asset of each line. The real binary on a loopback port;
// waits are on the daemon's log lines.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/daemon.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kMedia = MW_MEDIA_DIR;

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

TEST(ServeConfig, BrokenConfigAtStartIsOneLineNamingTheKeyAndExitsNonZero) {
  TempDir dir;
  std::ofstream(dir.path() / "config.yaml") << "store:\n  url: sqlite://jobs.db\nstorage:\n  root: assets\n"
                                               "worker:\n  slots: -1\n";
  const ProcessResult r = run({MW_BINARY, "serve", "--config", (dir.path() / "config.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("mediaworker: error: " + (dir.path() / "config.yaml").string() + ": worker.slots: ", 0), 0u)
      << lines[0];
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "jobs.db")) << "a broken config must not touch the store";
}

TEST(ServeConfig, StartUpFailureAfterTheConfigIsReadIsOneJsonLineWithLogFormatJson) {
  TempDir dir;
  std::ofstream(dir.path() / "config.yaml")
      << "api:\n  listen: 127.0.0.1:0\nstore:\n  url: postgresql://mw:s3cret-pw@127.0.0.1:1/mw\n"
         "storage:\n  root: assets\nlog:\n  format: json\n";
  const ProcessResult r = run({MW_BINARY, "serve", "--config", (dir.path() / "config.yaml").string()});
  EXPECT_EQ(r.exit_code, 1);
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  json line;
  ASSERT_NO_THROW(line = json::parse(lines[0])) << lines[0];
  EXPECT_EQ(line["level"], "critical");
  const std::string message = line["message"];
  EXPECT_EQ(message.rfind("cannot connect to job database postgresql://mw:***@127.0.0.1:1/mw: ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find('\t'), std::string::npos) << "libpq's continuation line joined with one space: " << message;
  EXPECT_EQ(r.err.find("s3cret-pw"), std::string::npos) << r.err;
}

TEST(ServeConfig, SighupWithABrokenFileKeepsTheRunningConfigAndAValidOneRotatesTheTokens) {
  TempDir dir;
  DaemonProcess daemon(dir.path());
  daemon.start();
  const std::filesystem::path config = dir.path() / "config.yaml";
  const std::string original = read_file(config);
  const std::string old_token = daemon.token();

  // A broken file: one error line naming the key; the API keeps answering with the old token.
  std::ofstream(config, std::ios::app) << "log:\n  level: loud\n";
  daemon.send_signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_log("config reload failed: ", 30s)) << daemon.log();
  EXPECT_NE(daemon.log().find("config reload failed: " + config.string() + ": log.level: "), std::string::npos)
      << daemon.log();
  EXPECT_NE(daemon.log().find("keeping the running configuration and presets"), std::string::npos);
  EXPECT_EQ(daemon.request("GET", "/api/Jobs").status, 200);

  // A valid file with a new token and a new store.url: the token is in force at once, the old
  // one refused; the store.url waits for a restart and says so.
  const std::string new_token = "rotated-" + old_token;
  std::ofstream(dir.path() / "tokens") << new_token << "\n";
  std::string changed = original;
  const size_t url = changed.find("jobs.db");
  ASSERT_NE(url, std::string::npos) << changed;
  changed.replace(url, 7, "other.db");
  std::ofstream(config, std::ios::trunc) << changed << "log:\n  level: debug\n";
  daemon.send_signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_log("config reloaded from ", 30s)) << daemon.log();
  ASSERT_TRUE(daemon.wait_for_log("presets reloaded: ", 30s)) << daemon.log();
  EXPECT_NE(daemon.log().find("applied api.tokens_file, log.level"), std::string::npos) << daemon.log();
  EXPECT_NE(daemon.log().find("config reload: store.url changed: takes effect at the next restart"),
            std::string::npos)
      << daemon.log();
  EXPECT_EQ(daemon.request("GET", "/api/Jobs", {}, {{"Authorization", "Bearer " + new_token}}).status, 200);
  EXPECT_EQ(daemon.request("GET", "/api/Jobs", {}, {{"Authorization", "Bearer " + old_token}}).status, 401);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "other.db")) << "store.url applies at restart only";

  EXPECT_EQ(daemon.stop(), 0);
  const std::string log = daemon.log();
  EXPECT_EQ(log.find(old_token), std::string::npos) << "a token in the log:\n" << log;
  EXPECT_EQ(log.find(new_token), std::string::npos) << "a token in the log:\n" << log;
}

TEST(ServeConfig, JsonLogLinesCarryTheJobTaskAndOutputAssetOfATask) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), "worker:\n  slots: 1\nlog:\n  format: json\n");
  daemon.start();
  const std::string asset = daemon.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  const std::string body =
      json{{"Name", "json log"},
           {"InputMediaAssets", {{{"__metadata", {{"uri", "http://host/api/Assets('" + url_encode(asset) + "')"}}}}}},
           {"Tasks",
            {{{"Configuration", "H264 Single Bitrate Low Quality SD for Android"},
              {"MediaProcessorId", "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"},
              {"TaskBody",
               "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
               "</taskBody>"}}}}}
          .dump();
  const HttpResponse created = daemon.request("POST", "/api/Jobs", body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string job_id = json::parse(created.body)["d"]["Id"];
  ASSERT_TRUE(daemon.wait_for_log("of job " + job_id + ": finished", 120s)) << daemon.log();
  const json tasks = json::parse(daemon.request("GET", "/api/Jobs('" + url_encode(job_id) + "')/Tasks").body)["d"];
  const std::string task_id = tasks["results"][0]["Id"];
  const json outputs =
      json::parse(daemon.request("GET", "/api/Jobs('" + url_encode(job_id) + "')/OutputMediaAssets").body)["d"];
  const std::string output_id = outputs["results"][0]["Id"];
  EXPECT_EQ(daemon.stop(), 0);

  int task_lines = 0;
  for (const std::string& line : lines_of(daemon.log())) {
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(line)) << "not a JSON line: " << line;
    ASSERT_TRUE(parsed.contains("time") && parsed.contains("level") && parsed.contains("message")) << line;
    EXPECT_EQ(parsed["time"].get<std::string>().back(), 'Z') << line;
    const std::string message = parsed["message"];
    if (message.find("task " + task_id + " of job " + job_id) == 0) {
      ++task_lines;
      EXPECT_EQ(parsed.value("job_id", ""), job_id) << line;
      EXPECT_EQ(parsed.value("task_id", ""), task_id) << line;
      EXPECT_EQ(parsed.value("asset_id", ""), output_id) << line;
    }
  }
  EXPECT_GE(task_lines, 2) << daemon.log();  // "processing ..." and "finished: ..."
  EXPECT_EQ(daemon.log().find(daemon.token()), std::string::npos) << "the token in the log";
}

}  // namespace
}  // namespace mw::test
