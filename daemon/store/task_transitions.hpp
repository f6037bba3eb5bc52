#pragma once
// Task state transitions, the same rules for every JobStore, run inside the caller's
// transaction: each writes the task row, its historical event, and the effects on the job's
// other tasks; the caller re-aggregates the job (aggregate_job) before committing. The rows are
// read and written through TaskRows, which each store implements with its own SQL
// (sqlite::task_rows, pg::task_rows). Internal to mw_store.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"

namespace mw::store {

/// A task as seen through a worker's claim.
struct LeasedTask {
  std::string id;
  std::string job_id;
  runtime::State state = runtime::State::Queued;
  int options = 0;  ///< TaskOptions flags
  int attempts = 0;
};

/// A job's row as aggregate_job needs it.
struct JobRow {
  runtime::State state = runtime::State::Queued;
  std::optional<TimePoint> start, end;
};

/// One (task, asset) pair of a job: a task with no asset has one row with role -1.
struct TaskAssetRow {
  std::string task_id;
  runtime::State state = runtime::State::Queued;
  int options = 0;  ///< TaskOptions flags
  int role = -1;    ///< 0 an input, 1 an output, -1 none
  std::string asset_id;
};

/// The row operations of the transitions, in the store's transaction. PostgreSQL locks rows, the
/// job row before task rows (leased_task, lock_job), so that transactions of one job do not
/// deadlock and re-aggregate its State from committed task states. @throws StoreError
class TaskRows {
 public:
  virtual ~TaskRows() = default;
  /// The task `claim` still holds (same lease token and worker; expiry is not checked), or
  /// nullopt when the lease was lost: taken back, claimed again, or the task is gone.
  virtual std::optional<LeasedTask> leased_task(const Claim& claim) = 0;
  /// The job's row (PostgreSQL: locked for the rest of the transaction), or nullopt when it is
  /// gone.
  virtual std::optional<JobRow> lock_job(const std::string& job_id) = 0;
  /// Sets the job's State, StartTime, EndTime, LastModified = now and RunningDuration (seconds).
  virtual void update_job(const std::string& job_id, const JobRow& job, TimePoint now,
                          double running_s) = 0;
  /// The job's tasks with their assets, by task position, then role and asset position.
  virtual std::vector<TaskAssetRow> task_assets_of_job(const std::string& job_id) = 0;
  /// -> `state` (Error or Canceled): EndTime = now, RunningDuration, lease cleared.
  virtual void end_task_row(const std::string& task_id, runtime::State state, TimePoint now) = 0;
  /// -> Canceling (the lease is kept: its worker learns it from renew_lease).
  virtual void set_canceling(const std::string& task_id) = 0;
  /// -> Queued: Progress 0, StartTime and the lease cleared; attempts less one when `uncounted`
  /// (a task given back, not lost).
  virtual void requeue_task_row(const std::string& task_id, bool uncounted) = 0;
  /// -> Processing with StartTime = now.
  virtual void start_task_row(const std::string& task_id, TimePoint now) = 0;
  /// Appends a TaskHistoricalEvent (after the task's earlier ones).
  virtual void add_event(const std::string& task_id, std::string_view code,
                         std::string_view message, TimePoint at) = 0;
  /// The task's ErrorDetails column (JSON; see column_values.hpp), nullopt when it is gone.
  virtual std::optional<std::string> error_details(const std::string& task_id) = 0;
  virtual void set_error_details(const std::string& task_id, const std::string& json) = 0;
  /// Deletes the AssetFile rows of the task's output assets.
  virtual void delete_output_files(const std::string& task_id) = 0;
};

/// The job's State. @throws StoreError NotFound when the job does not exist
runtime::State require_job(TaskRows& rows, const std::string& job_id);

/// Re-aggregates the job's State from its tasks (aggregate_job_state) and sets LastModified =
/// now; StartTime when the job first leaves Queued; EndTime and RunningDuration (seconds) when
/// it becomes final. Does nothing when the job is gone.
void aggregate_job(TaskRows& rows, const std::string& job_id, TimePoint now);

/// -> `final_state` (Error or Canceled): EndTime, RunningDuration, lease cleared, and a
/// historical event named after the state with `message`.
void end_task(TaskRows& rows, const std::string& task_id, runtime::State final_state, TimePoint now,
              std::string_view message = {});

/// Cancels the job's Queued tasks that can never run because an input is the output of a task
/// of the job that ended in Error or Canceled (repeated along chains), with a message saying so.
void cancel_starved_tasks(TaskRows& rows, const std::string& job_id, TimePoint now);

/// The failure of a task (JobStore::fail_task, and a lease expired after the last attempt):
/// -> Error with `error` appended to its ErrorDetails and an "Error" event carrying its message;
/// unless DoNotDeleteOutputAssetOnFailure, the AssetFile rows of its output assets are deleted;
/// the job's other unfinished tasks are canceled unless they have DoNotCancelOnJobFailure
/// (NETSDK TaskOptions: "the task will not be cancelled even if the corresponding job failed"),
/// and tasks that now can never run are canceled. Does not aggregate the job.
void fail_task(TaskRows& rows, const LeasedTask& task, TimePoint now,
               const runtime::ErrorDetail& error);

/// JobStore::cancel_job: every unfinished task of the job is canceled (Queued/Scheduled ->
/// Canceled, Processing -> Canceling: its worker learns it from its lease and calls
/// task_canceled), then the job is re-aggregated.
/// @throws StoreError NotFound (no such job), InvalidState (the job is final or Canceling)
void cancel_job(TaskRows& rows, const std::string& job_id, TimePoint now);

/// JobStore::start_task for the task a claim found (nullopt: the lease was lost): Scheduled ->
/// Processing with its event, the job aggregated; a Canceling task answers CancelRequested, a
/// Processing one Held (a retried call), any other Lost.
LeaseStatus start_task(TaskRows& rows, const std::optional<LeasedTask>& task, TimePoint now);

/// JobStore::release_task for a task its worker still holds: a Canceling task ends Canceled;
/// any other goes back to Queued with a "Released" event, the attempt not counted. Aggregates
/// the job.
void release_task(TaskRows& rows, const LeasedTask& task, const std::string& worker_id,
                  TimePoint now);

/// JobStore::requeue_expired for one task whose lease of `worker_id` expired: a Canceling task
/// ends Canceled; one at `max_attempts` goes to Error (TransientError); any other goes back to
/// Queued with a "Requeued" event naming the worker and the attempt. Aggregates the job.
void take_back_expired(TaskRows& rows, const LeasedTask& task, const std::string& worker_id,
                       TimePoint now, int max_attempts);

}  // namespace mw::store
