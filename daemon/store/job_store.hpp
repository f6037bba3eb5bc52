#pragma once
// The JobStore: the one source of truth for assets, asset files, jobs, tasks and their
// historical events, and for which worker holds which task (DESIGN.md "The control path").
// Every state change is one transaction; the Job's State is re-aggregated from its tasks in the
// same transaction (AMS: "an aggregate of the Tasks state").
//
// Implementations: SqliteJobStore (one host). All methods are thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"

namespace mw::store {

using runtime::TimePoint;

/// A store failure. `kind` lets the API choose the HTTP status.
class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    NotFound,     ///< the entity does not exist (HTTP 404)
    Conflict,     ///< duplicate AssetFile name, second primary file (HTTP 409)
    InvalidState, ///< e.g. deleting a job that is not final, cancelling a final job (HTTP 400)
    Unavailable,  ///< the database failed (HTTP 500/503)
  };
  StoreError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

/// $skip/$top paging (AMS: at most 1000 entities per answer).
struct Page {
  int skip = 0;
  int top = 1000;
};

/// A job to persist: the job, its tasks (positions 0..n-1, inputs/outputs resolved to asset
/// Ids) and the output assets created with it (AMS: "created upon job creation").
struct NewJob {
  runtime::Job job;
  std::vector<runtime::Task> tasks;
  std::vector<runtime::Asset> output_assets;
};

/// A worker's hold on a task: the lease token fences every later write (a worker whose lease
/// was taken over can no longer change the task).
struct Claim {
  std::string task_id;
  std::string job_id;
  std::string worker_id;
  int64_t lease_token = 0;
  int attempt = 0;  ///< 1 for the first run
};

/// What a worker learns when it renews its lease or reports progress.
enum class LeaseStatus {
  Held,            ///< keep going
  CancelRequested, ///< the job is being canceled: stop and call task_canceled
  Lost,            ///< the lease expired and was taken over, or the task is gone: stop, write nothing
};

/// A change the notification outbox recorded, in the same transaction as the change itself
/// (only for jobs and tasks that have notification subscriptions).
struct NotificationEvent {
  enum class Kind { JobStateChange, TaskStateChange, TaskProgress };
  int64_t seq = 0;        ///< outbox order
  Kind kind = Kind::JobStateChange;
  std::string job_id;
  std::string job_name;
  std::string task_id;    ///< empty for JobStateChange
  runtime::State old_state = runtime::State::Queued;
  runtime::State new_state = runtime::State::Queued;
  double progress = 0;    ///< TaskProgress: the task's Progress, 0-100
  TimePoint at{};         ///< when the change was committed
};

/// An endpoint subscribed to the job or task of a NotificationEvent.
struct NotificationSubscriber {
  runtime::NotificationEndPoint endpoint;
  runtime::NotificationSubscription subscription;
  bool registered = false;  ///< a NotificationEndPointRegistration was already queued for it
  /// TaskProgress rate limit: when and what this subscriber was last sent (nullopt: never).
  std::optional<TimePoint> last_progress_at;
  double last_progress = 0;
};

/// One message for one endpoint, as queued in the outbox.
struct OutboxMessage {
  std::string endpoint_id;
  std::string etag;  ///< 64 hex: the SHA-256 of the message's identity
  std::string body;  ///< the JSON message, exactly the bytes POSTed (and signed)
  NotificationEvent::Kind kind = NotificationEvent::Kind::JobStateChange;
  bool registration = false;  ///< a NotificationEndPointRegistration
};

/// Composes the messages of one event for its subscribers (filtering by TargetJobState, the
/// progress interval, and putting a registration first for an endpoint not yet registered).
using ComposeMessages = std::function<std::vector<OutboxMessage>(
    const NotificationEvent& event, const std::vector<NotificationSubscriber>& subscribers)>;

/// A queued message due for delivery.
struct Delivery {
  int64_t seq = 0;
  std::string endpoint_id;
  std::string job_id;
  std::string body;
  std::string etag;
  TimePoint created{};
  int attempts = 0;  ///< failed attempts so far
};

/// What the outbox holds, for logs and metrics.
struct NotificationCounts {
  int64_t pending = 0;    ///< queued, not yet delivered
  int64_t delivered = 0;  ///< since the store was created
  int64_t dead = 0;       ///< given up after the maximum age
};

