#pragma once
// The SQL of the PostgreSQL job store, one named statement each (the name is its prepared
// statement's name on the connection and appears in error messages). Schema: pg_migrations.cpp.
// The statements are those of sqlite_statements.hpp in PostgreSQL's dialect, plus row locks:
// every transition locks the job row first (lock_job), then the task row (select_leased_task),
// so that concurrent transitions of one job re-aggregate its State from committed task states.
// Times are ms since the epoch; job_assets/task_assets role 0 is an input, role 1 an output.

#include "daemon/store/pg_db.hpp"

namespace mw::store::pg::sql {

// --- Assets ---------------------------------------------------------------------------------
inline constexpr Sql kInsertAsset{
    "insert_asset",
    "INSERT INTO assets (id, name, state, options, format_option, alternate_id,"
    " storage_account_name, created_ms, last_modified_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9)"};
inline constexpr Sql kSelectAsset{
    "select_asset",
    "SELECT id, name, state, options, format_option, alternate_id, storage_account_name,"
    " created_ms, last_modified_ms FROM assets WHERE id = $1"};
inline constexpr Sql kListAssets{
    "list_assets",
    "SELECT id, name, state, options, format_option, alternate_id, storage_account_name,"
    " created_ms, last_modified_ms FROM assets ORDER BY created_ms, seq LIMIT $1 OFFSET $2"};
inline constexpr Sql kAssetExists{"asset_exists", "SELECT 1 FROM assets WHERE id = $1"};

// --- Asset files ----------------------------------------------------------------------------
inline constexpr Sql kInsertFile{
    "insert_asset_file",
    "INSERT INTO asset_files (id, name, parent_asset_id, content_file_size, mime_type, is_primary,"
    " created_ms, last_modified_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
inline constexpr Sql kSelectFile{
    "select_asset_file",
    "SELECT id, name, parent_asset_id, content_file_size, mime_type, is_primary, created_ms,"
    " last_modified_ms FROM asset_files WHERE id = $1"};
inline constexpr Sql kSelectAssetFiles{
    "select_files_of_asset",
    "SELECT id, name, parent_asset_id, content_file_size, mime_type, is_primary, created_ms,"
    " last_modified_ms FROM asset_files WHERE parent_asset_id = $1 ORDER BY name, seq"};
inline constexpr Sql kListFiles{
    "list_asset_files",
    "SELECT id, name, parent_asset_id, content_file_size, mime_type, is_primary, created_ms,"
    " last_modified_ms FROM asset_files ORDER BY created_ms, seq LIMIT $1 OFFSET $2"};
inline constexpr Sql kFileNameTaken{
    "file_name_taken", "SELECT 1 FROM asset_files WHERE parent_asset_id = $1 AND name = $2"};
inline constexpr Sql kPrimaryFileOf{
    "primary_file_of", "SELECT name FROM asset_files WHERE parent_asset_id = $1 AND is_primary"};
inline constexpr Sql kSetFileSize{
    "set_asset_file_size",
    "UPDATE asset_files SET content_file_size = $2, last_modified_ms = $3 WHERE id = $1"};
inline constexpr Sql kDeleteFilesOfAsset{"delete_files_of_asset",
                                         "DELETE FROM asset_files WHERE parent_asset_id = $1"};
inline constexpr Sql kDeleteTaskOutputFiles{
    "delete_task_output_files",
    "DELETE FROM asset_files WHERE parent_asset_id IN"
    " (SELECT asset_id FROM task_assets WHERE task_id = $1 AND role = 1)"};

// --- Jobs -----------------------------------------------------------------------------------
inline constexpr Sql kInsertJob{
    "insert_job",
    "INSERT INTO jobs (id, name, priority, state, created_ms, last_modified_ms, template_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};
inline constexpr Sql kInsertJobAsset{
    "insert_job_asset",
    "INSERT INTO job_assets (job_id, role, position, asset_id) VALUES ($1, $2, $3, $4)"};
inline constexpr Sql kSelectJob{
    "select_job",
    "SELECT id, name, priority, state, created_ms, last_modified_ms, start_ms, end_ms,"
    " running_duration_s, template_id FROM jobs WHERE id = $1"};
inline constexpr Sql kListJobs{
    "list_jobs",
    "SELECT id, name, priority, state, created_ms, last_modified_ms, start_ms, end_ms,"
    " running_duration_s, template_id FROM jobs ORDER BY created_ms, seq LIMIT $1 OFFSET $2"};
inline constexpr Sql kSelectJobAssets{
    "select_job_assets",
    "SELECT role, asset_id FROM job_assets WHERE job_id = $1 ORDER BY role, position"};
/// Locks the job row for the rest of the transaction (every change of a job's tasks takes it
/// first): its State, StartTime and EndTime.
inline constexpr Sql kLockJob{"lock_job",
                              "SELECT state, start_ms, end_ms FROM jobs WHERE id = $1 FOR UPDATE"};
inline constexpr Sql kSelectJobOfTask{"select_job_of_task",
                                      "SELECT job_id FROM tasks WHERE id = $1"};
inline constexpr Sql kUpdateJobAggregate{
    "update_job_aggregate",
    "UPDATE jobs SET state = $2, last_modified_ms = $3, start_ms = $4, end_ms = $5,"
    " running_duration_s = $6 WHERE id = $1"};
inline constexpr Sql kDeleteJob{"delete_job", "DELETE FROM jobs WHERE id = $1"};

// --- Tasks ----------------------------------------------------------------------------------
inline constexpr Sql kInsertTask{
    "insert_task",
    "INSERT INTO tasks (id, job_id, position, name, configuration, media_processor_id, task_body,"
    " options, priority, state, req_long_edge, req_short_edge, req_encoders, req_tags, job_priority,"
    " job_created_ms, job_seq)"
    " SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " j.priority, j.created_ms, j.seq FROM jobs j WHERE j.id = $2"};
inline constexpr Sql kInsertTaskAsset{
    "insert_task_asset",
    "INSERT INTO task_assets (task_id, role, position, asset_id) VALUES ($1, $2, $3, $4)"};
inline constexpr Sql kSelectTask{
    "select_task",
    "SELECT id, job_id, position, name, configuration, media_processor_id, task_body, options,"
    " priority, state, progress, start_ms, end_ms, running_duration_s, perf_message, error_details,"
    " attempts, req_long_edge, req_short_edge, req_encoders, req_tags FROM tasks WHERE id = $1"};
inline constexpr Sql kSelectTasksOfJob{
    "select_tasks_of_job",
    "SELECT id, job_id, position, name, configuration, media_processor_id, task_body, options,"
    " priority, state, progress, start_ms, end_ms, running_duration_s, perf_message, error_details,"
    " attempts, req_long_edge, req_short_edge, req_encoders, req_tags FROM tasks WHERE job_id = $1 ORDER BY position"};
inline constexpr Sql kListTasks{
    "list_tasks",
    "SELECT t.id, t.job_id, t.position, t.name, t.configuration, t.media_processor_id,"
    " t.task_body, t.options, t.priority, t.state, t.progress, t.start_ms, t.end_ms,"
    " t.running_duration_s, t.perf_message, t.error_details, t.attempts, t.req_long_edge,"
    " t.req_short_edge, t.req_encoders, t.req_tags"
    " FROM tasks t JOIN jobs j ON j.id = t.job_id"
    " ORDER BY j.created_ms, j.seq, t.position LIMIT $1 OFFSET $2"};
inline constexpr Sql kSelectTaskAssets{
    "select_task_assets",
    "SELECT role, asset_id FROM task_assets WHERE task_id = $1 ORDER BY role, position"};
inline constexpr Sql kSelectTaskEvents{
    "select_task_events",
    "SELECT code, message, timestamp_ms FROM task_events WHERE task_id = $1 ORDER BY seq"};
inline constexpr Sql kInsertTaskEvent{
    "insert_task_event",
    "INSERT INTO task_events (task_id, code, message, timestamp_ms) VALUES ($1, $2, $3, $4)"};
inline constexpr Sql kSelectErrorDetails{"select_error_details",
                                         "SELECT error_details FROM tasks WHERE id = $1"};
inline constexpr Sql kSetErrorDetails{"set_error_details",
                                      "UPDATE tasks SET error_details = $2 WHERE id = $1"};
inline constexpr Sql kSelectFirstOutput{
    "select_first_output_asset",
    "SELECT asset_id FROM task_assets WHERE task_id = $1 AND role = 1 ORDER BY position LIMIT 1"};
/// The job's tasks, one row per (task, asset): role and asset_id -1 and '' for a task without.
/// A LATERAL subquery kept from being flattened (OFFSET 0): as a plain join, the planner hashed
/// all of task_assets once the statistics lagged the table (a full scan per call).
inline constexpr Sql kSelectTaskAssetsOfJob{
    "select_task_assets_of_job",
    "SELECT t.id, t.state, t.options, COALESCE(a.role, -1), COALESCE(a.asset_id, '')"
    " FROM tasks t LEFT JOIN LATERAL (SELECT x.role, x.asset_id, x.position FROM task_assets x"
    " WHERE x.task_id = t.id OFFSET 0) a ON true WHERE t.job_id = $1"
    " ORDER BY t.position, a.role, a.position"};

// --- Task transitions (each clears the lease when the task leaves a leased state) -----------
/// Queued task whose inputs are ready (row-locked; a task another worker is claiming is skipped),
/// by job Priority, then the oldest job, then position.
// The claim order (job Priority, then the older job, then task position) is the partial index
// tasks_claim_order (migration 4): the scan walks Queued tasks in that order and stops at the
// first one whose inputs are ready and that the worker can run, instead of sorting the queue.
inline constexpr Sql kSelectRunnableTask{
    "select_runnable_task",
    "SELECT t.id, t.job_id FROM tasks t"
    " WHERE t.state = 0 AND NOT EXISTS ("
    "  SELECT 1 FROM task_assets i"
    "  JOIN task_assets o ON o.asset_id = i.asset_id AND o.role = 1"
    "  JOIN tasks p ON p.id = o.task_id"
    "  WHERE i.task_id = t.id AND i.role = 0 AND p.job_id = t.job_id AND p.id <> t.id"
    "  AND p.state <> 3)"
    // Capability-aware claiming ($1 = 0: any task): the worker's limits and lists (JSON arrays).
    " AND ($1::int = 0 OR (($2::int = 0 OR t.req_long_edge <= $2::int)"
    "  AND ($3::int = 0 OR t.req_short_edge <= $3::int)"
    "  AND t.req_encoders::jsonb <@ $4::jsonb AND t.req_tags::jsonb <@ $5::jsonb))"
    " ORDER BY t.job_priority DESC, t.job_created_ms, t.job_seq, t.position LIMIT 1"
    " FOR UPDATE OF t SKIP LOCKED"};
inline constexpr Sql kScheduleTask{
    "schedule_task",
    "UPDATE tasks SET state = 1, lease_owner = $2, lease_token = $3, lease_expires_ms = $4,"
    " attempts = attempts + 1, waiting_noted = 0 WHERE id = $1 AND state = 0 RETURNING attempts"};
inline constexpr Sql kSelectLeasedTask{
    "select_leased_task",
    "SELECT state, job_id, options, attempts FROM tasks"
    " WHERE id = $1 AND lease_token = $2 AND lease_owner = $3 FOR UPDATE"};
inline constexpr Sql kStartTask{"start_task",
                                "UPDATE tasks SET state = 2, start_ms = $2 WHERE id = $1"};
inline constexpr Sql kRenewLease{"renew_lease",
                                 "UPDATE tasks SET lease_expires_ms = $2 WHERE id = $1"};
inline constexpr Sql kSetProgress{
    "set_progress", "UPDATE tasks SET progress = $2 WHERE id = $1 AND progress <> $2"};
inline constexpr Sql kFinishTask{
    "finish_task",
    "UPDATE tasks SET state = 3, progress = 100, end_ms = $2,"
    " running_duration_s = CASE WHEN start_ms IS NULL THEN 0 ELSE ($2 - start_ms) / 1000.0 END,"
    " perf_message = $3, lease_owner = NULL, lease_token = NULL, lease_expires_ms = NULL"
    " WHERE id = $1"};
/// -> Error or Canceled ($2).
inline constexpr Sql kEndTask{
    "end_task",
    "UPDATE tasks SET state = $2, end_ms = $3,"
    " running_duration_s = CASE WHEN start_ms IS NULL THEN 0 ELSE ($3 - start_ms) / 1000.0 END,"
    " lease_owner = NULL, lease_token = NULL, lease_expires_ms = NULL WHERE id = $1"};
inline constexpr Sql kSetCanceling{"set_canceling", "UPDATE tasks SET state = 6 WHERE id = $1"};
/// -> Queued as if never started; $2 is subtracted from attempts (1 for a release).
inline constexpr Sql kRequeueTask{
    "requeue_task",
    "UPDATE tasks SET state = 0, progress = 0, start_ms = NULL, attempts = GREATEST(attempts - $2, "
    "0),"
    " lease_owner = NULL, lease_token = NULL, lease_expires_ms = NULL WHERE id = $1"};
/// Whether the (locked) task's lease expired before $2 (requeue_expired re-checks after locking:
/// its worker may have renewed in between).
inline constexpr Sql kLeaseExpired{"lease_expired",
                                   "SELECT 1 FROM tasks WHERE id = $1 AND lease_expires_ms < $2"};
/// Whether the job row can be locked now: empty when another transaction holds it (e.g. a
/// worker finishing the task), so that taking back expired leases never waits on it.
inline constexpr Sql kTryLockJob{"try_lock_job",
                                 "SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE SKIP LOCKED"};
inline constexpr Sql kSelectExpiredLeases{
    "select_expired_leases",
    "SELECT id, job_id, lease_owner, lease_token FROM tasks"
    " WHERE lease_token IS NOT NULL AND lease_expires_ms < $1 AND state IN (1, 2, 6)"
    " ORDER BY lease_expires_ms, seq"};

// --- Notification subscriptions (task_id '' for a job's) -----------------------------------
inline constexpr Sql kInsertSubscription{
    "insert_notification_subscription",
    "INSERT INTO notification_subscriptions (job_id, task_id, position, endpoint_id,"
    " target_state, include_task_progress) VALUES ($1, $2, $3, $4, $5, $6)"};
inline constexpr Sql kSelectSubscriptions{
    "select_notification_subscriptions",
    "SELECT endpoint_id, target_state, include_task_progress FROM notification_subscriptions"
    " WHERE job_id = $1 AND task_id = $2 ORDER BY position"};

// --- The worker table and waiting tasks (migration 4) ----------------------------------------

inline constexpr Sql kUpsertWorker{
    "upsert_worker",
    "INSERT INTO workers (id, host_id, pid, version, slots, lease_s, capabilities, started_ms,"
    " heartbeat_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (id) DO UPDATE SET host_id = excluded.host_id, pid = excluded.pid,"
    " version = excluded.version, slots = excluded.slots, lease_s = excluded.lease_s,"
    " capabilities = excluded.capabilities,"
    " started_ms = excluded.started_ms, heartbeat_ms = excluded.heartbeat_ms"};
inline constexpr Sql kInsertSetting{
    "insert_farm_setting",
    "INSERT INTO farm_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"};
inline constexpr Sql kSelectSetting{"select_farm_setting",
                                    "SELECT value FROM farm_settings WHERE name = $1"};
inline constexpr Sql kWorkerHeartbeat{"worker_heartbeat",
                                      "UPDATE workers SET heartbeat_ms = $2 WHERE id = $1"};
inline constexpr Sql kDeleteWorker{"delete_worker", "DELETE FROM workers WHERE id = $1"};
inline constexpr Sql kPruneWorkers{"prune_workers", "DELETE FROM workers WHERE heartbeat_ms < $1"};
// --- Metrics (state_counts): one GROUP BY per table and the runnable Queued tasks ----------
/// One row per (kind, state, count): kind 0 jobs, 1 tasks.
inline constexpr Sql kStateCounts{
    "state_counts",
    "SELECT 0, state, COUNT(*) FROM jobs GROUP BY state"
    " UNION ALL SELECT 1, state, COUNT(*) FROM tasks GROUP BY state"};
/// Queued tasks whose inputs are ready (kSelectRunnableTask's condition, without capabilities).
inline constexpr Sql kCountRunnable{
    "count_runnable",
    "SELECT COUNT(*) FROM tasks t"
    " WHERE t.state = 0 AND NOT EXISTS ("
    "  SELECT 1 FROM task_assets i"
    "  JOIN task_assets o ON o.asset_id = i.asset_id AND o.role = 1"
    "  JOIN tasks p ON p.id = o.task_id"
    "  WHERE i.task_id = t.id AND i.role = 0 AND p.job_id = t.job_id AND p.id <> t.id"
    "  AND p.state <> 3)"};
inline constexpr Sql kListWorkers{
    "list_workers",
    "SELECT id, host_id, pid, version, slots, lease_s, capabilities, started_ms, heartbeat_ms"
    " FROM workers"
    " ORDER BY host_id, id"};
inline constexpr Sql kLeasedTasksOfWorkers{
    "leased_tasks_of_workers",
    "SELECT lease_owner, id FROM tasks WHERE lease_owner IS NOT NULL AND state IN (1, 2, 6)"
    " ORDER BY lease_owner, id"};
inline constexpr Sql kSelectUnnotedQueued{
    "select_unnoted_queued_tasks",
    "SELECT id, job_id, req_long_edge, req_short_edge, req_encoders, req_tags FROM tasks"
    " WHERE state = 0 AND waiting_noted = 0 ORDER BY seq LIMIT $1"};
inline constexpr Sql kNoteWaiting{
    "note_waiting_task",
    "UPDATE tasks SET waiting_noted = 1 WHERE id = $1 AND state = 0 AND waiting_noted = 0"};

}  // namespace mw::store::pg::sql
