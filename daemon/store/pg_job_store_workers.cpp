// PgJobStore, the worker side: claiming tasks, leases, and the outcome of a task (the logic of
// sqlite_job_store_workers.cpp). Every method that takes a Claim first locks the job and the
// task and checks that the task still carries the claim's lease token and worker (fencing: a
// worker whose lease was taken over writes nothing).

#include <algorithm>
#include <cmath>
#include <string>

#include "daemon/store/column_values.hpp"
#include "daemon/store/pg_db.hpp"
#include "daemon/store/pg_job_store.hpp"
#include "daemon/store/pg_rows.hpp"
#include "daemon/store/pg_statements.hpp"
#include "daemon/store/task_transitions.hpp"

namespace mw::store {

using pg::Transaction;
using runtime::State;
namespace sql = pg::sql;

std::optional<Claim> PgJobStore::claim_task(const std::string& worker_id, TimePoint now,
                                  std::chrono::seconds lease,
                                  const runtime::WorkerCapabilities* capabilities) {
  const int64_t token = next_lease_token();
  return db_->write([&](Transaction& tx) -> std::optional<Claim> {
    const auto rows = pg::task_rows(tx);
    // One short transaction: the task row is locked by SELECT ... FOR UPDATE SKIP LOCKED (a
    // task another host is claiming right now is passed over, not waited for).
    const ClaimFilter filter(capabilities);
    const auto runnable = tx.exec_planned(sql::kSelectRunnableTask, filter.any, filter.long_edge,
                                  filter.short_edge, filter.encoders, filter.tags);
    if (runnable.empty()) {
      tx.nothing_changed();
      return std::nullopt;
    }
    Claim claim;
    claim.task_id = pg::text(runnable[0], 0);
    claim.job_id = pg::text(runnable[0], 1);
    claim.worker_id = worker_id;
    claim.lease_token = token;
    const auto scheduled =
        tx.exec(sql::kScheduleTask, claim.task_id, worker_id, claim.lease_token, now + lease);
    if (scheduled.empty()) return std::nullopt;  // cannot happen: the row is locked
    claim.attempt = pg::integer(scheduled[0], 0);
    rows->add_event(claim.task_id, runtime::state_name(State::Scheduled),
                   "worker '" + worker_id + "'", now);
    aggregate_job(*rows, claim.job_id, now);
    return claim;
  });
}

LeaseStatus PgJobStore::start_task(const Claim& claim, TimePoint now) {
  return db_->write([&](Transaction& tx) {
    const auto rows = pg::task_rows(tx);
    return store::start_task(*rows, rows->leased_task(claim), now);
  });
}

LeaseStatus PgJobStore::renew_lease(const Claim& claim, TimePoint now, std::chrono::seconds lease,
                                    double progress) {
  return db_->write([&](Transaction& tx) {
    const auto rows = pg::task_rows(tx);
    const auto task = rows->leased_task(claim);
    if (!task) return LeaseStatus::Lost;
    tx.exec(sql::kRenewLease, task->id, now + lease);
    if (task->state == State::Canceling) return LeaseStatus::CancelRequested;
    if (task->state == State::Processing && std::isfinite(progress)) {
      const double percent = std::clamp(progress, 0.0, 100.0);
      if (tx.exec(sql::kSetProgress, task->id, percent).affected_rows() > 0)
        aggregate_job(*rows, task->job_id, now);  // LastModified
    }
    return LeaseStatus::Held;
  });
}

bool PgJobStore::finish_task(const Claim& claim, TimePoint now,
                             const std::vector<runtime::AssetFile>& outputs,
                             const std::string& perf_message,
                             const std::vector<std::string>& notes,
                             const std::function<void()>& publish) {
  return db_->write([&](Transaction& tx) {
    const auto rows = pg::task_rows(tx);
    const auto task = rows->leased_task(claim);
    if (!task) return false;
    if (task->state != State::Processing && task->state != State::Canceling)
      throw StoreError(StoreError::Kind::InvalidState,
                       "task " + task->id + " is " + runtime::state_name(task->state) +
                           ": only a started (Processing or Canceling) task can finish");
    if (publish) publish();  // under the fence: the task's row is locked and still ours
    std::optional<std::string> output_asset;
    const auto first = tx.exec(sql::kSelectFirstOutput, task->id);
    if (!first.empty()) output_asset = pg::text(first[0], 0);
    if (!output_asset && !outputs.empty())
      throw StoreError(StoreError::Kind::InvalidState,
                       "task " + task->id + " has no output asset to register its output files in");
    if (output_asset) {
      // Rows an earlier attempt registered go: the files were written again by this one.
      tx.exec(sql::kDeleteFilesOfAsset, *output_asset);
      for (const auto& file : outputs) {
        const std::string id = file.id.empty() ? runtime::new_id(runtime::kAssetIdPrefix) : file.id;
        const TimePoint created = file.created == TimePoint{} ? now : file.created;
        const TimePoint modified = file.last_modified == TimePoint{} ? now : file.last_modified;
        tx.exec(sql::kInsertFile, id, file.name, *output_asset, file.content_file_size,
                file.mime_type, file.is_primary, created, modified);
      }
    }
    tx.exec(sql::kFinishTask, task->id, now, perf_message);
    for (const auto& note : notes) rows->add_event(task->id, "Note", note, now);
    rows->add_event(task->id, runtime::state_name(State::Finished), "", now);
    aggregate_job(*rows, task->job_id, now);
    return true;
  });
}

bool PgJobStore::fail_task(const Claim& claim, TimePoint now, const runtime::ErrorDetail& error) {
  return db_->write([&](Transaction& tx) {
    const auto rows = pg::task_rows(tx);
    const auto task = rows->leased_task(claim);
    if (!task) return false;
    store::fail_task(*rows, *task, now, error);
    aggregate_job(*rows, task->job_id, now);
    return true;
  });
}

bool PgJobStore::task_canceled(const Claim& claim, TimePoint now) {
  return db_->write([&](Transaction& tx) {
    const auto rows = pg::task_rows(tx);
    const auto task = rows->leased_task(claim);
    if (!task) return false;
    end_task(*rows, task->id, State::Canceled, now);
    cancel_starved_tasks(*rows, task->job_id, now);
    aggregate_job(*rows, task->job_id, now);
    return true;
  });
}

void PgJobStore::release_task(const Claim& claim, TimePoint now) {
  db_->write([&](Transaction& tx) {
    const auto rows = pg::task_rows(tx);
    const auto task = rows->leased_task(claim);
    if (!task) return;
    store::release_task(*rows, *task, claim.worker_id, now);
  });
}

std::vector<std::string> PgJobStore::requeue_expired(TimePoint now, int max_attempts) {
  return db_->write([&](Transaction& tx) {
    const auto rows = pg::task_rows(tx);
    std::vector<Claim> expired;
    for (const auto& row : tx.exec(sql::kSelectExpiredLeases, now))
      expired.push_back(
          {pg::text(row, 0), pg::text(row, 1), pg::text(row, 2), pg::int64(row, 3), 0});
    std::vector<std::string> taken_back;
    for (const auto& lease : expired) {
      // A job another transaction holds (its worker finishing the task right now, or a host
      // stalled mid-transaction) is passed over until the next round, never waited for.
      if (tx.exec(sql::kTryLockJob, lease.job_id).empty()) continue;
      // Locked and re-read: the worker may have renewed since, or taking back an earlier task
      // may have canceled this one.
      const auto task = rows->leased_task(lease);
      if (!task || tx.exec(sql::kLeaseExpired, task->id, now).empty()) continue;
      take_back_expired(*rows, *task, lease.worker_id, now, max_attempts);
      taken_back.push_back(task->id);
    }
    return taken_back;
  });
}

}  // namespace mw::store

