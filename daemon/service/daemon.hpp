#pragma once
// The daemon: the store, asset storage, preset library, job service, worker slots and the REST
// API, built from the config in a fixed order (STYLE.md: config, store, workers and API, then
// ready) and torn down in the reverse order (members are declared in dependency order).

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "daemon/api/api_server.hpp"
#include "daemon/config/config.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/notify/dispatcher.hpp"
#include "daemon/runtime/job_service.hpp"
#include "daemon/runtime/preset_catalog.hpp"
#include "daemon/runtime/storage.hpp"
#include "daemon/runtime/worker_pool.hpp"
#include "daemon/service/systemd_notify.hpp"
#include "daemon/service/systemd_reporter.hpp"
#include "daemon/store/job_store.hpp"
#include "presets/library.hpp"

namespace mw::service {

class Daemon {
 public:
  /// Opens and migrates the store, loads the presets, prepares workers and the API.
  /// @throws config::ConfigError, store::StoreError, presets::PresetError, std::runtime_error
  explicit Daemon(config::Config config);
  ~Daemon();

  /// Starts the worker slots and the API listener; under systemd (Type=notify) then sends
  /// READY=1 with the first STATUS= line and starts the watchdog pings (docs/operations.md).
  void start();
  /// Blocks until `stop` is requested, then (STOPPING=1 to systemd, the stop timeout extended
  /// to worker.drain_seconds + 30 s) stops the API, drains running tasks for
  /// worker.drain_seconds and gives back what is still running.
  void run_until(std::stop_token stop);

  /// SIGHUP: loads the system preset library and presets.dirs again. When every file loads, the
  /// new set replaces the old one at once (tasks created or claimed from then on see it; running
  /// tasks keep the Preset they resolved) and "presets reloaded: N presets from M folders" is
  /// logged; otherwise the error (FILE:LINE: KEY: MESSAGE) is logged and the old set stays.
  /// Thread-safe; never throws. Returns whether the new set is in force.
  bool reload_presets();

  /// SIGHUP (`systemctl reload`): reads the config file again (config.file; `role_override`
  /// when serve --role gave one) and applies it with reconfigure(). A broken file is logged as
  /// "config reload failed: FILE: KEY: MESSAGE; keeping the running configuration and presets"
  /// and changes nothing. Under systemd the reload is framed by RELOADING=1 and READY=1.
  /// Call from one thread at a time (the signal thread); never throws.
  void reload(const std::string& role_override);

  /// Applies a config read again (`fresh`, loaded and validated by the caller).
  /// Applies at once what can change while running: log.level, api.tokens_file (the accepted
  /// bearer tokens; rotation without a restart) and presets.dirs; then reloads the presets
  /// (reload_presets; a new presets.dirs that fails to load is not kept). Every other changed
  /// key is logged by name as taking effect at the next restart, and keeps its running value.
  /// Logs "config reloaded from FILE: applied ...". Call from one thread at a time (the signal
  /// thread); never throws.
  void reconfigure(config::Config fresh);

  /// The listener's bound port (after start()): the API's, or for role worker the one serving
  /// only /metrics, /healthz and /readyz.
  unsigned short port() const;

 private:
  enum class Phase { Starting, Running, Draining, Stopped };
  // The STATUS= line for systemd: "Running 1 of 2 slot(s); API on 127.0.0.1:8080", ...
  std::string status_text() const;
  // Why the watchdog must not be pinged now (the worker pool's maintenance is overdue), or "".
  std::optional<std::string> why_not_alive() const;

  config::Config config_;
  metrics::Metrics metrics_;  // first: outlives everything that records into it
  api::Readiness readiness_;  // /readyz: Starting until start() is done, Draining from run_until's stop
  std::unique_ptr<store::JobStore> store_;
  std::unique_ptr<notify::Dispatcher> notifications_;  // webhook deliveries from the outbox
  runtime::Storage storage_;
  runtime::PresetCatalog presets_;
  runtime::JobService jobs_;
  // systemd: the reporter's thread is stopped in ~Daemon before the workers and the API go; the
  // object outlives them (the pool's running listener and the API's probe handlers use it).
  SystemdNotify systemd_;
  std::unique_ptr<SystemdReporter> reporter_;  // none when not started by systemd
  std::atomic<Phase> phase_{Phase::Starting};
  std::atomic<int> given_back_{0};
  std::chrono::steady_clock::time_point drain_deadline_{};  // set before phase_ becomes Draining
  std::unique_ptr<runtime::WorkerPool> workers_;
  // Last: stopped before the workers and the store go. Role worker: /metrics, /healthz and
  // /readyz only (kept up while draining).
  std::unique_ptr<api::ApiServer> api_;
};

}  // namespace mw::service
