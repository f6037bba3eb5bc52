#include "daemon/store/task_transitions.hpp"

#include <algorithm>
#include <chrono>

#include "daemon/store/column_values.hpp"
#include "daemon/store/job_state.hpp"

namespace mw::store {

using runtime::State;

namespace {

struct JobTask {
  std::string id;
  State state;
  int options;
  std::vector<std::string> inputs, outputs;
};

/// The job's tasks by position, with their input and output asset Ids.
std::vector<JobTask> tasks_of_job(TaskRows& rows, const std::string& job_id) {
  std::vector<JobTask> tasks;
  for (auto& row : rows.task_assets_of_job(job_id)) {
    if (tasks.empty() || tasks.back().id != row.task_id)
      tasks.push_back({row.task_id, row.state, row.options, {}, {}});
    if (row.role == 0) tasks.back().inputs.push_back(std::move(row.asset_id));
    if (row.role == 1) tasks.back().outputs.push_back(std::move(row.asset_id));
  }
  return tasks;
}

/// Queued/Scheduled -> Canceled, Processing -> Canceling; other states are left alone.
void cancel_task(TaskRows& rows, const std::string& task_id, State current, TimePoint now) {
  if (current == State::Queued || current == State::Scheduled) {
    end_task(rows, task_id, State::Canceled, now);
  } else if (current == State::Processing) {
    rows.set_canceling(task_id);
    rows.add_event(task_id, runtime::state_name(State::Canceling), "", now);
  }
}

/// Whether `task` is Queued and an input of it is the output of another task of `tasks` that
/// ended in Error or Canceled.
bool starved(const JobTask& task, const std::vector<JobTask>& tasks) {
  if (task.state != State::Queued) return false;
  return std::any_of(tasks.begin(), tasks.end(), [&](const JobTask& producer) {
    return &producer != &task &&
           (producer.state == State::Error || producer.state == State::Canceled) &&
           std::any_of(task.inputs.begin(), task.inputs.end(), [&](const std::string& input) {
             return std::find(producer.outputs.begin(), producer.outputs.end(), input) !=
                    producer.outputs.end();
           });
  });
}

}  // namespace

State require_job(TaskRows& rows, const std::string& job_id) {
  const auto job = rows.lock_job(job_id);
  if (!job) throw StoreError(StoreError::Kind::NotFound, "job " + job_id + " does not exist");
  return job->state;
}

void aggregate_job(TaskRows& rows, const std::string& job_id, TimePoint now) {
  // The job row lock comes before the task states are read: under READ COMMITTED that read then
  // sees every task change committed by a transaction that held the lock before.
  auto job = rows.lock_job(job_id);
  if (!job) return;
  std::vector<State> states;
  for (const auto& task : tasks_of_job(rows, job_id)) states.push_back(task.state);
  const State old_state = job->state;
  job->state = aggregate_job_state(states);
  if (!job->start && (job->state == State::Scheduled || job->state == State::Processing))
    job->start = now;
  if (!runtime::is_final(job->state))
    job->end.reset();
  else if (!runtime::is_final(old_state) || !job->end)
    job->end = now;
  double running_s = 0;
  if (job->end && job->start)
    running_s = std::chrono::duration<double>(*job->end - *job->start).count();
  rows.update_job(job_id, *job, now, running_s);
}

void end_task(TaskRows& rows, const std::string& task_id, State final_state, TimePoint now,
              std::string_view message) {
  rows.end_task_row(task_id, final_state, now);
  rows.add_event(task_id, runtime::state_name(final_state), message, now);
}

void cancel_starved_tasks(TaskRows& rows, const std::string& job_id, TimePoint now) {
  auto tasks = tasks_of_job(rows, job_id);
  for (;;) {  // by rounds: a task canceled in one can starve its successors in the next
    std::vector<JobTask*> round;
    for (auto& task : tasks)
      if (starved(task, tasks)) round.push_back(&task);
    if (round.empty()) return;
    for (auto* task : round) {
      end_task(rows, task->id, State::Canceled, now,
               "an input asset is the output of a task that ended in Error or Canceled");
      task->state = State::Canceled;
    }
  }
}

void fail_task(TaskRows& rows, const LeasedTask& task, TimePoint now,
               const runtime::ErrorDetail& error) {
  std::vector<runtime::ErrorDetail> details;
  if (const auto json = rows.error_details(task.id)) details = parse_error_details(*json, task.id);
  details.push_back(error);
  rows.set_error_details(task.id, error_details_json(details));
  end_task(rows, task.id, State::Error, now, error.message);
  if ((task.options & runtime::kDoNotDeleteOutputAssetOnFailure) == 0)
    rows.delete_output_files(task.id);
  for (const auto& other : tasks_of_job(rows, task.job_id))
    if ((other.options & runtime::kDoNotCancelOnJobFailure) == 0)
      cancel_task(rows, other.id, other.state, now);
  cancel_starved_tasks(rows, task.job_id, now);
}

void cancel_job(TaskRows& rows, const std::string& job_id, TimePoint now) {
  const State state = require_job(rows, job_id);
  if (runtime::is_final(state) || state == State::Canceling)
    throw StoreError(StoreError::Kind::InvalidState,
                     "job " + job_id + " is " + runtime::state_name(state) +
                         ": only Queued, Scheduled or Processing jobs can be canceled");
  for (const auto& task : tasks_of_job(rows, job_id)) cancel_task(rows, task.id, task.state, now);
  aggregate_job(rows, job_id, now);
}

LeaseStatus start_task(TaskRows& rows, const std::optional<LeasedTask>& task, TimePoint now) {
  if (!task) return LeaseStatus::Lost;
  switch (task->state) {
    case State::Canceling:
      return LeaseStatus::CancelRequested;
    case State::Processing:
      return LeaseStatus::Held;  // a retried call
    case State::Scheduled:
      break;
    default:
      return LeaseStatus::Lost;
  }
  rows.start_task_row(task->id, now);
  rows.add_event(task->id, runtime::state_name(State::Processing), "", now);
  aggregate_job(rows, task->job_id, now);
  return LeaseStatus::Held;
}

void release_task(TaskRows& rows, const LeasedTask& task, const std::string& worker_id,
                  TimePoint now) {
  if (task.state == State::Canceling) {
    // The job is being canceled: giving the task back ends it.
    end_task(rows, task.id, State::Canceled, now);
    cancel_starved_tasks(rows, task.job_id, now);
  } else {
    rows.requeue_task_row(task.id, true);
    rows.add_event(task.id, "Released",
                   "worker '" + worker_id + "' gave the task back; attempt " +
                       std::to_string(task.attempts) + " not counted",
                   now);
  }
  aggregate_job(rows, task.job_id, now);
}

void take_back_expired(TaskRows& rows, const LeasedTask& task, const std::string& worker_id,
                       TimePoint now, int max_attempts) {
  const std::string attempt =
      "attempt " + std::to_string(task.attempts) + " of at most " + std::to_string(max_attempts);
  const std::string expiry = "the lease of worker '" + worker_id + "' expired";
  if (task.state == State::Canceling) {
    end_task(rows, task.id, State::Canceled, now, expiry + " while canceling");
    cancel_starved_tasks(rows, task.job_id, now);
  } else if (task.attempts >= max_attempts) {
    fail_task(rows, task, now, {"TransientError", expiry + " on " + attempt + ": no attempt left"});
  } else {
    rows.requeue_task_row(task.id, false);
    rows.add_event(task.id, "Requeued", expiry + " on " + attempt + "; queued again", now);
  }
  aggregate_job(rows, task.job_id, now);
}

}  // namespace mw::store
