#pragma once
// The operator endpoints beside the AMS API (docs/metrics.md): GET /metrics (Prometheus text
// format; the bearer token unless api.metrics_public), GET /healthz (the process answers: 200)
// and GET /readyz (200 when the daemon is started, not draining and its store answers; 503 with
// a one-line reason otherwise). /healthz and /readyz need no token and say nothing secret; no
// answer here carries a token, a signing key or the store URL.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

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

/// What the operator endpoints work with (owned by the daemon, outliving the server).
struct Ops {
  store::JobStore& store;
  metrics::Metrics* metrics = nullptr;      ///< null: /metrics is 404
  const Readiness* readiness = nullptr;     ///< null: ready whenever the store answers
  bool metrics_public = false;              ///< api.metrics_public: /metrics without a token
  /// Role worker: the listener serves only /metrics, /healthz and /readyz; every other path 404.
  bool ops_only = false;
};

/// The request path without its query: "/metrics?x=1" -> "/metrics".
std::string_view path_of(std::string_view target);
/// Whether `path` is one of the operator endpoints (/metrics, /healthz, /readyz).
bool is_ops_path(std::string_view path);
/// Whether answering `path` needs the bearer token (only /metrics, unless metrics_public).
bool ops_needs_token(const Ops& ops, std::string_view path);

/// Answers GET /metrics, /healthz or /readyz; 405 for other methods. `path` must be
/// an operator path (is_ops_path). Never throws: a store failure is /readyz's 503 "store: ..."
/// and, for /metrics, mediaworker_store_up 0 with the process's own metrics still served.
Response handle_ops(const Ops& ops, http::verb method, std::string_view path) noexcept;

/// Reads the store-backed gauges (JobStore::state_counts, list_workers) into ops.metrics at
/// `now`: workers alive are the rows with a heartbeat within their lease.
/// @throws store::StoreError when the store fails
void refresh_store_metrics(store::JobStore& store, metrics::Metrics& metrics, runtime::TimePoint now);

}  // namespace mw::api
