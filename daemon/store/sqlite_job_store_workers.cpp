// SqliteJobStore, the worker side: claiming tasks, leases, and the outcome of a task. Every
// method that takes a Claim first checks that the task still carries the claim's lease token
// and worker (not the expiry: an expired lease that nobody took back is still held); when it
// does not, the method writes nothing.

#include <algorithm>
#include <cmath>
#include <string>

#include "daemon/store/column_values.hpp"
#include "daemon/store/sqlite_db.hpp"
#include "daemon/store/sqlite_job_store.hpp"
#include "daemon/store/sqlite_rows.hpp"
#include "daemon/store/sqlite_statements.hpp"
#include "daemon/store/task_transitions.hpp"

namespace mw::store {

using runtime::State;
using sqlite::Transaction;
namespace sql = sqlite::sql;

std::optional<Claim> SqliteJobStore::claim_task(const std::string& worker_id, TimePoint now,
                                  std::chrono::seconds lease,
                                  const runtime::WorkerCapabilities* capabilities) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  Claim claim;
  {
    const ClaimFilter filter(capabilities);
    auto select = db_->prepare(sql::kSelectRunnableTask);
    select.bind_all(filter.any, filter.long_edge, filter.short_edge, filter.encoders, filter.tags);
    if (!select.step()) return std::nullopt;
    claim.task_id = select.text(0);
    claim.job_id = select.text(1);
  }
  claim.worker_id = worker_id;
  claim.lease_token = next_lease_token();
  {
    auto update = db_->prepare(sql::kScheduleTask);
    update.bind_all(claim.task_id, worker_id, claim.lease_token, now + lease);
    while (update.step()) claim.attempt = update.integer(0);
  }
  rows->add_event(claim.task_id, runtime::state_name(State::Scheduled),
                   "worker '" + worker_id + "'", now);
  aggregate_job(*rows, claim.job_id, now);
  transaction.commit();
  return claim;
}

LeaseStatus SqliteJobStore::start_task(const Claim& claim, TimePoint now) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  const LeaseStatus status = store::start_task(*rows, rows->leased_task(claim), now);
  if (status == LeaseStatus::Held) transaction.commit();  // a retried call commits nothing new
  return status;
}

LeaseStatus SqliteJobStore::renew_lease(const Claim& claim, TimePoint now,
                                        std::chrono::seconds lease, double progress) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  const auto task = rows->leased_task(claim);
  if (!task) return LeaseStatus::Lost;
  db_->prepare(sql::kRenewLease).bind_all(task->id, now + lease).run();
  if (task->state == State::Canceling) {
    transaction.commit();
    return LeaseStatus::CancelRequested;
  }
  if (task->state == State::Processing && std::isfinite(progress)) {
    const double percent = std::clamp(progress, 0.0, 100.0);
    if (db_->prepare(sql::kSetProgress).bind_all(task->id, percent).run() > 0)
      aggregate_job(*rows, task->job_id, now);  // LastModified
  }
  transaction.commit();
  return LeaseStatus::Held;
}

bool SqliteJobStore::finish_task(const Claim& claim, TimePoint now,
                                 const std::vector<runtime::AssetFile>& outputs,
                                 const std::string& perf_message,
                                 const std::vector<std::string>& notes,
                             const std::function<void()>& publish) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  const auto task = rows->leased_task(claim);
  if (!task) return false;
  if (task->state != State::Processing && task->state != State::Canceling)
    throw StoreError(StoreError::Kind::InvalidState,
                     "task " + task->id + " is " + runtime::state_name(task->state) +
                         ": only a started (Processing or Canceling) task can finish");
  if (publish) publish();  // under the fence: the task's row is locked and still ours
  std::optional<std::string> output_asset;
  {
    auto select = db_->prepare(sql::kSelectFirstOutput);
    select.bind_all(task->id);
    if (select.step()) output_asset = select.text(0);
  }
  if (!output_asset && !outputs.empty())
    throw StoreError(StoreError::Kind::InvalidState,
                     "task " + task->id + " has no output asset to register its output files in");
  if (output_asset) {
    // Rows an earlier attempt registered go: the files were written again by this one.
    db_->prepare(sql::kDeleteFilesOfAsset).bind_all(*output_asset).run();
    for (const auto& file : outputs) {
      const std::string id = file.id.empty() ? runtime::new_id(runtime::kAssetIdPrefix) : file.id;
      const TimePoint created = file.created == TimePoint{} ? now : file.created;
      const TimePoint modified = file.last_modified == TimePoint{} ? now : file.last_modified;
      db_->prepare(sql::kInsertFile)
          .bind_all(id, file.name, *output_asset, file.content_file_size, file.mime_type,
                    file.is_primary, created, modified)
          .run();
    }
  }
  db_->prepare(sql::kFinishTask).bind_all(task->id, now, perf_message).run();
  for (const auto& note : notes) rows->add_event(task->id, "Note", note, now);
  rows->add_event(task->id, runtime::state_name(State::Finished), "", now);
  aggregate_job(*rows, task->job_id, now);
  transaction.commit();
  return true;
}

bool SqliteJobStore::fail_task(const Claim& claim, TimePoint now,
                               const runtime::ErrorDetail& error) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  const auto task = rows->leased_task(claim);
  if (!task) return false;
  store::fail_task(*rows, *task, now, error);
  aggregate_job(*rows, task->job_id, now);
  transaction.commit();
  return true;
}

