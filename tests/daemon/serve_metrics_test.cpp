// /metrics, /healthz and /readyz of the real binary (docs/metrics.md): a real job on a real
// one-second clip, then a scrape whose values must match what the job did (its task Finished,
// one duration observation, the output bytes equal to the output asset's file sizes, the clip's
// video frames); and a role worker process, whose listener serves only those three paths.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/support/daemon.hpp"
#include "tests/support/prometheus_text.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kMedia = MW_MEDIA_DIR;
const std::string kClip = "clip-1080x720-h264-aac-mono-1s.mp4";
constexpr int kClipVideoFrames = 30;  // ffprobe -count_frames: nb_read_frames of its video stream
constexpr const char* kJobPageProcessor = "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5";
constexpr const char* kOneTaskBody =
    R"(<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>)";

std::string job_body(const std::string& asset_id) {
  const json body = {
      {"Name", "metrics"},
      {"InputMediaAssets", {{{"__metadata", {{"uri", "https://x/api/Assets('" + url_encode(asset_id) + "')"}}}}}},
      {"Tasks",
       {{{"Configuration", "H.264 HD 720p VBR"}, {"MediaProcessorId", kJobPageProcessor}, {"TaskBody", kOneTaskBody}}}}};
  return body.dump();
}

// A GET without the daemon's token.
HttpResponse anonymous_get(const DaemonProcess& daemon, const std::string& target) {
  return http_request(daemon.port(), "GET", target, {}, {});
}

PrometheusText scrape(const DaemonProcess& daemon) {
  const HttpResponse r = daemon.request("GET", "/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  return PrometheusText(r.body);
}

// Scrapes until `name` has `value` (a gauge the slot updates as its run_task returns, just after
// the log line the test waits for), for at most 10 s; returns the last scrape.
PrometheusText scrape_until(const DaemonProcess& daemon, const std::string& name, double value) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    PrometheusText text = scrape(daemon);
    if (text.value(name) == value || std::chrono::steady_clock::now() > deadline) return text;
  }
}

TEST(ServeMetrics, ScrapeAfterARealJobShowsWhatTheJobDid) {
  TempDir dir;
  DaemonProcess daemon(dir.path());
  daemon.start();
  EXPECT_EQ(anonymous_get(daemon, "/healthz").status, 200);
  const HttpResponse ready = anonymous_get(daemon, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.body, "ready\n");
  EXPECT_EQ(anonymous_get(daemon, "/metrics").status, 401) << "api.metrics_public is false by default";

  PrometheusText before = scrape(daemon);
  EXPECT_EQ(before.value("mediaworker_tasks", {{"state", "Finished"}}), 0.0);
  EXPECT_EQ(before.value("mediaworker_task_duration_seconds_count", {{"outcome", "finished"}}), 0.0);
  EXPECT_EQ(before.value("mediaworker_workers_alive"), 1.0) << "this process's worker row";
  EXPECT_EQ(before.value("mediaworker_slot_encode_fps", {{"slot", "0"}}), 0.0);

  const std::string asset = daemon.upload(kMedia + "/" + kClip);
  const HttpResponse created = daemon.request("POST", "/api/Jobs", job_body(asset));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string job_id = json::parse(created.body)["d"]["Id"];
  ASSERT_TRUE(daemon.wait_for_log("of job " + job_id + ": finished", 120s)) << daemon.log();

  // The output asset's files as the API reports them, and as they are on disk.
  const json outputs =
      json::parse(daemon.request("GET", "/api/Jobs('" + url_encode(job_id) + "')/OutputMediaAssets").body);
  const std::string output_id = outputs["d"]["results"].at(0)["Id"];
  const json files = json::parse(daemon.request("GET", "/api/Assets('" + url_encode(output_id) + "')/Files").body);
  double api_bytes = 0, disk_bytes = 0;
  for (const auto& f : files["d"]["results"]) {
    const json& size = f["ContentFileSize"];  // Edm.Int64: a string in verbose JSON
    api_bytes += size.is_string() ? std::stod(size.get<std::string>()) : size.get<double>();
    disk_bytes += static_cast<double>(std::filesystem::file_size(
        dir.path() / "assets" / ("asset-" + output_id.substr(output_id.rfind(':') + 1)) / f["Name"].get<std::string>()));
  }
  ASSERT_GT(files["d"]["results"].size(), 0u);
  EXPECT_EQ(api_bytes, disk_bytes);

  const PrometheusText text = scrape_until(daemon, "mediaworker_tasks_running", 0);
  EXPECT_EQ(text.value("mediaworker_tasks", {{"state", "Finished"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_jobs", {{"state", "Finished"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_tasks", {{"state", "Queued"}}), 0.0);
  EXPECT_EQ(text.value("mediaworker_queue_depth_tasks"), 0.0);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_count", {{"outcome", "finished"}}), 1.0);
  const double seconds = text.value("mediaworker_task_duration_seconds_sum", {{"outcome", "finished"}}).value_or(-1);
  EXPECT_GT(seconds, 0.0);
  EXPECT_LT(seconds, 120.0);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_count", {{"outcome", "error"}}), 0.0);
  const double output_bytes = text.value("mediaworker_output_bytes_total").value_or(-1);
  EXPECT_GT(output_bytes, 0.0);
  EXPECT_EQ(output_bytes, api_bytes);
  EXPECT_EQ(text.value("mediaworker_video_frames_total"), double(kClipVideoFrames));
  EXPECT_EQ(text.value("mediaworker_slot_encode_fps", {{"slot", "0"}}), 0.0) << "the slot is idle again";
  EXPECT_EQ(text.value("mediaworker_tasks_running"), 0.0);
  EXPECT_EQ(text.value("mediaworker_leases_held"), 0.0);
  EXPECT_EQ(text.value("mediaworker_workers_alive"), 1.0);
  const auto leases = text.samples("mediaworker_worker_leases");
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].value, 0.0);
  EXPECT_EQ(text.value("mediaworker_store_errors_total", {{"component", "worker"}}), 0.0);
  EXPECT_EQ(text.value("mediaworker_store_up"), 1.0);
  EXPECT_EQ(text.samples("mediaworker_build_info").size(), 1u);
}

TEST(ServeMetrics, RoleWorkerServesOnlyMetricsAndTheProbes) {
  TempDir dir;
  DaemonProcess worker(dir.path(), "worker:\n  slots: 2\n", {}, {"--role", "worker"});
  {
    // api.metrics_public: true, in the api section the fixture wrote.
    const auto config = dir.path() / "config.yaml";
    std::ifstream in(config);
    std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    yaml.insert(yaml.find("api:\n") + 5, "  metrics_public: true\n");
    std::ofstream(config) << yaml;
  }
  worker.start();
  ASSERT_NE(worker.port(), 0) << worker.log();
  EXPECT_EQ(anonymous_get(worker, "/healthz").status, 200);
  EXPECT_EQ(anonymous_get(worker, "/readyz").status, 200);
  const HttpResponse metrics = anonymous_get(worker, "/metrics");
  ASSERT_EQ(metrics.status, 200) << "api.metrics_public: " << metrics.body;
  const PrometheusText text(metrics.body);
  EXPECT_EQ(text.samples("mediaworker_slot_encode_fps").size(), 2u);
  EXPECT_EQ(text.value("mediaworker_workers_alive"), 1.0);
  EXPECT_EQ(worker.request("GET", "/api/Jobs").status, 404) << "no AMS API on a worker, token or not";
  EXPECT_EQ(worker.stop(), 0);
}

}  // namespace
}  // namespace mw::test
