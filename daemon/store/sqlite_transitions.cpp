#include "daemon/store/sqlite_transitions.hpp"

#include <chrono>
#include <vector>

#include "daemon/store/job_state.hpp"
#include "daemon/store/sqlite_rows.hpp"
#include "daemon/store/sqlite_statements.hpp"

namespace mw::store::sqlite {

using runtime::State;

std::optional<LeasedTask> find_leased_task(Database& db, const Claim& claim) {
  auto select = db.prepare(sql::kSelectLeasedTask);
  select.bind_all(claim.task_id, claim.lease_token, claim.worker_id);
  if (!select.step()) return std::nullopt;
  LeasedTask task;
  task.id = claim.task_id;
  task.state = static_cast<State>(select.integer(0));
  task.job_id = select.text(1);
  task.options = select.integer(2);
  task.attempts = select.integer(3);
  return task;
}

void add_event(Database& db, const std::string& task_id, std::string_view code,
               std::string_view message, TimePoint at) {
  db.prepare(sql::kInsertTaskEvent).bind_all(task_id, code, message, at).run();
}

void aggregate_job(Database& db, const std::string& job_id, TimePoint now) {
  State old_state{};
  std::optional<TimePoint> start, end;
  {
    auto job = db.prepare(sql::kSelectJobTimes);
    job.bind_all(job_id);
    if (!job.step()) return;
    old_state = static_cast<State>(job.integer(0));
    start = job.optional_time(1);
    end = job.optional_time(2);
  }
  std::vector<State> states;
  {
    auto tasks = db.prepare(sql::kSelectTaskStatesOfJob);
    tasks.bind_all(job_id);
    while (tasks.step()) states.push_back(static_cast<State>(tasks.integer(0)));
  }
  const State state = aggregate_job_state(states);
  if (!start && (state == State::Scheduled || state == State::Processing)) start = now;
  if (!runtime::is_final(state))
    end.reset();
  else if (!runtime::is_final(old_state) || !end)
    end = now;
  double running_s = 0;
  if (end && start) running_s = std::chrono::duration<double>(*end - *start).count();
  db.prepare(sql::kUpdateJobAggregate)
      .bind_all(job_id, static_cast<int>(state), now, start, end, running_s)
      .run();
}

void end_task(Database& db, const std::string& task_id, State final_state, TimePoint now,
              std::string_view message) {
  db.prepare(sql::kEndTask).bind_all(task_id, static_cast<int>(final_state), now).run();
  add_event(db, task_id, runtime::state_name(final_state), message, now);
}

void cancel_task(Database& db, const std::string& task_id, State current, TimePoint now) {
  if (current == State::Queued || current == State::Scheduled) {
    end_task(db, task_id, State::Canceled, now);
  } else if (current == State::Processing) {
    db.prepare(sql::kSetCanceling).bind_all(task_id).run();
    add_event(db, task_id, runtime::state_name(State::Canceling), "", now);
  }
}

void cancel_starved_tasks(Database& db, const std::string& job_id, TimePoint now) {
  for (;;) {
    std::vector<std::string> starved;
    {
      auto select = db.prepare(sql::kSelectStarvedTasks);
      select.bind_all(job_id);
      while (select.step()) starved.push_back(select.text(0));
    }
    if (starved.empty()) return;
    for (const auto& id : starved)
      end_task(db, id, State::Canceled, now,
               "an input asset is the output of a task that ended in Error or Canceled");
  }
}

void fail_task(Database& db, const LeasedTask& task, TimePoint now,
               const runtime::ErrorDetail& error) {
  std::vector<runtime::ErrorDetail> details;
  {
    auto select = db.prepare(sql::kSelectErrorDetails);
    select.bind_all(task.id);
    if (select.step()) details = parse_error_details(select.text(0), task.id);
  }
  details.push_back(error);
  db.prepare(sql::kSetErrorDetails).bind_all(task.id, error_details_json(details)).run();
  end_task(db, task.id, State::Error, now, error.message);
  if ((task.options & runtime::kDoNotDeleteOutputAssetOnFailure) == 0)
    db.prepare(sql::kDeleteTaskOutputFiles).bind_all(task.id).run();

  struct Other {
    std::string id;
    State state;
  };
  std::vector<Other> others;
  {
    auto select = db.prepare(sql::kSelectCancelableTasks);
    select.bind_all(task.job_id);
    while (select.step())
      if ((select.integer(2) & runtime::kDoNotCancelOnJobFailure) == 0)
        others.push_back({select.text(0), static_cast<State>(select.integer(1))});
  }
  for (const auto& other : others) cancel_task(db, other.id, other.state, now);
  cancel_starved_tasks(db, task.job_id, now);
}

}  // namespace mw::store::sqlite
