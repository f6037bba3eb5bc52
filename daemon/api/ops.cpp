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

// `call` on ops.probe within `wait` (or directly without a probe), as a StoreProbe::Result.
StoreProbe::Result probe_store(const Ops& ops, StoreProbe::Kind kind, std::function<void()> call,
                               std::chrono::milliseconds wait) {
  if (ops.probe) return ops.probe->run(kind, std::move(call), wait);
  StoreProbe::Result result;
  try {
    call();
    result.outcome = StoreProbe::Outcome::Done;
  } catch (const store::StoreError& e) {
    result = {StoreProbe::Outcome::Failed, e.what(), true};
  } catch (const std::exception& e) {
    result = {StoreProbe::Outcome::Failed, e.what(), false};
  }
  return result;
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
  store::JobStore& store = ops.store;
  // A point lookup of an Id that never exists: the store's connection answers a query.
  const auto result = probe_store(
      ops, StoreProbe::Kind::Readiness,
      [&store] { (void)store.find_job("nb:jid:UUID:00000000-0000-0000-0000-000000000000"); },
      kReadinessStoreWait);
  switch (result.outcome) {
    case StoreProbe::Outcome::Done:
      return text(http::status::ok, "ready");
    case StoreProbe::Outcome::Failed:
      if (result.store_error && ops.metrics) ops.metrics->store_error(metrics::Component::Api);
      return text(http::status::service_unavailable,
                  "not ready: store: " + first_line(result.error));
    case StoreProbe::Outcome::TimedOut:
      break;
  }
  return text(http::status::service_unavailable,
              fmt::format("not ready: store: no answer within {} ms", kReadinessStoreWait.count()));
}

Response scrape(const Ops& ops) {
  metrics::Metrics& m = *ops.metrics;
  store::JobStore& store = ops.store;
  const auto result = probe_store(
      ops, StoreProbe::Kind::Scrape,
      [&store, &m] { refresh_store_metrics(store, m, runtime::Clock::now()); }, kScrapeStoreWait);
  if (result.outcome == StoreProbe::Outcome::Failed && result.store_error)
    m.store_error(metrics::Component::Api);
  m.set_store_up(result.outcome == StoreProbe::Outcome::Done);
  Response response;
  response.content_type = kMetricsContentType;
  response.body = m.text();
  return response;
}

}  // namespace

struct StoreProbe::Slot {
  std::function<void()> call;
  bool started = false;
  bool done = false;
  Result result;
};

StoreProbe::StoreProbe() : thread_([this] { loop(); }) {}

StoreProbe::~StoreProbe() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

StoreProbe::Result StoreProbe::run(Kind kind, std::function<void()> call,
                                   std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::unique_lock lock(mutex_);
  std::shared_ptr<Slot>& current = slots_[static_cast<size_t>(kind)];
  if (!current || current->done) {
    current = std::make_shared<Slot>();
    current->call = std::move(call);
    changed_.notify_all();
  }
  const std::shared_ptr<Slot> slot = current;  // the call this request reports on
  if (!changed_.wait_until(lock, deadline, [&] { return slot->done; })) return Result{};
  return slot->result;
}

void StoreProbe::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    std::shared_ptr<Slot> next;
    changed_.wait(lock, [&] {
      if (stopping_) return true;
      for (const auto& s : slots_)
        if (s && !s->started) {
          next = s;
          return true;
        }
      return false;
    });
    if (!next) return;  // stopping, nothing pending
    next->started = true;
    Result result;
    lock.unlock();
    try {
      next->call();
      result.outcome = Outcome::Done;
    } catch (const store::StoreError& e) {
      result = {Outcome::Failed, e.what(), true};
    } catch (const std::exception& e) {
      result = {Outcome::Failed, e.what(), false};
    } catch (...) {
      result = {Outcome::Failed, "unknown error", false};
    }
    lock.lock();
    next->result = std::move(result);
    next->done = true;
    next->call = nullptr;
    changed_.notify_all();
  }
}

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
    // HEAD too: load balancers' health checks send it (RFC 9110 section 9.1: a server that
    // answers GET answers HEAD); the session sends the headers only.
    if (method != http::verb::get && method != http::verb::head)
      return method_not_allowed(method, "GET, HEAD");
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
