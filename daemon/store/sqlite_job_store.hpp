#pragma once
// The JobStore on an embedded SQLite database (one host): WAL journal, synchronous=NORMAL,
// foreign keys on, versioned migrations run when the store opens (sqlite_migrations.cpp).
// One connection serialised by a mutex; every change is one IMMEDIATE transaction that also
// re-aggregates the job's State (job_state.hpp).

#include <filesystem>
#include <memory>
#include <mutex>
#include <random>

#include "daemon/store/job_store.hpp"

namespace mw::store {

namespace sqlite {
class Database;
}

/// SQLite implementation of JobStore. Times are stored as ms since the epoch (sub-millisecond
/// parts of the TimePoints given are dropped). See JobStore for each method's contract; the
/// choices this implementation makes where the contract leaves room are noted here:
///  - create_job stores task i at position i (the vector order) with State Queued; the job's
///    OutputMediaAssets are job.output_asset_ids, or the Ids of NewJob::output_assets when that
///    list is empty. A task's input or output asset that does not exist -> NotFound; an Id that
///    is already taken -> Conflict.
///  - start_task/renew_lease answer CancelRequested for a Canceling task (renew still extends the
///    lease so that the worker can report task_canceled). finish_task on a task that was never
///    started (Scheduled) throws StoreError InvalidState; from Canceling it still finishes.
///  - A task that goes back to Queued (requeue, release) loses its StartTime and Progress: the
///    next attempt starts afresh.
///  - fail_task spares the other tasks that have DoNotCancelOnJobFailure themselves (NETSDK
///    TaskOptions: "the task will not be cancelled even if the corresponding job failed"); the
///    failing task's own flag does not matter. A Queued task that can never run, because one of
///    its inputs is the output of a task of the job that ended in Error or Canceled, is
///    canceled anyway (flag or not): it would otherwise keep the job from ever ending.
///  - release_task of a Canceling task ends it Canceled; of any other, puts it back to Queued
///    with attempts - 1 and a "Released" event.
///  - A job's StartTime is set when its first task is Scheduled and kept from then on.
class SqliteJobStore : public JobStore {
 public:
  /// Opens (creating it when missing) the database file and migrates it to the latest schema.
  /// @throws StoreError Unavailable naming the file when it cannot be opened or migrated, or
  ///         when its schema version is newer than this build knows
  explicit SqliteJobStore(const std::filesystem::path& db);
  ~SqliteJobStore() override;
  SqliteJobStore(const SqliteJobStore&) = delete;
  SqliteJobStore& operator=(const SqliteJobStore&) = delete;

  /// The schema version of the open database (== the latest migration after opening).
  int schema_version();

  void create_asset(const runtime::Asset& asset) override;
  std::optional<runtime::Asset> find_asset(const std::string& id) override;
  std::vector<runtime::Asset> list_assets(Page page) override;
  void add_asset_file(const runtime::AssetFile& file) override;
  void set_asset_file_size(const std::string& file_id, int64_t size, TimePoint now) override;
  std::optional<runtime::AssetFile> find_asset_file(const std::string& id) override;
  std::vector<runtime::AssetFile> asset_files(const std::string& asset_id) override;
  std::vector<runtime::AssetFile> list_asset_files(Page page) override;

  void create_job(const NewJob& job) override;
  void create_jobs(const std::vector<NewJob>& jobs) override;
  std::optional<runtime::Job> find_job(const std::string& id) override;
  std::vector<runtime::Job> list_jobs(Page page) override;
  std::vector<runtime::Task> job_tasks(const std::string& job_id) override;
  std::optional<runtime::Task> find_task(const std::string& id) override;
  std::vector<runtime::Task> list_tasks(Page page) override;
  void delete_job(const std::string& id) override;
  void cancel_job(const std::string& id, TimePoint now) override;

  void create_job_template(const runtime::JobTemplate& job_template,
                           const std::vector<runtime::TaskTemplate>& task_templates) override;
  std::optional<runtime::JobTemplate> find_job_template(const std::string& id) override;
  std::vector<runtime::JobTemplate> list_job_templates(Page page) override;
  std::vector<runtime::TaskTemplate> job_template_task_templates(
      const std::string& job_template_id) override;
  std::optional<runtime::TaskTemplate> find_task_template(const std::string& id) override;
  std::vector<runtime::TaskTemplate> list_task_templates(Page page) override;
  void delete_job_template(const std::string& id) override;

  std::optional<Claim> claim_task(const std::string& worker_id, TimePoint now,
                                  std::chrono::seconds lease,
                                  const runtime::WorkerCapabilities* capabilities = nullptr) override;
  LeaseStatus start_task(const Claim& claim, TimePoint now) override;
  LeaseStatus renew_lease(const Claim& claim, TimePoint now, std::chrono::seconds lease,
                          double progress) override;
  bool finish_task(const Claim& claim, TimePoint now,
                   const std::vector<runtime::AssetFile>& outputs,
                   const std::string& perf_message,
                   const std::vector<std::string>& notes = {},
                   const std::function<void()>& publish = {}) override;
  bool fail_task(const Claim& claim, TimePoint now, const runtime::ErrorDetail& error) override;
  bool task_canceled(const Claim& claim, TimePoint now) override;
  void release_task(const Claim& claim, TimePoint now) override;
  std::vector<std::string> requeue_expired(TimePoint now, int max_attempts) override;

  std::string storage_identity(const std::string& proposed) override;
  void register_worker(const runtime::Worker& worker) override;
  bool worker_heartbeat(const std::string& worker_id, TimePoint now) override;
  void remove_worker(const std::string& worker_id) override;
  int prune_workers(TimePoint before) override;
  std::vector<runtime::Worker> list_workers() override;
  StateCounts state_counts() override;
  std::vector<std::string> note_waiting_tasks(
      const std::function<std::string(const runtime::TaskRequirements&)>& why_waiting,
      TimePoint now, int limit) override;

  void create_notification_endpoint(const runtime::NotificationEndPoint& endpoint) override;
  std::optional<runtime::NotificationEndPoint> find_notification_endpoint(
      const std::string& id) override;
  std::vector<runtime::NotificationEndPoint> list_notification_endpoints(Page page) override;
  void rename_notification_endpoint(const std::string& id, const std::string& name) override;
  void delete_notification_endpoint(const std::string& id) override;
  int expand_notifications(const ComposeMessages& compose, int limit) override;
  std::vector<Delivery> due_deliveries(TimePoint now, int limit) override;
  std::optional<TimePoint> next_delivery_due() override;
  bool claim_delivery(int64_t seq, TimePoint now, TimePoint until) override;
  void delivery_succeeded(int64_t seq) override;
  void delivery_failed(int64_t seq, TimePoint retry_at, const std::string& error,
                       bool dead) override;
  NotificationCounts notification_counts() override;
  void set_change_listener(std::function<void()> listener) override;

 private:
  /// create_job's inserts, inside the caller's transaction (mutex_ held).
  void insert_job(const NewJob& job);
  /// A new lease token: random, never 0.
  int64_t next_lease_token();

  std::mutex mutex_;  // serialises every use of db_ and random_
  std::unique_ptr<sqlite::Database> db_;
  std::mt19937_64 random_;
  std::function<void()> change_listener_;  // called from SQLite's commit hook (under mutex_)
};

}  // namespace mw::store
