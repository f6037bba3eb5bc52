#pragma once
// Task state transitions of the SQLite job store, run inside the caller's transaction: each
// writes the task row, its historical event, and the effects on the job's other tasks; the
// caller re-aggregates the job (aggregate_job) before committing. Internal to mw_store.

#include <optional>
#include <string>
#include <string_view>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"
#include "daemon/store/sqlite_db.hpp"

namespace mw::store::sqlite {

/// A task as seen through a worker's claim.
struct LeasedTask {
  std::string id;
  std::string job_id;
  runtime::State state = runtime::State::Queued;
  int options = 0;  ///< TaskOptions flags
  int attempts = 0;
};

/// The task `claim` still holds (same lease token and worker; expiry is not checked), or
/// nullopt when the lease was lost: taken back, claimed again, or the task is gone.
std::optional<LeasedTask> find_leased_task(Database& db, const Claim& claim);

/// Appends a TaskHistoricalEvent (next sequence number of the task).
void add_event(Database& db, const std::string& task_id, std::string_view code,
               std::string_view message, TimePoint at);

/// Re-aggregates the job's State from its tasks (aggregate_job_state) and sets LastModified =
/// now; StartTime when the job first leaves Queued; EndTime and RunningDuration (seconds) when
/// it becomes final. Does nothing when the job is gone.
void aggregate_job(Database& db, const std::string& job_id, TimePoint now);

/// -> `final_state` (Error or Canceled): EndTime, RunningDuration, lease cleared, and a
/// historical event named after the state with `message`.
void end_task(Database& db, const std::string& task_id, runtime::State final_state, TimePoint now,
              std::string_view message = {});

/// Cancels one unfinished task: Queued/Scheduled -> Canceled, Processing -> Canceling (its
/// worker learns it from its lease and calls task_canceled). Other states are left alone.
void cancel_task(Database& db, const std::string& task_id, runtime::State current, TimePoint now);

/// Cancels the job's Queued tasks that can never run because an input is the output of a task
/// of the job that ended in Error or Canceled (repeated along chains).
void cancel_starved_tasks(Database& db, const std::string& job_id, TimePoint now);

/// The failure of a task (JobStore::fail_task, and a lease expired after the last attempt):
/// -> Error with `error` appended to its ErrorDetails and an "Error" event carrying its message;
/// unless DoNotDeleteOutputAssetOnFailure, the AssetFile rows of its output assets are deleted;
/// the job's other unfinished tasks are canceled unless they have DoNotCancelOnJobFailure
/// (NETSDK TaskOptions: "the task will not be cancelled even if the corresponding job failed"),
/// and tasks that now can never run are canceled. Does not aggregate the job.
void fail_task(Database& db, const LeasedTask& task, TimePoint now,
               const runtime::ErrorDetail& error);

}  // namespace mw::store::sqlite