/// Jobs and tasks per State and the runnable queue, for metrics (GET /metrics).
struct StateCounts {
  /// Indexed by the AMS State value (Queued 0 ... Canceling 6).
  std::array<int64_t, 7> jobs{};
  std::array<int64_t, 7> tasks{};
  /// Queued tasks whose inputs are ready (what claim_task without capabilities could take).
  int64_t runnable = 0;
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // --- Assets and files -------------------------------------------------------------------
  virtual void create_asset(const runtime::Asset& asset) = 0;
  virtual std::optional<runtime::Asset> find_asset(const std::string& id) = 0;
  virtual std::vector<runtime::Asset> list_assets(Page page) = 0;
  /// @throws StoreError NotFound (no parent asset), Conflict (same Name in the asset, or a
  ///         second IsPrimary file)
  virtual void add_asset_file(const runtime::AssetFile& file) = 0;
  /// Sets ContentFileSize (bytes) after an upload. @throws StoreError NotFound
  virtual void set_asset_file_size(const std::string& file_id, int64_t size, TimePoint now) = 0;
  virtual std::optional<runtime::AssetFile> find_asset_file(const std::string& id) = 0;
  /// The files of one asset, by Name.
  virtual std::vector<runtime::AssetFile> asset_files(const std::string& asset_id) = 0;
  virtual std::vector<runtime::AssetFile> list_asset_files(Page page) = 0;

  // --- Jobs and tasks ---------------------------------------------------------------------
  /// Persists a job with its tasks and output assets (State Queued, a "Queued" historical
  /// event per task). @throws StoreError NotFound when an input asset does not exist
  virtual void create_job(const NewJob& job) = 0;
  /// create_job for several jobs in one transaction: every job is persisted or none is (a
  /// $batch changeset). @throws StoreError like create_job
  virtual void create_jobs(const std::vector<NewJob>& jobs) = 0;
  virtual std::optional<runtime::Job> find_job(const std::string& id) = 0;
  /// Jobs by Created, oldest first.
  virtual std::vector<runtime::Job> list_jobs(Page page) = 0;
  /// A job's tasks by position, with ErrorDetails and HistoricalEvents.
  virtual std::vector<runtime::Task> job_tasks(const std::string& job_id) = 0;
  virtual std::optional<runtime::Task> find_task(const std::string& id) = 0;
  virtual std::vector<runtime::Task> list_tasks(Page page) = 0;
  /// Deletes a Finished/Error/Canceled job and its tasks; its assets stay.
  /// @throws StoreError NotFound, InvalidState (not final)
  virtual void delete_job(const std::string& id) = 0;
  /// CancelJob: Queued/Scheduled tasks become Canceled, Processing tasks Canceling (their
  /// worker stops and calls task_canceled); the job becomes Canceling, or Canceled when no task
  /// was processing. @throws StoreError NotFound, InvalidState (final or already Canceling)
  virtual void cancel_job(const std::string& id, TimePoint now) = 0;

  // --- JobTemplates and TaskTemplates (AMS-V2-REFERENCE.md §3) -----------------------------
  /// Persists a JobTemplate with its TaskTemplates (in the vector's order, which is the order
  /// find_job_template gives their Ids back) in one transaction; `job_template.task_template_ids`
  /// is ignored. TaskTemplate Ids are compared without regard to case (GUIDs).
  /// @throws StoreError Conflict naming the Id when the JobTemplate's or a TaskTemplate's Id is
  ///         taken (nothing is written then)
  virtual void create_job_template(const runtime::JobTemplate& job_template,
                                   const std::vector<runtime::TaskTemplate>& task_templates) = 0;
  /// The JobTemplate with its task_template_ids, or nullopt.
  virtual std::optional<runtime::JobTemplate> find_job_template(const std::string& id) = 0;
  /// JobTemplates by Created, oldest first, with their task_template_ids.
  virtual std::vector<runtime::JobTemplate> list_job_templates(Page page) = 0;
  /// The TaskTemplates of a JobTemplate, in order (empty for an unknown JobTemplate).
  virtual std::vector<runtime::TaskTemplate> job_template_task_templates(
      const std::string& job_template_id) = 0;
  virtual std::optional<runtime::TaskTemplate> find_task_template(const std::string& id) = 0;
  /// TaskTemplates by their JobTemplate's Created, then position.
  virtual std::vector<runtime::TaskTemplate> list_task_templates(Page page) = 0;
  /// Deletes a JobTemplate and its TaskTemplates; jobs created from it keep their TemplateId.
  /// @throws StoreError NotFound
  virtual void delete_job_template(const std::string& id) = 0;

