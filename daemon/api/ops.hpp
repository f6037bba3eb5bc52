#pragma once
// The operator endpoints beside the AMS API (docs/metrics.md): GET /metrics (Prometheus text
// format; the bearer token unless api.metrics_public), GET /healthz (the process answers: 200)
// and GET /readyz (200 when the daemon is started, not draining and its store answers; 503 with
// a one-line reason otherwise). /healthz and /readyz need no token and say nothing secret; no
// answer here carries a token, a signing key or the store URL.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "daemon/api/message.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/store/job_store.hpp"

namespace mw::api {

/// Where the daemon is in its life, for /readyz. Thread-safe.
class Readiness {
 public:
  enum class Phase { Starting, Ready, Draining };
  void set(Phase phase) { phase_.store(phase); }
  Phase phase() const { return phase_.load(); }

 private:
  std::atomic<Phase> phase_{Phase::Starting};
};

/// Runs the store calls of /readyz and /metrics on a thread of its own and waits for each at
/// most a given time, so that a store that does not answer (PostgreSQL down: each call retries
/// for seconds; a host that drops packets: for minutes) never holds the API's I/O threads:
/// /healthz, the REST API and the watchdog's check that those threads run stay answered.
/// One call per kind (Readiness, Scrape) at a time: a request arriving while its kind's call
/// is still running waits for that call's outcome instead of queueing another (no pile-up of
/// probes behind a hung store). Thread-safe.
class StoreProbe {
 public:
  enum class Kind { Readiness, Scrape };
  enum class Outcome { Done, Failed, TimedOut };
  struct Result {
    Outcome outcome = Outcome::TimedOut;
    std::string error;         ///< Failed: the exception's what(); TimedOut: empty
    bool store_error = false;  ///< Failed with a store::StoreError
  };

  StoreProbe();
  /// Waits for the running call, if any (a store call cannot be interrupted).
  ~StoreProbe();
  StoreProbe(const StoreProbe&) = delete;
  StoreProbe& operator=(const StoreProbe&) = delete;

  /// Runs `call` (or joins the running call of `kind`) and waits at most `wait` for it.
  /// `call` must not refer to the caller's stack: it may run on after run() returned TimedOut.
  Result run(Kind kind, std::function<void()> call, std::chrono::milliseconds wait);

 private:
  struct Slot;
  void loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::array<std::shared_ptr<Slot>, 2> slots_;  // per Kind: the call pending or running
  bool stopping_ = false;
  std::thread thread_;  // last: started when the rest is ready
};

/// How long /readyz waits for the store: under Kubernetes' default probe timeout (1 s).
inline constexpr std::chrono::milliseconds kReadinessStoreWait{800};
/// How long /metrics waits for the store-backed gauges; then it serves the rest with
/// mediaworker_store_up 0 (Prometheus' default scrape_timeout is 10 s).
inline constexpr std::chrono::milliseconds kScrapeStoreWait{2000};

/// What the operator endpoints work with (owned by the daemon, outliving the server).
struct Ops {
  store::JobStore& store;
  metrics::Metrics* metrics = nullptr;      ///< null: /metrics is 404
  const Readiness* readiness = nullptr;     ///< null: ready whenever the store answers
  bool metrics_public = false;              ///< api.metrics_public: /metrics without a token
  /// Role worker: the listener serves only /metrics, /healthz and /readyz; every other path 404.
  bool ops_only = false;
  /// Where the store calls run, bounded in time; null: on the caller's thread, unbounded.
  StoreProbe* probe = nullptr;
};

/// The request path without its query: "/metrics?x=1" -> "/metrics".
std::string_view path_of(std::string_view target);
/// Whether `path` is one of the operator endpoints (/metrics, /healthz, /readyz).
bool is_ops_path(std::string_view path);
/// Whether answering `path` needs the bearer token (only /metrics, unless metrics_public).
bool ops_needs_token(const Ops& ops, std::string_view path);

/// Answers GET (and HEAD, whose body the session leaves out) /metrics, /healthz or /readyz;
/// 405 for other methods. `path` must be
/// an operator path (is_ops_path). Never throws: a store failure is /readyz's 503 "store: ..."
/// and, for /metrics, mediaworker_store_up 0 with the process's own metrics still served.
Response handle_ops(const Ops& ops, http::verb method, std::string_view path) noexcept;

/// Reads the store-backed gauges (JobStore::state_counts, list_workers) into ops.metrics at
/// `now`: workers alive are the rows with a heartbeat within their lease.
/// @throws store::StoreError when the store fails
void refresh_store_metrics(store::JobStore& store, metrics::Metrics& metrics, runtime::TimePoint now);

}  // namespace mw::api