// --- The worker table ----------------------------------------------------------------------------

namespace mw::store {

std::string PgJobStore::storage_identity(const std::string& proposed) {
  return db_->write([&](Transaction& tx) {
    tx.exec(sql::kInsertSetting, "storage_identity", proposed);  // the first host's wins
    return pg::text(tx.exec(sql::kSelectSetting, "storage_identity")[0], 0);
  });
}

void PgJobStore::register_worker(const runtime::Worker& worker) {
  db_->write([&](Transaction& tx) {
    tx.exec(sql::kUpsertWorker, worker.id, worker.host_id, worker.pid, worker.version,
            worker.slots, worker.lease_seconds, capabilities_json(worker.capabilities),
            worker.started, worker.last_heartbeat);
  });
}

bool PgJobStore::worker_heartbeat(const std::string& worker_id, TimePoint now) {
  return db_->write([&](Transaction& tx) {
    tx.nothing_changed();  // no wake-up for a heartbeat
    return tx.exec(sql::kWorkerHeartbeat, worker_id, now).affected_rows() > 0;
  });
}

void PgJobStore::remove_worker(const std::string& worker_id) {
  db_->write([&](Transaction& tx) { tx.exec(sql::kDeleteWorker, worker_id); });
}

int PgJobStore::prune_workers(TimePoint before) {
  return db_->write([&](Transaction& tx) {
    tx.nothing_changed();
    return static_cast<int>(tx.exec(sql::kPruneWorkers, before).affected_rows());
  });
}

std::vector<runtime::Worker> PgJobStore::list_workers() {
  return db_->read([&](Transaction& tx) {
    std::vector<runtime::Worker> workers;
    for (const auto& row : tx.exec(sql::kListWorkers))
      workers.push_back({pg::text(row, 0), pg::text(row, 1), pg::integer(row, 2),
                         pg::text(row, 3), pg::integer(row, 4), pg::integer(row, 5),
                         parse_capabilities(pg::text(row, 6)), pg::time(row, 7),
                         pg::time(row, 8), {}});
    for (const auto& row : tx.exec(sql::kLeasedTasksOfWorkers))
      for (auto& w : workers)
        if (w.id == pg::text(row, 0)) w.running_task_ids.push_back(pg::text(row, 1));
    return workers;
  });
}

StateCounts PgJobStore::state_counts() {
  return db_->read([&](Transaction& tx) {
    StateCounts counts;
    for (const auto& row : tx.exec(sql::kStateCounts)) {
      const int state = pg::integer(row, 1);
      if (state < 0 || state >= static_cast<int>(counts.jobs.size())) continue;  // not an AMS State
      (pg::integer(row, 0) == 0 ? counts.jobs : counts.tasks)[static_cast<size_t>(state)] = pg::int64(row, 2);
    }
    counts.runnable = pg::int64(tx.exec(sql::kCountRunnable)[0], 0);
    return counts;
  });
}

std::vector<std::string> PgJobStore::note_waiting_tasks(
    const std::function<std::string(const runtime::TaskRequirements&)>& why_waiting, TimePoint now,
    int limit) {
  return db_->write([&](Transaction& tx) {
    std::vector<std::string> noted;
    const auto rows = pg::task_rows(tx);
    for (const auto& row : tx.exec(sql::kSelectUnnotedQueued, limit)) {
      const runtime::TaskRequirements requirements{
          pg::integer(row, 2), pg::integer(row, 3), parse_string_array(pg::text(row, 4)),
          parse_string_array(pg::text(row, 5))};
      const std::string why = why_waiting(requirements);
      // The UPDATE waits for another host noting the same task, then finds it noted.
      if (why.empty() || tx.exec(sql::kNoteWaiting, pg::text(row, 0)).affected_rows() == 0) continue;
      rows->add_event(pg::text(row, 0), "Waiting", why, now);
      noted.push_back(pg::text(row, 0));
    }
    if (noted.empty()) tx.nothing_changed();
    return noted;
  });
}

}  // namespace mw::store
