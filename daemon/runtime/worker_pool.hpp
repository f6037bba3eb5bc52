#pragma once
// Worker slots: each slot claims the runnable task with the highest priority from the JobStore,
// runs it with the encoding engine into its output asset's folder, renews its lease and stores
// Progress (at least once a second while it changes), and records the outcome. A maintenance
// thread takes back tasks whose worker died (expired leases), keeps this worker's row in the
// worker table fresh (heartbeat), and notes the Queued tasks that no live worker can run
// (docs/farm.md).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "daemon/metrics/metrics.hpp"
#include "daemon/runtime/storage.hpp"
#include "daemon/store/job_store.hpp"
#include "daemon/runtime/preset_catalog.hpp"

namespace mw::runtime {

struct WorkerOptions {
  int slots = 1;                               ///< tasks run at once (0: this process runs none)
  std::chrono::seconds lease{30};              ///< lease length; renewed every lease/3 (at most 1 s apart for progress)
  int max_attempts = 3;                        ///< claims before a task goes to Error (TransientError)
  std::string worker_id;                       ///< "<host id>:<pid>"
  std::string host_id;                         ///< worker.host_id
  std::string version;                         ///< mediaworker version, for the worker table
  /// What the slots claim (capability-aware claiming); its row in the worker table says it.
  WorkerCapabilities capabilities;
  std::chrono::milliseconds idle_poll{1000};   ///< how often an idle slot looks for work without a wake-up
  /// Single host (SQLite): at start, tasks held by a previous process of this host are taken
  /// back at once instead of after their lease runs out.
  bool recover_leases_at_start = true;
};

class WorkerPool {
 public:
  /// `presets`: a claimed task resolves its Configuration against the library in force at the
  /// claim and keeps that Preset until it ends. `metrics` (outliving the pool) records task
  /// durations, output bytes, frames, slot fps, running tasks, leases held and store errors.
  WorkerPool(WorkerOptions options, store::JobStore& store, const Storage& storage,
             const PresetCatalog& presets, metrics::Metrics& metrics);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Registers the worker and starts the slots and the maintenance thread.
  /// @throws std::runtime_error when a live worker of the same id is registered (two processes
  ///         with one worker.host_id and pid, e.g. containers); StoreError when the store fails
  void start();
  /// A job was created or a task finished: idle slots look for work now.
  void wake();
  /// Stops the running tasks of a canceled job at once (their slots record Canceled).
  void cancel_job(const std::string& job_id);
  /// Stops claiming; waits up to `deadline` for running tasks to finish; tasks still running
  /// then are stopped and given back (Queued, attempt not counted); the worker's row leaves the
  /// worker table. Returns the number given back.
  int drain(std::chrono::steady_clock::time_point deadline);
  /// Tasks running now.
  int running() const;
  /// Called with the number of tasks running now each time a task starts or ends (from that
  /// slot's thread, without the pool's lock held; it must not block). Set before start().
  void set_running_listener(std::function<void(int running)> listener);
  /// When the maintenance thread last began or finished a round (start() counts as one): a
  /// stuck store call or a dead thread makes this old (the systemd watchdog looks at it).
  std::chrono::steady_clock::time_point last_maintenance() const;
  /// How often the maintenance thread runs a round: lease/3, at least 1 s.
  std::chrono::milliseconds maintenance_interval() const;

 private:
  struct Running {
    std::string job_id;
    std::stop_source stop;
    std::atomic<bool> canceled{false};  // stop reason: the job was canceled (else: drain)
  };

  void slot_loop(int slot, std::stop_token stop);
  void maintenance_loop(std::stop_token stop);
  // Runs one claimed task in `slot` (0-based); records its metrics.
  void run_task(const store::Claim& claim, int slot);
  // Counts `e` when it is a store::StoreError (the store failed in a worker's call).
  void count_store_error(const std::exception& e);
  // A task taken back from a dead worker that ended (Error: no attempt left; Canceled): its
  // partial outputs go as for a failure (a requeued task's go when its next attempt starts).
  void remove_partial_outputs(const std::string& task_id) const;
  // One maintenance round: expired leases, this worker's heartbeat, waiting tasks, old rows.
  void maintain(std::chrono::steady_clock::time_point started);
  // Why no live worker can run a task needing `requirements` ("" when one can).
  std::string why_waiting(const std::vector<Worker>& live, const TaskRequirements& requirements) const;
  Worker worker_row() const;
  // A store call failed now (the database unreachable): expired leases are not taken back for
  // one lease period after the last failure.
  void store_failed();
  bool store_recently_failed() const;
  // A failed task with DoNotDeleteOutputAssetOnFailure: the attempt's complete files move into
  // the asset's folder (AMS keeps a failed task's output asset as it is).
  void keep_attempt_files(const std::string& asset_id, int64_t lease_token) const;

  WorkerOptions options_;
  store::JobStore& store_;
  const Storage& storage_;
  const PresetCatalog& presets_;
  metrics::Metrics& metrics_;
  std::atomic<int64_t> processing_{0};  // tasks of this process in Processing (metrics)

  // Never held while calling the store: the store's change listener calls wake() under the
  // store's own lock.
  mutable std::mutex mutex_;
  std::condition_variable_any work_cv_;     // wakes idle slots
  std::condition_variable drained_cv_;      // running_ reached 0
  uint64_t wake_seq_ = 0;
  std::atomic<int64_t> last_store_failure_ms_{0};  // steady_clock ms of the last failed store call
  std::atomic<int64_t> last_maintenance_ms_{0};    // steady_clock ms of the last maintenance beat
  std::function<void(int)> running_listener_;      // set before start(), then read only
  bool claiming_ = true;
  std::map<std::string, Running*> running_;  // task id -> its stop control (owned by run_task's frame)
  // Threads last: joined (in the destructor) before the members they use go away.
  std::vector<std::jthread> threads_;
};

}  // namespace mw::runtime