bool SqliteJobStore::task_canceled(const Claim& claim, TimePoint now) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  const auto task = rows->leased_task(claim);
  if (!task) return false;
  end_task(*rows, task->id, State::Canceled, now);
  cancel_starved_tasks(*rows, task->job_id, now);
  aggregate_job(*rows, task->job_id, now);
  transaction.commit();
  return true;
}

void SqliteJobStore::release_task(const Claim& claim, TimePoint now) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  const auto task = rows->leased_task(claim);
  if (!task) return;
  store::release_task(*rows, *task, claim.worker_id, now);
  transaction.commit();
}

std::vector<std::string> SqliteJobStore::requeue_expired(TimePoint now, int max_attempts) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const auto rows = sqlite::task_rows(*db_);
  std::vector<Claim> expired;
  {
    auto select = db_->prepare(sql::kSelectExpiredLeases);
    select.bind_all(now);
    while (select.step())
      expired.push_back({select.text(0), select.text(1), select.text(2), select.int64(3), 0});
  }
  std::vector<std::string> taken_back;
  for (const auto& lease : expired) {
    // Re-read: taking back an earlier task may have canceled this one.
    const auto task = rows->leased_task(lease);
    if (!task) continue;
    take_back_expired(*rows, *task, lease.worker_id, now, max_attempts);
    taken_back.push_back(task->id);
  }
  transaction.commit();
  return taken_back;
}

}  // namespace mw::store

// --- The worker table ----------------------------------------------------------------------------

namespace mw::store {

std::string SqliteJobStore::storage_identity(const std::string& proposed) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  db_->prepare(sql::kInsertSetting).bind_all("storage_identity", proposed).run();
  auto select = db_->prepare(sql::kSelectSetting);
  select.bind_all("storage_identity");
  std::string recorded = select.step() ? select.text(0) : proposed;
  transaction.commit();
  return recorded;
}

void SqliteJobStore::register_worker(const runtime::Worker& worker) {
  std::lock_guard lock(mutex_);
  db_->prepare(sql::kUpsertWorker)
      .bind_all(worker.id, worker.host_id, worker.pid, worker.version, worker.slots,
                worker.lease_seconds, capabilities_json(worker.capabilities), worker.started,
                worker.last_heartbeat)
      .run();
}

bool SqliteJobStore::worker_heartbeat(const std::string& worker_id, TimePoint now) {
  std::lock_guard lock(mutex_);
  return db_->prepare(sql::kWorkerHeartbeat).bind_all(worker_id, now).run() > 0;
}

void SqliteJobStore::remove_worker(const std::string& worker_id) {
  std::lock_guard lock(mutex_);
  db_->prepare(sql::kDeleteWorker).bind_all(worker_id).run();
}

int SqliteJobStore::prune_workers(TimePoint before) {
  std::lock_guard lock(mutex_);
  return db_->prepare(sql::kPruneWorkers).bind_all(before).run();
}

std::vector<runtime::Worker> SqliteJobStore::list_workers() {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, Transaction::Mode::Deferred);  // one snapshot for both reads
  std::vector<runtime::Worker> workers;
  auto select = db_->prepare(sql::kListWorkers);
  while (select.step())
    workers.push_back({select.text(0), select.text(1), select.integer(2), select.text(3),
                       select.integer(4), select.integer(5), parse_capabilities(select.text(6)),
                       select.time(7), select.time(8), {}});
  auto leased = db_->prepare(sql::kLeasedTasksOfWorkers);
  while (leased.step())
    for (auto& w : workers)
      if (w.id == leased.text(0)) w.running_task_ids.push_back(leased.text(1));
  return workers;
}

StateCounts SqliteJobStore::state_counts() {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, Transaction::Mode::Deferred);  // one snapshot for both reads
  StateCounts counts;
  auto select = db_->prepare(sql::kStateCounts);
  while (select.step()) {
    const int state = select.integer(1);
    if (state < 0 || state >= static_cast<int>(counts.jobs.size())) continue;  // not an AMS State
    (select.integer(0) == 0 ? counts.jobs : counts.tasks)[static_cast<size_t>(state)] = select.int64(2);
  }
  auto runnable = db_->prepare(sql::kCountRunnable);
  if (runnable.step()) counts.runnable = runnable.int64(0);
  return counts;
}

std::vector<std::string> SqliteJobStore::note_waiting_tasks(
    const std::function<std::string(const runtime::TaskRequirements&)>& why_waiting, TimePoint now,
    int limit) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  std::vector<std::pair<std::string, runtime::TaskRequirements>> queued;
  {
    auto select = db_->prepare(sql::kSelectUnnotedQueued);
    select.bind_all(limit);
    while (select.step())
      queued.push_back({select.text(0),
                        {select.integer(2), select.integer(3), parse_string_array(select.text(4)),
                         parse_string_array(select.text(5))}});
  }
  const auto rows = sqlite::task_rows(*db_);
  std::vector<std::string> noted;
  for (const auto& [task_id, requirements] : queued) {
    const std::string why = why_waiting(requirements);
    if (why.empty() || db_->prepare(sql::kNoteWaiting).bind_all(task_id).run() == 0) continue;
    rows->add_event(task_id, "Waiting", why, now);
    noted.push_back(task_id);
  }
  if (!noted.empty()) transaction.commit();
  return noted;
}

}  // namespace mw::store
