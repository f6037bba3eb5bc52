#pragma once
// The daemon's Prometheus metrics (docs/metrics.md), declared in one place: one Metrics object
// per process, built by the daemon and handed by reference to the worker pool, the notification
// dispatcher and the API server (no singleton). The metric types and the text exposition format
// are prometheus-cpp's (core library); GET /metrics (daemon/api/) serves text().
//
// Two kinds of metric:
//   - per process: counters and gauges the process records as things happen (task durations,
//     output bytes, frames, notification deliveries, store errors, leases held, slot fps);
//   - from the store: jobs and tasks by State, runnable Queued tasks, workers alive and leases
//     per worker, read at scrape time (set_store_snapshot). On a farm (PostgreSQL) these are
//     farm-wide: every process reports the same values.
// Nothing here carries a token, a signing key or a store URL.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mw::metrics {

/// How a task this process ran ended (the `outcome` label of mediaworker_task_duration_seconds).
enum class Outcome { Finished, Error, Canceled };

/// Where a store::StoreError was caught (the `component` label of mediaworker_store_errors_total).
enum class Component { Worker, Notify, Api };

/// What the store says at scrape time (JobStore::state_counts and list_workers).
struct StoreSnapshot {
  /// Jobs and tasks per AMS State, indexed by the State value (Queued 0 ... Canceling 6).
  std::array<int64_t, 7> jobs{};
  std::array<int64_t, 7> tasks{};
  int64_t runnable = 0;       ///< Queued tasks whose inputs are ready (a slot could claim them now)
  int64_t workers_alive = 0;  ///< worker rows with a heartbeat within their lease
  /// Leases (Scheduled, Processing or Canceling tasks) held per worker id ("<host id>:<pid>"),
  /// for every worker row, alive or not.
  std::map<std::string, int64_t> leases_per_worker;
};

/// The AMS State names, indexed by State value: Queued, Scheduled, Processing, Finished, Error,
/// Canceled, Canceling (the `state` label).
extern const std::array<const char*, 7> kStateNames;

class Metrics {
 public:
  /// Registers every metric. `version`: mediaworker_build_info's `version` label. The process
  /// start time (process_start_time_seconds) is read once here from the system clock.
  explicit Metrics(const std::string& version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // --- Worker slots (runtime::WorkerPool) ---------------------------------------------------
  /// Creates the per-slot series (mediaworker_slot_encode_fps{slot="0".."slots-1"}, all 0).
  void set_slots(int slots);
  /// A task this process ran ended after `seconds` (from its claim) with `outcome`.
  void task_ended(Outcome outcome, double seconds);
  /// Bytes of the output files of a task that Finished (the sum of its AssetFiles' sizes).
  void add_output_bytes(int64_t bytes);
  /// Video frames an encode read into its filter graph (mediaworker_video_frames_total).
  void add_video_frames(int64_t frames);
  /// The current encode speed of `slot` (0-based) in frames per second; 0 while it is idle.
  void set_slot_fps(int slot, double fps);
  /// Tasks this process is running (Processing) now.
  void set_tasks_running(int64_t tasks);
  /// Leases this process holds now (claimed tasks, from the claim to their end).
  void set_leases_held(int64_t leases);

  // --- Notifications (notify::Dispatcher) ---------------------------------------------------
  /// A webhook POST was acknowledged (2xx).
  void notification_delivered();
  /// A webhook POST failed (connection error, timeout, non-2xx); it is retried or given up.
  void notification_failed();
  /// A message was given up after notifications.max_age_seconds (dead).
  void notification_dead();

  // --- Errors -------------------------------------------------------------------------------
  /// A store::StoreError was caught in `component` (API: only those answered 5xx).
  void store_error(Component component);

  // --- Scrape -------------------------------------------------------------------------------
  /// Whether the last scrape could read the store (mediaworker_store_up 1 or 0); when it
  /// could not, the store-backed gauges keep their last values.
  void set_store_up(bool up);
  /// Sets the store-backed gauges; worker series absent from `snapshot` are removed.
  void set_store_snapshot(const StoreSnapshot& snapshot);
  /// Every metric in the Prometheus text exposition format 0.0.4. Thread-safe.
  std::string text() const;

 private:
  // Members in registration order; the registry owns the families the references point into.
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& jobs_family_;
  prometheus::Family<prometheus::Gauge>& tasks_family_;
  std::array<prometheus::Gauge*, 7> jobs_{};
  std::array<prometheus::Gauge*, 7> tasks_{};
  prometheus::Gauge& queue_depth_;
  prometheus::Family<prometheus::Histogram>& duration_family_;
  std::array<prometheus::Histogram*, 3> durations_{};
  prometheus::Counter& output_bytes_;
  prometheus::Counter& video_frames_;
  prometheus::Family<prometheus::Gauge>& slot_fps_family_;
  prometheus::Gauge& tasks_running_;
  prometheus::Gauge& leases_held_;
  prometheus::Counter& deliveries_;
  prometheus::Counter& delivery_failures_;
  prometheus::Counter& deliveries_dead_;
  prometheus::Family<prometheus::Counter>& store_errors_family_;
  std::array<prometheus::Counter*, 3> store_errors_{};
  prometheus::Gauge& workers_alive_;
  prometheus::Gauge& store_up_;
  prometheus::Family<prometheus::Gauge>& worker_leases_family_;

  mutable std::mutex mutex_;  // slot and worker series (added and removed at run time)
  std::vector<prometheus::Gauge*> slot_fps_;
  std::map<std::string, prometheus::Gauge*> worker_leases_;
};

}  // namespace mw::metrics
