#include "daemon/store/column_values.hpp"
#include "daemon/store/pg_transitions.hpp"

#include <chrono>
#include <vector>

#include "daemon/store/job_state.hpp"
#include "daemon/store/pg_statements.hpp"
#include "daemon/store/sqlite_rows.hpp"

namespace mw::store::pg {

using runtime::State;

std::optional<LeasedTask> find_leased_task(Transaction& tx, const Claim& claim) {
  const auto job = tx.exec(sql::kSelectJobOfTask, claim.task_id);
  if (job.empty()) return std::nullopt;
  const std::string job_id = text(job[0], 0);
  tx.exec(sql::kLockJob, job_id);
  const auto rows =
      tx.exec(sql::kSelectLeasedTask, claim.task_id, claim.lease_token, claim.worker_id);
  if (rows.empty()) return std::nullopt;
  LeasedTask task;
  task.id = claim.task_id;
  task.state = static_cast<State>(integer(rows[0], 0));
  task.job_id = text(rows[0], 1);
  task.options = integer(rows[0], 2);
  task.attempts = integer(rows[0], 3);
  return task;
}

State lock_job(Transaction& tx, const std::string& job_id) {
  const auto rows = tx.exec(sql::kLockJob, job_id);
  if (rows.empty())
    throw StoreError(StoreError::Kind::NotFound, "job " + job_id + " does not exist");
  return static_cast<State>(integer(rows[0], 0));
}

void add_event(Transaction& tx, const std::string& task_id, std::string_view code,
               std::string_view message, TimePoint at) {
  tx.exec(sql::kInsertTaskEvent, task_id, std::string(code), std::string(message), at);
}

void aggregate_job(Transaction& tx, const std::string& job_id, TimePoint now) {
  // The job row lock comes before the task states are read: under READ COMMITTED that read then
  // sees every task change committed by a transaction that held the lock before.
  const auto job = tx.exec(sql::kLockJob, job_id);
  if (job.empty()) return;
  const State old_state = static_cast<State>(integer(job[0], 0));
  std::optional<TimePoint> start = optional_time(job[0], 1);
  std::optional<TimePoint> end = optional_time(job[0], 2);
  std::vector<State> states;
  for (const auto& row : tx.exec(sql::kSelectTaskStatesOfJob, job_id))
    states.push_back(static_cast<State>(integer(row, 0)));
  const State state = aggregate_job_state(states);
  if (!start && (state == State::Scheduled || state == State::Processing)) start = now;
  if (!runtime::is_final(state))
    end.reset();
  else if (!runtime::is_final(old_state) || !end)
    end = now;
  double running_s = 0;
  if (end && start) running_s = std::chrono::duration<double>(*end - *start).count();
  tx.exec(sql::kUpdateJobAggregate, job_id, static_cast<int>(state), now, start, end, running_s);
}

void end_task(Transaction& tx, const std::string& task_id, State final_state, TimePoint now,
              std::string_view message) {
  tx.exec(sql::kEndTask, task_id, static_cast<int>(final_state), now);
  add_event(tx, task_id, runtime::state_name(final_state), message, now);
}

void cancel_task(Transaction& tx, const std::string& task_id, State current, TimePoint now) {
  if (current == State::Queued || current == State::Scheduled) {
    end_task(tx, task_id, State::Canceled, now);
  } else if (current == State::Processing) {
    tx.exec(sql::kSetCanceling, task_id);
    add_event(tx, task_id, runtime::state_name(State::Canceling), "", now);
  }
}

void cancel_starved_tasks(Transaction& tx, const std::string& job_id, TimePoint now) {
  for (;;) {
    std::vector<std::string> starved;
    for (const auto& row : tx.exec(sql::kSelectStarvedTasks, job_id))
      starved.push_back(text(row, 0));
    if (starved.empty()) return;
    for (const auto& id : starved)
      end_task(tx, id, State::Canceled, now,
               "an input asset is the output of a task that ended in Error or Canceled");
  }
}

void fail_task(Transaction& tx, const LeasedTask& task, TimePoint now,
               const runtime::ErrorDetail& error) {
  std::vector<runtime::ErrorDetail> details;
  const auto rows = tx.exec(sql::kSelectErrorDetails, task.id);
  if (!rows.empty()) details = parse_error_details(text(rows[0], 0), task.id);
  details.push_back(error);
  tx.exec(sql::kSetErrorDetails, task.id, error_details_json(details));
  end_task(tx, task.id, State::Error, now, error.message);
  if ((task.options & runtime::kDoNotDeleteOutputAssetOnFailure) == 0)
    tx.exec(sql::kDeleteTaskOutputFiles, task.id);

  struct Other {
    std::string id;
    State state;
  };
  std::vector<Other> others;
  for (const auto& row : tx.exec(sql::kSelectCancelableTasks, task.job_id))
    if ((integer(row, 2) & runtime::kDoNotCancelOnJobFailure) == 0)
      others.push_back({text(row, 0), static_cast<State>(integer(row, 1))});
  for (const auto& other : others) cancel_task(tx, other.id, other.state, now);
  cancel_starved_tasks(tx, task.job_id, now);
}

}  // namespace mw::store::pg