  // --- Workers ----------------------------------------------------------------------------
  /// Claims the runnable task with the highest job Priority (then the oldest job, then task
  /// position): State Queued and every input asset ready (a job input, or the output of a task
  /// of the same job that Finished). The task becomes Scheduled with a lease until now + lease;
  /// attempts is incremented. With `capabilities`, only a task whose TaskRequirements they meet
  /// (runtime::cannot_run is "") is claimed: a task this worker cannot run is passed over, not
  /// waited for; nullptr claims any task. Returns nullopt when nothing is runnable.
  virtual std::optional<Claim> claim_task(
      const std::string& worker_id, TimePoint now, std::chrono::seconds lease,
      const runtime::WorkerCapabilities* capabilities = nullptr) = 0;
  /// Scheduled -> Processing (StartTime set). Returns the lease status.
  virtual LeaseStatus start_task(const Claim& claim, TimePoint now) = 0;
  /// Extends the lease to now + lease and stores Progress (0-100) when it changed.
  virtual LeaseStatus renew_lease(const Claim& claim, TimePoint now, std::chrono::seconds lease,
                                  double progress) = 0;
  /// Processing -> Finished: Progress 100, EndTime, RunningDuration, PerfMessage, and the
  /// output files registered as AssetFiles of the task's first output asset (any rows left
  /// from an earlier attempt are replaced). Returns false (and writes nothing) when the lease
  /// was lost. Each of `notes` (the engine's plan notes: dropped ladder layers, fallbacks,
  /// inserted silence) becomes a HistoricalEvent with Code "Note" before the "Finished" one.
  /// `publish` (optional) runs inside the transaction once the lease is known to be held, with
  /// the task's row locked, so no other worker can take the task over meanwhile: the worker
  /// moves its output files into place there (fencing at the final rename). It may run more
  /// than once when the store retries the transaction (it must be idempotent); when it throws,
  /// nothing is written and the exception propagates.
  virtual bool finish_task(const Claim& claim, TimePoint now,
                           const std::vector<runtime::AssetFile>& outputs,
                           const std::string& perf_message,
                           const std::vector<std::string>& notes = {},
                           const std::function<void()>& publish = {}) = 0;
  /// -> Error with the ErrorDetail (EndTime, RunningDuration). Unless the task has
  /// DoNotDeleteOutputAssetOnFailure, the AssetFile rows of its output assets are removed (the
  /// worker removes the files). The job's other unfinished tasks are canceled (Queued/Scheduled
  /// ones Canceled, Processing ones Canceling), except those that have DoNotCancelOnJobFailure
  /// (NETSDK: "the task will not be cancelled even if the corresponding job failed") and can
  /// still run; a task whose input can no longer be produced is canceled regardless.
  /// Returns false when the lease was lost.
  virtual bool fail_task(const Claim& claim, TimePoint now, const runtime::ErrorDetail& error) = 0;
  /// Canceling -> Canceled (EndTime set). Returns false when the lease was lost.
  virtual bool task_canceled(const Claim& claim, TimePoint now) = 0;
  /// Gives a claimed task back (daemon draining): -> Queued, the attempt not counted.
  virtual void release_task(const Claim& claim, TimePoint now) = 0;
  /// Takes back every Scheduled/Processing/Canceling task whose lease expired before `now` (its
  /// worker died): a Canceling one becomes Canceled; the others go back to Queued with a
  /// "Requeued" historical event, or, after `max_attempts` claims, to Error with a
  /// TransientError detail. Returns the Ids of the tasks taken back.
  virtual std::vector<std::string> requeue_expired(TimePoint now, int max_attempts) = 0;

