#pragma once
// Task state transitions of the PostgreSQL job store, run inside the caller's transaction: the
// same steps as sqlite_transitions.hpp (see there for each one's contract), with the row locks
// PostgreSQL needs. Lock order, to keep transactions of one job from deadlocking: the job row
// (lock_job), then task rows. Internal to mw_store.

#include <optional>
#include <string>
#include <string_view>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"
#include "daemon/store/pg_db.hpp"

namespace mw::store::pg {

/// A task as seen through a worker's claim.
struct LeasedTask {
  std::string id;
  std::string job_id;
  runtime::State state = runtime::State::Queued;
  int options = 0;  ///< TaskOptions flags
  int attempts = 0;
};

/// Locks the task's job row, then the task's row, and returns the task when it still carries
/// the claim's lease token and worker (expiry is not checked); nullopt when the lease was lost.
std::optional<LeasedTask> find_leased_task(Transaction& tx, const Claim& claim);

/// Locks the job row; returns its State. @throws StoreError NotFound
runtime::State lock_job(Transaction& tx, const std::string& job_id);

/// Appends a TaskHistoricalEvent.
void add_event(Transaction& tx, const std::string& task_id, std::string_view code,
               std::string_view message, TimePoint at);

/// Re-aggregates the job's State from its tasks (aggregate_job_state) under the job row lock;
/// see sqlite::aggregate_job. Does nothing when the job is gone.
void aggregate_job(Transaction& tx, const std::string& job_id, TimePoint now);

/// -> `final_state` (Error or Canceled) with EndTime, RunningDuration, lease cleared, event.
void end_task(Transaction& tx, const std::string& task_id, runtime::State final_state,
              TimePoint now, std::string_view message = {});

/// Queued/Scheduled -> Canceled, Processing -> Canceling; other states are left alone.
void cancel_task(Transaction& tx, const std::string& task_id, runtime::State current,
                 TimePoint now);

/// Cancels the job's Queued tasks that can never run (repeated along chains).
void cancel_starved_tasks(Transaction& tx, const std::string& job_id, TimePoint now);

/// The failure of a task; see sqlite::fail_task. Does not aggregate the job.
void fail_task(Transaction& tx, const LeasedTask& task, TimePoint now,
               const runtime::ErrorDetail& error);

}  // namespace mw::store::pg
