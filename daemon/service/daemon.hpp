#pragma once
// The daemon: the store, asset storage, preset library, job service, worker slots and the REST
// API, built from the config in a fixed order (STYLE.md: config, store, workers and API, then
// ready) and torn down in the reverse order (members are declared in dependency order).

#include <chrono>
#include <memory>
#include <stop_token>

#include "daemon/api/api_server.hpp"
#include "daemon/config/config.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/notify/dispatcher.hpp"
#include "daemon/runtime/job_service.hpp"
#include "daemon/runtime/preset_catalog.hpp"
#include "daemon/runtime/storage.hpp"
#include "daemon/runtime/worker_pool.hpp"
#include "daemon/store/job_store.hpp"
#include "presets/library.hpp"

namespace mw::service {

class Daemon {
 public:
  /// Opens and migrates the store, loads the presets, prepares workers and the API.
  /// @throws config::ConfigError, store::StoreError, presets::PresetError, std::runtime_error
  explicit Daemon(config::Config config);
  ~Daemon();

  /// Starts the worker slots and the API listener.
  void start();
  /// Blocks until `stop` is requested, then stops the API, drains running tasks for
  /// worker.drain_seconds and gives back what is still running.
  void run_until(std::stop_token stop);

  /// SIGHUP: loads the system preset library and presets.dirs again. When every file loads, the
  /// new set replaces the old one at once (tasks created or claimed from then on see it; running
  /// tasks keep the Preset they resolved) and "presets reloaded: N presets from M folders" is
  /// logged; otherwise the error (FILE:LINE: KEY: MESSAGE) is logged and the old set stays.
  /// Thread-safe; never throws. Returns whether the new set is in force.
  bool reload_presets();

  /// The listener's bound port (after start()): the API's, or for role worker the one serving
  /// only /metrics, /healthz and /readyz.
  unsigned short port() const;

 private:
  config::Config config_;
  metrics::Metrics metrics_;  // first: outlives everything that records into it
  api::Readiness readiness_;  // /readyz: Starting until start() is done, Draining from run_until's stop
  std::unique_ptr<store::JobStore> store_;
  std::unique_ptr<notify::Dispatcher> notifications_;  // webhook deliveries from the outbox
  runtime::Storage storage_;
  runtime::PresetCatalog presets_;
  runtime::JobService jobs_;
  std::unique_ptr<runtime::WorkerPool> workers_;
  // Last: stopped before the workers and the store go. Role worker: /metrics, /healthz and
  // /readyz only (kept up while draining).
  std::unique_ptr<api::ApiServer> api_;
};

}  // namespace mw::service
