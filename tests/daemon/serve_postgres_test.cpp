// `mediaworker serve` on a PostgreSQL store (store.url postgresql://...): the Job page's job runs
// and outlives a daemon restart; an unreachable store at start-up is one clear line and a
// non-zero exit. The server: tests/support/pg_server.hpp (skipped, saying why, without one).

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "tests/support/daemon.hpp"
#include "tests/support/pg_server.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kTaskBody =
    "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)"
    "</outputAsset></taskBody>";

TEST(ServePostgres, JobPageJobFinishesAndOutlivesARestart) {
  PgServer& server = PgServer::shared();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server: " << server.reason();
  const std::string url = server.create_database();
  TempDir dir;
  std::string job;
  {
    DaemonProcess daemon(dir.path(), "worker:\n  slots: 1\n", url);
    daemon.start();
    const std::string asset = daemon.upload(std::string(MW_MEDIA_DIR) + "/clip-1080x720-h264-aac-mono-1s.mp4");
    const json body = {
        {"Name", "on postgres"},
        {"InputMediaAssets", {{{"__metadata", {{"uri", "https://x/api/Assets('" + url_encode(asset) + "')"}}}}}},
        {"Tasks",
         {{{"Configuration", "H.264 HD 720p VBR"},
           {"MediaProcessorId", "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5"},
           {"TaskBody", kTaskBody}}}}};
    const HttpResponse created = daemon.request("POST", "/api/Jobs", body.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    job = json::parse(created.body)["d"]["Id"];
    ASSERT_TRUE(daemon.wait_for_log("of job " + job + ": finished", 120s)) << daemon.log();
    daemon.stop();
  }
  DaemonProcess again(dir.path(), "worker:\n  slots: 1\n", url);
  again.start();
  const json j = json::parse(again.request("GET", "/api/Jobs('" + url_encode(job) + "')").body)["d"];
  EXPECT_EQ(j["State"], 3);
  EXPECT_EQ(j["Name"], "on postgres");
  const json outputs =
      json::parse(again.request("GET", "/api/Jobs('" + url_encode(job) + "')/OutputMediaAssets").body);
  const std::string output = outputs["d"]["results"][0]["Id"];
  const json files = json::parse(again.request("GET", "/api/Assets('" + url_encode(output) + "')/Files").body);
  EXPECT_EQ(files["d"]["results"].size(), 3u) << files.dump();  // MP4, _manifest.xml, _metadata.xml
}

TEST(ServePostgres, AHostWhoseSharedStorageIsNotMountedRefusesToStart) {
  PgServer& server = PgServer::shared();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server: " << server.reason();
  const std::string url = server.create_database();
  TempDir shared, first_dir, unmounted, second_dir;
  DaemonProcess first(first_dir.path(), "worker:\n  slots: 1\n", url, {}, shared.path());
  first.start();  // the farm's first host marks the shared storage
  EXPECT_TRUE(std::filesystem::exists(shared.path() / ".mediaworker-storage"));
  // Another host whose mount point is an empty folder: it must not take (and fail) tasks.
  DaemonProcess second(second_dir.path(), "worker:\n  slots: 1\n  host_id: second\n", url,
                       {"--role", "worker"}, unmounted.path());
  try {
    second.start();
    FAIL() << "a host without the shared storage started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("has no .mediaworker-storage marker, but this farm's shared storage "
                                         "has one"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(first.stop(), 0);
}

TEST(ServePostgres, UnreachableStoreAtStartUpIsOneClearLineAndAFailure) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), "worker:\n  slots: 1\n",
                       "postgresql://mw:s3cret@127.0.0.1:1/jobs?connect_timeout=2");
  const ProcessResult r =
      run({MW_BINARY, "serve", "--config", (dir.path() / "config.yaml").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.last_error_line().find("127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;  // the password is not shown
}

TEST(ServePostgres, HealthzStaysQuickAndReadyzAnswersWithinASecondWhileTheStoreIsDown) {
  // PostgreSQL stopped: each store call retries for about 4.5 s. /readyz and /metrics ran those
  // calls on the API's two I/O threads, so /healthz took 4.5 s and the fourth of four parallel
  // /readyz 12 s; the store calls now run on a probe thread with bounded waits.
  PgServer& server = PgServer::restartable();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server to stop: " << server.reason();
  if (!server.owns_cluster())
    GTEST_SKIP() << "the PostgreSQL server is external: this test does not stop it";
  const std::string url = server.create_database();
  TempDir dir;
  DaemonProcess daemon(dir.path(), "worker:\n  slots: 1\n", url);
  daemon.start();
  ASSERT_EQ(daemon.request("GET", "/readyz").status, 200) << daemon.log();
  server.stop();
  struct Timed {
    HttpResponse response;
    std::chrono::milliseconds took{};
  };
  const auto timed = [&daemon](const std::string& target) {
    const auto start = std::chrono::steady_clock::now();
    Timed t{daemon.request("GET", target), {}};
    t.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return t;
  };
  std::vector<std::future<Timed>> probes;
  for (int i = 0; i < 4; ++i)
    probes.push_back(std::async(std::launch::async, timed, std::string("/readyz")));
  const Timed healthz = timed("/healthz");
  EXPECT_EQ(healthz.response.status, 200);
  EXPECT_LT(healthz.took, 2500ms) << "the probes held the API's threads";
  for (auto& probe : probes) {
    const Timed readyz = probe.get();
    EXPECT_EQ(readyz.response.status, 503) << readyz.response.body;
    EXPECT_EQ(readyz.response.body.rfind("not ready: store: ", 0), 0u) << readyz.response.body;
    EXPECT_LT(readyz.took, 3000ms);
  }
  const Timed scrape = timed("/metrics");
  EXPECT_EQ(scrape.response.status, 200);
  EXPECT_NE(scrape.response.body.find("\nmediaworker_store_up 0\n"), std::string::npos);
  EXPECT_LT(scrape.took, 3000ms);
  // The store is back: /readyz says ready again (each try is a real request, waited for).
  server.start();
  bool ready = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 60s;
       !ready && std::chrono::steady_clock::now() < deadline;)
    ready = daemon.request("GET", "/readyz").status == 200;
  EXPECT_TRUE(ready) << daemon.log();
  daemon.stop();
}

TEST(ServePostgres, SigtermWhileTheStoreIsDownStillStopsCleanly) {
  // The last line's count of queued notifications asked the store: with PostgreSQL down that
  // threw out of the stop, so a requested stop exited 1 with no "stopped" line.
  PgServer& server = PgServer::restartable();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server to stop: " << server.reason();
  if (!server.owns_cluster())
    GTEST_SKIP() << "the PostgreSQL server is external: this test does not stop it";
  const std::string url = server.create_database();
  TempDir dir;
  DaemonProcess daemon(dir.path(), "worker:\n  slots: 1\n  drain_seconds: 1\n", url);
  daemon.start();
  server.stop();
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  EXPECT_NE(daemon.log().find("mediaworker: stopped ("), std::string::npos) << daemon.log();
  server.start();
}

}  // namespace
}  // namespace mw::test
