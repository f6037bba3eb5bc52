#include "daemon/api/ops.hpp"

#include <fmt/format.h>

#include <chrono>

namespace mw::api {

namespace {

// Prometheus text exposition format 0.0.4 (what prometheus-cpp's TextSerializer writes).
constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kTextContentType = "text/plain; charset=utf-8";

Response text(http::status status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = kTextContentType;
  response.body = std::move(body) + "\n";
  return response;
}

// A one-line reason from a store failure: its first line, without anything after a newline
// (libpq messages run over several lines; none of them carries the URL's password).
std::string first_line(std::string_view message) {
  return std::string(message.substr(0, message.find('\n')));
}

Response readyz(const Ops& ops) {
  if (ops.readiness) {
    switch (ops.readiness->phase()) {
      case Readiness::Phase::Starting:
        return text(http::status::service_unavailable, "not ready: starting");
      case Readiness::Phase::Draining:
        return text(http::status::service_unavailable, "not ready: draining (shutting down)");
      case Readiness::Phase::Ready:
        break;
    }
  }
  try {
    // A point lookup of an Id that never exists: the store's connection answers a query.
    (void)ops.store.find_job("nb:jid:UUID:00000000-0000-0000-0000-000000000000");
  } catch (const store::StoreError& e) {
    if (ops.metrics) ops.metrics->store_error(metrics::Component::Api);
    return text(http::status::service_unavailable, "not ready: store: " + first_line(e.what()));
  } catch (const std::exception& e) {
    return text(http::status::service_unavailable, "not ready: store: " + first_line(e.what()));
  }
  return text(http::status::ok, "ready");
}

Response scrape(const Ops& ops) {
  metrics::Metrics& m = *ops.metrics;
  try {
    refresh_store_metrics(ops.store, m, runtime::Clock::now());
    m.set_store_up(true);
  } catch (const store::StoreError&) {
    m.store_error(metrics::Component::Api);
    m.set_store_up(false);
  } catch (const std::exception&) {
    m.set_store_up(false);
  }
  Response response;
  response.content_type = kMetricsContentType;
  response.body = m.text();
  return response;
}

}  // namespace

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

bool is_ops_path(std::string_view path) {
  return path == "/metrics" || path == "/healthz" || path == "/readyz";
}

bool ops_needs_token(const Ops& ops, std::string_view path) {
  return path == "/metrics" && !ops.metrics_public;
}

void refresh_store_metrics(store::JobStore& store, metrics::Metrics& metrics, runtime::TimePoint now) {
  const store::StateCounts counts = store.state_counts();
  metrics::StoreSnapshot snapshot;
  snapshot.jobs = counts.jobs;
  snapshot.tasks = counts.tasks;
  snapshot.runnable = counts.runnable;
  for (const auto& w : store.list_workers()) {
    if (w.last_heartbeat >= now - std::chrono::seconds(w.lease_seconds)) ++snapshot.workers_alive;
    snapshot.leases_per_worker[w.id] = static_cast<int64_t>(w.running_task_ids.size());
  }
  metrics.set_store_snapshot(snapshot);
}

Response handle_ops(const Ops& ops, http::verb method, std::string_view path) noexcept {
  try {
    if (method != http::verb::get) return method_not_allowed(method, "GET");
    if (path == "/healthz") return text(http::status::ok, "ok");
    if (path == "/readyz") return readyz(ops);
    if (ops.metrics == nullptr) return text(http::status::not_found, "no metrics here");
    return scrape(ops);
  } catch (...) {
    Response response;
    response.status = http::status::internal_server_error;
    return response;
  }
}

}  // namespace mw::api
