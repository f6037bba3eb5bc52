// GET /metrics, /healthz and /readyz (daemon/api/ops.hpp): the auth rule (token for /metrics
// unless api.metrics_public; none for the probes), readiness phases, the store-backed gauges
// read at scrape time, the role worker listener that serves only those three paths, and that no
// token or signing key ever appears in a scrape. A second server with the operator endpoints runs
// beside ApiFixture's on the same store; the test clip is uploaded through the first.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>

#include "daemon/api/ops.hpp"
#include "daemon/metrics/metrics.hpp"
#include "tests/daemon/api/api_fixture.hpp"
#include "tests/support/prometheus_text.hpp"

namespace mw::api::test {
namespace {

using mw::test::PrometheusText;

// base64 of 64 bytes, and the same key in hex (how the store keeps it).
const std::string kKeyBase64 =
    "c2VjcmV0LXNpZ25pbmcta2V5LXRoYXQtbXVzdC1uZXZlci1sZWFrLTAxMjM0NTY3ODktYWJjZGVmZ2hpamtsbQ==";
const std::string kKeyHexStart = "7365637265742d7369676e696e67";  // "secret-signing"

class ApiMetricsTest : public ApiFixture {
 protected:
  // Starts the server with the operator endpoints (`metrics_public`: api.metrics_public;
  // `ops_only`: the role worker listener).
  void start_ops(bool metrics_public = false, bool ops_only = false) {
    config::ApiConfig config = test_config();
    config.metrics_public = metrics_public;
    ops_server_ = std::make_unique<ApiServer>(config, store_, jobs_, storage_,
                                              OpsOptions{&metrics_, &readiness_, ops_only});
    ops_server_->start();
    ops_client_ = std::make_unique<HttpClient>(ops_server_->port());
    readiness_.set(Readiness::Phase::Ready);
  }
  Reply ops_get(const std::string& target, bool with_token = true) {
    Headers headers;
    if (with_token) headers["Authorization"] = "Bearer " + kToken;
    return ops_client_->send(http::verb::get, target, {}, headers);
  }
  // A scrape with the token, checked and parsed.
  PrometheusText scrape() {
    const Reply r = ops_get("/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    last_scrape_ = r.body;
    return PrometheusText(r.body);
  }

  metrics::Metrics metrics_{"9.9.9-test"};
  Readiness readiness_;
  std::unique_ptr<ApiServer> ops_server_;
  std::unique_ptr<HttpClient> ops_client_;
  std::string last_scrape_;
};

TEST_F(ApiMetricsTest, MetricsNeedTheBearerTokenByDefault) {
  start_ops();
  const Reply anonymous = ops_get("/metrics", false);
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  EXPECT_EQ(anonymous.body.find("mediaworker_"), std::string::npos);
  Headers wrong{{"Authorization", "Bearer not-the-token"}};
  EXPECT_EQ(ops_client_->send(http::verb::get, "/metrics", {}, wrong).status, 401);

  const PrometheusText text = scrape();
  EXPECT_EQ(text.value("mediaworker_build_info", {{"version", "9.9.9-test"}}), 1.0);
  EXPECT_EQ(text.type("mediaworker_task_duration_seconds"), "histogram");
  EXPECT_EQ(text.type("mediaworker_output_bytes_total"), "counter");
  EXPECT_NE(text.help("mediaworker_jobs").find("farm-wide"), std::string::npos) << text.help("mediaworker_jobs");
  EXPECT_NE(text.help("mediaworker_output_bytes_total").find("this process"), std::string::npos);
  const auto start = text.value("process_start_time_seconds");
  ASSERT_TRUE(start);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(*start, now - 600);
  EXPECT_LE(*start, now);
  EXPECT_EQ(text.value("mediaworker_store_up"), 1.0);
}

TEST_F(ApiMetricsTest, MetricsPublicAnswersWithoutAToken) {
  start_ops(/*metrics_public=*/true);
  const Reply r = ops_get("/metrics", false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(PrometheusText(r.body).value("mediaworker_build_info", {{"version", "9.9.9-test"}}), 1.0);
  // Only /metrics is opened: the AMS API still needs the token.
  EXPECT_EQ(ops_get("/api/Jobs", false).status, 401);
}

TEST_F(ApiMetricsTest, ProbesNeedNoTokenAndFollowTheDaemonsPhase) {
  start_ops();
  const Reply health = ops_get("/healthz", false);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(ops_get("/readyz", false).status, 200);
  EXPECT_EQ(ops_get("/readyz", false).body, "ready\n");

  readiness_.set(Readiness::Phase::Starting);
  const Reply starting = ops_get("/readyz", false);
  EXPECT_EQ(starting.status, 503);
  EXPECT_EQ(starting.body, "not ready: starting\n");
  readiness_.set(Readiness::Phase::Draining);
  const Reply draining = ops_get("/readyz?verbose=1", false);
  EXPECT_EQ(draining.status, 503);
  EXPECT_EQ(draining.body, "not ready: draining (shutting down)\n");
  EXPECT_EQ(ops_get("/healthz", false).status, 200) << "alive while draining";

  const Reply post = ops_client_->send(http::verb::post, "/healthz", "x", {});
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
}

TEST_F(ApiMetricsTest, HeadOnTheProbesAndMetricsAnswersLikeGetWithoutTheBody) {
  // Load balancers' health checks send HEAD; it was 405.
  start_ops(/*metrics_public=*/false);
  const Reply healthz = ops_client_->send(http::verb::head, "/healthz");
  EXPECT_EQ(healthz.status, 200);
  EXPECT_EQ(healthz.header("content-length"), "3");  // "ok\n", as GET sends it
  EXPECT_TRUE(healthz.body.empty());
  EXPECT_EQ(ops_client_->send(http::verb::head, "/readyz").status, 200);
  EXPECT_EQ(ops_client_->send(http::verb::head, "/metrics").status, 401) << "still needs the token";
  const Reply metrics =
      ops_client_->send(http::verb::head, "/metrics", {}, {{"Authorization", "Bearer " + kToken}});
  EXPECT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.body.empty());
  EXPECT_GT(std::stoll(metrics.header("content-length")), 1000);
  // The connection stays usable: the next GET reads its own answer, not a stray body.
  EXPECT_EQ(ops_get("/healthz", false).body, "ok\n");
}

TEST_F(ApiMetricsTest, JobsTasksAndTheQueueAreReadFromTheStoreAtScrapeTime) {
  start_ops();
  PrometheusText text = scrape();
  for (const char* state : metrics::kStateNames) {
    EXPECT_EQ(text.value("mediaworker_jobs", {{"state", state}}), 0.0) << state;
    EXPECT_EQ(text.value("mediaworker_tasks", {{"state", state}}), 0.0) << state;
  }
  EXPECT_EQ(text.value("mediaworker_queue_depth_tasks"), 0.0);

  const std::string first = create_job();
  create_job();
  text = scrape();
  EXPECT_EQ(text.value("mediaworker_jobs", {{"state", "Queued"}}), 2.0);
  EXPECT_EQ(text.value("mediaworker_tasks", {{"state", "Queued"}}), 2.0);
  EXPECT_EQ(text.value("mediaworker_queue_depth_tasks"), 2.0);
  EXPECT_EQ(text.value("mediaworker_workers_alive"), 0.0);
  EXPECT_TRUE(text.samples("mediaworker_worker_leases").empty());

  // A worker registers and claims one task: Scheduled, its lease counted per worker.
  runtime::Worker worker;
  worker.id = "enc-07:4242";
  worker.host_id = "enc-07";
  worker.pid = 4242;
  worker.slots = 1;
  worker.lease_seconds = 30;
  worker.started = worker.last_heartbeat = runtime::Clock::now();
  store_.register_worker(worker);
  const auto claim = store_.claim_task(worker.id, runtime::Clock::now(), std::chrono::seconds(30));
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->job_id, first);
  text = scrape();
  EXPECT_EQ(text.value("mediaworker_tasks", {{"state", "Queued"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_tasks", {{"state", "Scheduled"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_jobs", {{"state", "Scheduled"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_queue_depth_tasks"), 1.0);
  EXPECT_EQ(text.value("mediaworker_workers_alive"), 1.0);
  EXPECT_EQ(text.value("mediaworker_worker_leases", {{"worker", "enc-07:4242"}}), 1.0);

  // The worker leaves the table: its series goes with it.
  store_.remove_worker(worker.id);
  text = scrape();
  EXPECT_TRUE(text.samples("mediaworker_worker_leases").empty()) << last_scrape_;
  EXPECT_EQ(text.value("mediaworker_workers_alive"), 0.0);
}

TEST_F(ApiMetricsTest, NoTokenSigningKeyOrStoreSecretAppearsInAScrape) {
  start_ops(/*metrics_public=*/true);
  const Reply endpoint = send(http::verb::post, "/api/NotificationEndPoints",
                              R"({"Name":"hook","EndPointType":3,"EndPointAddress":"https://receiver.example/hook",
                                  "CredentialType":1,"SigningKey":")" + kKeyBase64 + R"("})");
  ASSERT_EQ(endpoint.status, 201) << endpoint.body;
  create_job();
  metrics_.notification_failed();  // the notification series carry numbers only
  for (const std::string target : {"/metrics", "/healthz", "/readyz"}) {
    for (const bool with_token : {false, true}) {
      const Reply r = ops_get(target, with_token);
      ASSERT_EQ(r.status, 200) << target;
      for (const std::string& secret : {kToken, std::string("another-token"), kKeyBase64, kKeyHexStart,
                                        std::string("secret-signing")})
        EXPECT_EQ(r.body.find(secret), std::string::npos) << target << " shows " << secret;
      EXPECT_EQ(r.body.find("receiver.example"), std::string::npos) << target;
    }
  }
}

TEST_F(ApiMetricsTest, RoleWorkerListenerServesOnlyTheOperatorPaths) {
  start_ops(/*metrics_public=*/false, /*ops_only=*/true);
  EXPECT_EQ(ops_get("/metrics").status, 200);
  EXPECT_EQ(ops_get("/metrics", false).status, 401);
  EXPECT_EQ(ops_get("/healthz", false).status, 200);
  EXPECT_EQ(ops_get("/readyz", false).status, 200);
  for (const std::string target : {"/api/Jobs", "/api/", "/", "/metricsx"}) {
    const Reply r = ops_get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_NE(r.error_message().find("serves only /metrics, /healthz and /readyz"), std::string::npos) << r.body;
  }
}

TEST_F(ApiMetricsTest, AnOpenRoleWorkerListenerOffLoopbackNeedsMetricsPublic) {
  config::ApiConfig config = test_config();
  config.tokens.clear();
  config.listen = "0.0.0.0:0";
  EXPECT_THROW(check_listen(config), std::runtime_error) << "the AMS API without tokens";
  EXPECT_THROW(check_listen(config, /*ops_only=*/true), std::runtime_error) << "/metrics would need a token";
  config.metrics_public = true;
  EXPECT_NO_THROW(check_listen(config, /*ops_only=*/true)) << "nothing there needs a token";
  EXPECT_THROW(check_listen(config), std::runtime_error) << "the AMS API still needs tokens";
}

TEST(MetricsTest, TaskDurationsOutputBytesAndSlotsAreRecorded) {
  metrics::Metrics m("1.0");
  m.set_slots(2);
  m.task_ended(metrics::Outcome::Finished, 42.0);
  m.task_ended(metrics::Outcome::Finished, 3600.5);
  m.task_ended(metrics::Outcome::Error, 0.5);
  m.add_output_bytes(1000);
  m.add_output_bytes(234);
  m.add_video_frames(25);
  m.set_slot_fps(1, 87.5);
  m.set_slot_fps(7, 1.0);  // no such slot: ignored
  m.store_error(metrics::Component::Notify);
  const PrometheusText text(m.text());
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_count", {{"outcome", "finished"}}), 2.0);
  EXPECT_DOUBLE_EQ(*text.value("mediaworker_task_duration_seconds_sum", {{"outcome", "finished"}}), 3642.5);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_bucket", {{"outcome", "finished"}, {"le", "60"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_bucket", {{"outcome", "finished"}, {"le", "3600"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_bucket", {{"outcome", "finished"}, {"le", "7200"}}), 2.0);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_count", {{"outcome", "error"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_bucket", {{"outcome", "error"}, {"le", "1"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_task_duration_seconds_count", {{"outcome", "canceled"}}), 0.0);
  EXPECT_EQ(text.value("mediaworker_output_bytes_total"), 1234.0);
  EXPECT_EQ(text.value("mediaworker_video_frames_total"), 25.0);
  EXPECT_EQ(text.value("mediaworker_slot_encode_fps", {{"slot", "0"}}), 0.0);
  EXPECT_EQ(text.value("mediaworker_slot_encode_fps", {{"slot", "1"}}), 87.5);
  EXPECT_EQ(text.samples("mediaworker_slot_encode_fps").size(), 2u);
  EXPECT_EQ(text.value("mediaworker_store_errors_total", {{"component", "notify"}}), 1.0);
  EXPECT_EQ(text.value("mediaworker_store_errors_total", {{"component", "worker"}}), 0.0);
}

// A store that does not answer (PostgreSQL down: 4.5 s of retries per call, measured; a host
// dropping packets: minutes) held an API I/O thread per /readyz or /metrics request, and with
// api.threads 2 two of them held /healthz and the REST API too (12 s for the fourth of four
// parallel /readyz, 4.5 s for /healthz). The probe bounds each wait and runs one call per kind.
TEST(StoreProbeTest, AHungStoreCallTimesOutOnceAndLaterRequestsJoinItInsteadOfQueueing) {
  StoreProbe probe;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  const auto hung = [&calls, released] {
    ++calls;
    released.wait();
  };
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(probe.run(StoreProbe::Kind::Readiness, hung, std::chrono::milliseconds(100)).outcome,
            StoreProbe::Outcome::TimedOut);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));
  // A second readiness request joins the hung call: no second store call is queued behind it.
  EXPECT_EQ(probe.run(StoreProbe::Kind::Readiness, hung, std::chrono::milliseconds(50)).outcome,
            StoreProbe::Outcome::TimedOut);
  EXPECT_EQ(calls.load(), 1);
  // A scrape waits its own bounded time behind the hung call.
  std::atomic<bool> scraped{false};
  EXPECT_EQ(probe
                .run(
                    StoreProbe::Kind::Scrape, [&scraped] { scraped = true; },
                    std::chrono::milliseconds(50))
                .outcome,
            StoreProbe::Outcome::TimedOut);
  release.set_value();
  // Once the store answers again, the next requests run and report their own calls.
  EXPECT_EQ(probe
                .run(
                    StoreProbe::Kind::Readiness, [] {}, std::chrono::seconds(10))
                .outcome,
            StoreProbe::Outcome::Done);
  // The scrape queued behind the hung call runs now; a scrape request meanwhile joins it (and
  // reports its outcome), so wait for it before one whose own call fails.
  EXPECT_EQ(probe
                .run(
                    StoreProbe::Kind::Scrape, [] {}, std::chrono::seconds(10))
                .outcome,
            StoreProbe::Outcome::Done);
  EXPECT_TRUE(scraped) << "the scrape queued behind the hung call ran once it ended";
  const auto failed = probe.run(
      StoreProbe::Kind::Scrape,
      [] { throw store::StoreError(store::StoreError::Kind::Unavailable, "db down"); },
      std::chrono::seconds(10));
  EXPECT_EQ(failed.outcome, StoreProbe::Outcome::Failed);
  EXPECT_TRUE(failed.store_error);
  EXPECT_NE(failed.error.find("db down"), std::string::npos) << failed.error;
}

}  // namespace
}  // namespace mw::api::test
