#pragma once
// The JobStore on PostgreSQL (issue 7: a farm of hosts sharing one job database), through
// libpqxx 6.4. Versioned migrations run when the store opens (pg_migrations.cpp); one
// connection per store serialised by a mutex (pg_db.hpp); every change is one READ COMMITTED
// transaction that takes row locks (the job row first, then the task's), runs named prepared
// statements (pg_statements.hpp) and re-aggregates the job's State (job_state.hpp).

#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "daemon/store/job_store.hpp"

namespace mw::store {

namespace pg {
class Database;
class Listener;
}

/// PostgreSQL implementation of JobStore. Behaves as SqliteJobStore does wherever the contract
/// leaves room (see sqlite_job_store.hpp: positions, Canceling answers, requeue/release,
/// DoNotCancelOnJobFailure, the job's StartTime); times are BIGINT ms since the epoch.
/// What differs:
///  - claim_task picks the task with `SELECT ... FOR UPDATE OF t SKIP LOCKED`: stores on several
///    hosts never claim one task twice and do not wait for each other's claims.
///  - A lost connection (pqxx::broken_connection) or a deadlock/serialization victim makes the
///    whole transaction run again on a new connection, Database::kAttempts times with doubling
///    back-off from 100 ms; then StoreError Unavailable. A connection lost during COMMIT is
///    Unavailable at once (the change may have been made).
///  - set_change_listener's listener is called after each write transaction of this store
///    commits, and for changes of other processes (other hosts) that make a task claimable or
///    record a notification event: a second connection LISTENs for the triggers' NOTIFY
///    (pg_listener.hpp), started with the first listener.
///  - The schema lives in the connection's search_path (the first schema): to use another
///    schema than public, give `options=-csearch_path%3Dname` in the URL (the tests do).
class PgJobStore : public JobStore {
 public:
  /// Connects to `url` (libpq URI, e.g. postgresql://user@host:5432/mediaworker, or key=value
  /// string) and migrates the database to the latest schema.
  /// @throws StoreError Unavailable naming the database (without its password) when it cannot
  ///         be reached or migrated, or when its schema version is newer than this build knows
  explicit PgJobStore(const std::string& url);
  ~PgJobStore() override;
  PgJobStore(const PgJobStore&) = delete;
  PgJobStore& operator=(const PgJobStore&) = delete;

  /// The schema version of the database (pg::latest_schema_version() once opened).
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
                   const std::vector<runtime::AssetFile>& outputs, const std::string& perf_message,
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
  /// A new lease token: random, never 0.
  int64_t next_lease_token();

  std::string url_;
  std::unique_ptr<pg::Database> db_;  // thread-safe itself
  std::mutex listener_mutex_;         // guards listener_ and on_change_
  std::function<void()> on_change_;
  std::unique_ptr<pg::Listener> listener_;  // other hosts' changes (while on_change_ is set)
  std::mutex random_mutex_;           // guards random_
  std::mt19937_64 random_;
};

}  // namespace mw::store