  // --- The worker table (GET /api/Workers; docs/farm.md) -----------------------------------
  /// The identity of the farm's shared storage as the store records it, recording `proposed`
  /// first when there is none (the first host of a farm). Hosts compare it with the marker file
  /// of their storage.root, so that a host whose shared storage is not mounted refuses to start.
  virtual std::string storage_identity(const std::string& proposed) = 0;
  /// Adds the worker's row, or replaces it (same id). running_task_ids is ignored.
  virtual void register_worker(const runtime::Worker& worker) = 0;
  /// Sets the worker's last heartbeat. Returns false when its row is gone (pruned after it
  /// missed heartbeats): the worker registers again.
  virtual bool worker_heartbeat(const std::string& worker_id, TimePoint now) = 0;
  /// Removes the worker's row (a clean stop). Unknown ids are ignored.
  virtual void remove_worker(const std::string& worker_id) = 0;
  /// Removes the rows whose last heartbeat is before `before`. Returns how many.
  virtual int prune_workers(TimePoint before) = 0;
  /// Every worker row, by host id then id, each with the tasks it holds a lease on
  /// (Scheduled, Processing or Canceling).
  virtual std::vector<runtime::Worker> list_workers() = 0;
  /// How many jobs and tasks are in each State, and how many Queued tasks are runnable: one
  /// read transaction of GROUP BY counts (cheap enough for every scrape). On PostgreSQL the
  /// whole farm's. @throws StoreError Unavailable
  virtual StateCounts state_counts() = 0;
  /// For up to `limit` Queued tasks not yet noted, oldest first: `why_waiting(requirements)`
  /// says why no live worker can run the task ("" when one can); a task with a reason gets a
  /// HistoricalEvent "Waiting" with it and is noted, so the event is written once per wait (a
  /// claim clears the note). Returns the Ids of the tasks noted.
  virtual std::vector<std::string> note_waiting_tasks(
      const std::function<std::string(const runtime::TaskRequirements&)>& why_waiting,
      TimePoint now, int limit) = 0;

  // --- Notifications (AMS-V2-REFERENCE.md §6; DESIGN.md "transactional outbox") -------------
  /// @throws StoreError Conflict when the Id is taken
  virtual void create_notification_endpoint(const runtime::NotificationEndPoint& endpoint) = 0;
  virtual std::optional<runtime::NotificationEndPoint> find_notification_endpoint(
      const std::string& id) = 0;
  /// By Created, oldest first.
  virtual std::vector<runtime::NotificationEndPoint> list_notification_endpoints(Page page) = 0;
  /// MERGE: only Name changes. @throws StoreError NotFound
  virtual void rename_notification_endpoint(const std::string& id, const std::string& name) = 0;
  /// Deletes the endpoint and the messages still queued for it; subscriptions naming it stay on
  /// their jobs and tasks (AMS: fixed after creation) and deliver nothing. @throws NotFound
  virtual void delete_notification_endpoint(const std::string& id) = 0;

  /// Turns up to `limit` recorded events into queued messages, oldest first, in one transaction
  /// (one dispatcher of the farm at a time: another one finding expansion under way returns 0,
  /// so messages of one job are queued in order):
  /// `compose` gets each event with its subscribers (endpoints that still exist); the messages it
  /// returns are queued (due at once), an endpoint that got a message is marked registered, and a
  /// subscriber that got a TaskProgress message has its last_progress updated. Returns the
  /// number of events consumed.
  virtual int expand_notifications(const ComposeMessages& compose, int limit) = 0;
  /// For each (endpoint, job) queue, its oldest undelivered message when it is due at `now`
  /// (messages of one job reach one endpoint in order), oldest first, at most `limit`.
  virtual std::vector<Delivery> due_deliveries(TimePoint now, int limit) = 0;
  /// When the next queued message is due (nullopt: none queued).
  virtual std::optional<TimePoint> next_delivery_due() = 0;
  /// Takes a due message for one delivery attempt: its due time moves to `until` (the attempt's
  /// deadline), so no other dispatcher (another host's) sends it meanwhile, and a dispatcher
  /// that dies with it in flight leaves it due again at `until`. Returns false when it is no
  /// longer due at `now` (another dispatcher took it, or it was delivered).
  virtual bool claim_delivery(int64_t seq, TimePoint now, TimePoint until) = 0;
  /// The receiver acknowledged (2xx): the message leaves the queue.
  virtual void delivery_succeeded(int64_t seq) = 0;
  /// A failed attempt: attempts + 1, due again at `retry_at`; or, when `dead`, the message is
  /// given up (kept with `error` for inspection, counted as dead).
  virtual void delivery_failed(int64_t seq, TimePoint retry_at, const std::string& error,
                               bool dead) = 0;
  virtual NotificationCounts notification_counts() = 0;
  /// `listener` is called whenever a write transaction commits (e.g. to wake the notification
  /// dispatcher at once rather than at its next poll). It runs on the committing thread, inside
  /// the store: it must be quick and must not call the store. An empty function removes it.
  virtual void set_change_listener(std::function<void()> listener) = 0;
};

}  // namespace mw::store
