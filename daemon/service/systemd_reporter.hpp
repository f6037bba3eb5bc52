#pragma once
// Keeps systemd informed while the daemon runs (docs/operations.md, "systemd"): a STATUS= line
// whenever the daemon says it changed, and WATCHDOG=1 every half WatchdogSec= while the
// daemon's loops are alive. Runs on its own thread with a Boost.Asio io_context and
// steady_timer, so a stuck API or worker thread cannot hold the pings up by accident, only by
// failing the liveness checks.
//
// The watchdog pings only when both hold at the tick:
//   - `why_not_alive` returns nothing (the daemon's own loops, e.g. the worker pool's
//     maintenance thread, ticked recently; the daemon decides), and
//   - while the API runs, the handler posted to its I/O threads at an earlier tick ran within
//     the last watchdog interval.
// A deadlocked daemon thus stops pinging and systemd restarts it (Restart=on-failure).

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "daemon/service/systemd_notify.hpp"

namespace mw::service {

/// What the reporter asks the daemon. Called on the reporter's thread only.
struct ReporterProbes {
  /// The STATUS= line now, e.g. "Running 1 of 2 slot(s); API on 127.0.0.1:8080".
  std::function<std::string()> status;
  /// Why the daemon's loops are not alive now ("" or nullopt: they are). May block while a
  /// lock it needs is held; blocking forever (a deadlock) stops the pings, as it should.
  std::function<std::optional<std::string>()> why_not_alive;
  /// Queues a handler on the API's I/O threads; empty for a process without an API (role
  /// worker).
  std::function<void(std::function<void()>)> post_to_api;
};

class SystemdReporter {
 public:
  /// Keeps a reference to `notify` (it must outlive the reporter). Does not start yet.
  SystemdReporter(const SystemdNotify& notify, ReporterProbes probes);
  /// stop(); never throws.
  ~SystemdReporter();
  SystemdReporter(const SystemdReporter&) = delete;
  SystemdReporter& operator=(const SystemdReporter&) = delete;

  /// Starts the thread; when notify.watchdog_interval() is set, pings at once and then every
  /// half interval (while alive). Call once, after READY=1.
  void start();
  /// The STATUS= line changed: probes.status() is sent from the reporter's thread soon after.
  /// Calls that come before it ran are merged into one. Thread-safe, never blocks.
  void status_changed();
  /// The API is stopping (drain): from now on its I/O threads are not probed.
  void api_stopped();
  /// Stops the timer and joins the thread; the probes are not called after it returns.
  /// Idempotent; must not be called from a probe.
  void stop() noexcept;

 private:
  void tick();
  void send_status();

  const SystemdNotify& notify_;
  ReporterProbes probes_;
  std::chrono::steady_clock::duration interval_{};  // WatchdogSec; zero: no watchdog
  std::atomic<bool> status_pending_{false};
  std::atomic<bool> api_running_{false};
  // steady_clock ns when a handler posted to the API's I/O threads last ran. The API's threads
  // are joined (ApiServer::stop) before the reporter goes, so the posted handlers may use it.
  std::atomic<int64_t> api_answered_ns_{0};
  bool pinging_ = true;  // the last tick pinged (for logging the change only)
  // io_ before the timer that uses it; the thread last (joined first).
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  std::thread thread_;
};

}  // namespace mw::service
