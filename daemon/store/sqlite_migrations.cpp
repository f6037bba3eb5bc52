#include "daemon/store/sqlite_migrations.hpp"

#include <string>
#include <vector>

namespace mw::store::sqlite {

namespace {

// Migration 1: assets, asset files, jobs, tasks, their asset links and historical events.
// Times are INTEGER milliseconds since the epoch; `seq` gives every entity an insertion order.
// Asset references from jobs and tasks carry no foreign key: AMS keeps a job readable after its
// assets are deleted (GRIDWICH saw "Nonexistent Asset"), and an asset outlives its jobs.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE assets (
  seq                  INTEGER PRIMARY KEY,
  id                   TEXT NOT NULL UNIQUE,
  name                 TEXT NOT NULL DEFAULT '',
  state                INTEGER NOT NULL DEFAULT 0,
  options              INTEGER NOT NULL DEFAULT 0,
  format_option        INTEGER NOT NULL DEFAULT 0,
  alternate_id         TEXT NOT NULL DEFAULT '',
  storage_account_name TEXT NOT NULL DEFAULT '',
  created_ms           INTEGER NOT NULL,
  last_modified_ms     INTEGER NOT NULL
);
CREATE INDEX assets_by_created ON assets (created_ms, seq);

CREATE TABLE asset_files (
  seq               INTEGER PRIMARY KEY,
  id                TEXT NOT NULL UNIQUE,
  parent_asset_id   TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  name              TEXT NOT NULL,
  content_file_size INTEGER NOT NULL DEFAULT 0,
  mime_type         TEXT NOT NULL DEFAULT '',
  is_primary        INTEGER NOT NULL DEFAULT 0,
  created_ms        INTEGER NOT NULL,
  last_modified_ms  INTEGER NOT NULL,
  UNIQUE (parent_asset_id, name)
);
CREATE UNIQUE INDEX asset_files_one_primary ON asset_files (parent_asset_id) WHERE is_primary <> 0;
CREATE INDEX asset_files_by_created ON asset_files (created_ms, seq);

CREATE TABLE jobs (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  name               TEXT NOT NULL DEFAULT '',
  priority           INTEGER NOT NULL DEFAULT 0,
  state              INTEGER NOT NULL,
  created_ms         INTEGER NOT NULL,
  last_modified_ms   INTEGER NOT NULL,
  start_ms           INTEGER,
  end_ms             INTEGER,
  running_duration_s REAL NOT NULL DEFAULT 0,
  template_id        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_by_created ON jobs (created_ms, seq);

-- role 0: InputMediaAssets, role 1: OutputMediaAssets; position keeps the order given.
CREATE TABLE job_assets (
  job_id   TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  role     INTEGER NOT NULL,
  position INTEGER NOT NULL,
  asset_id TEXT NOT NULL,
  PRIMARY KEY (job_id, role, position)
) WITHOUT ROWID;

CREATE TABLE tasks (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  job_id             TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  position           INTEGER NOT NULL,
  name               TEXT NOT NULL DEFAULT '',
  configuration      TEXT NOT NULL DEFAULT '',
  media_processor_id TEXT NOT NULL DEFAULT '',
  task_body          TEXT NOT NULL DEFAULT '',
  options            INTEGER NOT NULL DEFAULT 0,
  priority           INTEGER NOT NULL DEFAULT 0,
  state              INTEGER NOT NULL,
  progress           REAL NOT NULL DEFAULT 0,
  start_ms           INTEGER,
  end_ms             INTEGER,
  running_duration_s REAL NOT NULL DEFAULT 0,
  perf_message       TEXT NOT NULL DEFAULT '',
  error_details      TEXT NOT NULL DEFAULT '[]',  -- JSON [{"Code":..,"Message":..}]
  attempts           INTEGER NOT NULL DEFAULT 0,
  lease_owner        TEXT,
  lease_token        INTEGER,
  lease_expires_ms   INTEGER,
  UNIQUE (job_id, position)
);
CREATE INDEX tasks_by_state ON tasks (state);
CREATE INDEX tasks_by_lease ON tasks (lease_expires_ms) WHERE lease_token IS NOT NULL;

-- role 0: input asset, role 1: output asset (resolved from the TaskBody), in TaskBody order.
CREATE TABLE task_assets (
  task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  role     INTEGER NOT NULL,
  position INTEGER NOT NULL,
  asset_id TEXT NOT NULL,
  PRIMARY KEY (task_id, role, position)
) WITHOUT ROWID;
CREATE INDEX task_assets_by_asset ON task_assets (asset_id, role);

CREATE TABLE task_events (
  task_id      TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,
  code         TEXT NOT NULL,
  message      TEXT NOT NULL DEFAULT '',
  timestamp_ms INTEGER NOT NULL,
  PRIMARY KEY (task_id, seq)
) WITHOUT ROWID;
)sql";

// Migration 2: notifications (AMS-V2-REFERENCE.md §6). Endpoints; the subscriptions of jobs
// (task_id '') and tasks; the transactional outbox: triggers record every state change (and
// every Progress change of a task whose subscription asks for progress) of a subscribed job or
// task in notification_events, inside the transaction that makes the change, so a notification
// is never lost nor sent for a change that was rolled back. The dispatcher turns events into
// per-endpoint messages (notification_deliveries) and delivers those in order per job.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE notification_endpoints (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  created_ms       INTEGER NOT NULL,
  endpoint_type    INTEGER NOT NULL,
  endpoint_address TEXT NOT NULL,
  credential_type  INTEGER NOT NULL DEFAULT 0,
  signing_key_hex  TEXT NOT NULL DEFAULT '',
  registered       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notification_endpoints_by_created ON notification_endpoints (created_ms, seq);

-- No foreign key to the endpoint: a subscription stays on its job after the endpoint is deleted.
CREATE TABLE notification_subscriptions (
  job_id                TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  task_id               TEXT NOT NULL DEFAULT '',
  position              INTEGER NOT NULL,
  endpoint_id           TEXT NOT NULL,
  target_state          INTEGER NOT NULL,
  include_task_progress INTEGER NOT NULL DEFAULT 0,
  last_progress_ms      INTEGER,
  last_progress         REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, task_id, position)
) WITHOUT ROWID;
CREATE INDEX notification_subscriptions_by_task ON notification_subscriptions (task_id)
  WHERE task_id <> '';

-- kind: 0 JobStateChange, 1 TaskStateChange, 2 TaskProgress. No foreign key: an event outlives
-- a job deleted before the dispatcher saw it (it then has no subscriber left). AUTOINCREMENT:
-- rows are deleted once expanded, and a seq must never be handed out twice (it is part of the
-- messages' ETags).
CREATE TABLE notification_events (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  kind      INTEGER NOT NULL,
  job_id    TEXT NOT NULL,
  task_id   TEXT NOT NULL DEFAULT '',
  old_state INTEGER NOT NULL,
  new_state INTEGER NOT NULL,
  progress  REAL NOT NULL DEFAULT 0,
  at_ms     INTEGER NOT NULL
);

CREATE TRIGGER notify_job_state AFTER UPDATE OF state ON jobs
WHEN old.state <> new.state AND EXISTS (
  SELECT 1 FROM notification_subscriptions WHERE job_id = new.id AND task_id = '')
BEGIN
  INSERT INTO notification_events (kind, job_id, old_state, new_state, at_ms)
  VALUES (0, new.id, old.state, new.state,
          CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER));
END;

CREATE TRIGGER notify_task_state AFTER UPDATE OF state ON tasks
WHEN old.state <> new.state AND EXISTS (
  SELECT 1 FROM notification_subscriptions WHERE task_id <> '' AND task_id = new.id)
BEGIN
  INSERT INTO notification_events (kind, job_id, task_id, old_state, new_state, progress, at_ms)
  VALUES (1, new.job_id, new.id, old.state, new.state, new.progress,
          CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER));
END;

CREATE TRIGGER notify_task_progress AFTER UPDATE OF progress ON tasks
WHEN old.progress <> new.progress AND new.state = 2 AND EXISTS (
  SELECT 1 FROM notification_subscriptions
  WHERE task_id <> '' AND task_id = new.id AND include_task_progress <> 0)
BEGIN
  INSERT INTO notification_events (kind, job_id, task_id, old_state, new_state, progress, at_ms)
  VALUES (2, new.job_id, new.id, new.state, new.state, new.progress,
          CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER));
END;

-- One row per message and endpoint; dead = 1 once given up (kept for inspection).
CREATE TABLE notification_deliveries (
  seq         INTEGER PRIMARY KEY,
  endpoint_id TEXT NOT NULL REFERENCES notification_endpoints (id) ON DELETE CASCADE,
  job_id      TEXT NOT NULL,
  etag        TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  due_ms      INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  dead        INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notification_deliveries_queue ON notification_deliveries (endpoint_id, job_id, seq)
  WHERE dead = 0;
CREATE INDEX notification_deliveries_due ON notification_deliveries (due_ms) WHERE dead = 0;

CREATE TABLE notification_counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO notification_counters (name, value) VALUES ('delivered', 0), ('dead', 0);
)sql";

// JobTemplates and their TaskTemplates (AMS-V2-REFERENCE.md §3). A TaskTemplate belongs to one
// JobTemplate and goes with it (ON DELETE CASCADE); its Id is client-supplied and compared
// without regard to case (a GUID). Jobs keep their template_id without a foreign key: a job
// outlives the template it was created from.
constexpr const char* kMigrationTemplates = R"sql(
CREATE TABLE job_templates (
  seq                    INTEGER PRIMARY KEY,
  id                     TEXT NOT NULL UNIQUE,
  name                   TEXT NOT NULL DEFAULT '',
  job_template_body      TEXT NOT NULL,
  number_of_input_assets INTEGER NOT NULL,
  template_type          INTEGER NOT NULL,
  created_ms             INTEGER NOT NULL,
  last_modified_ms       INTEGER NOT NULL
);
CREATE INDEX job_templates_by_created ON job_templates (created_ms, seq);

CREATE TABLE task_templates (
  seq                     INTEGER PRIMARY KEY,
  id                      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  job_template_id         TEXT NOT NULL REFERENCES job_templates (id) ON DELETE CASCADE,
  position                INTEGER NOT NULL,
  name                    TEXT NOT NULL DEFAULT '',
  description             TEXT NOT NULL DEFAULT '',
  configuration           TEXT NOT NULL DEFAULT '',
  media_processor_id      TEXT NOT NULL DEFAULT '',
  number_of_input_assets  INTEGER NOT NULL,
  number_of_output_assets INTEGER NOT NULL,
  options                 INTEGER NOT NULL DEFAULT 0,
  created_ms              INTEGER NOT NULL,
  last_modified_ms        INTEGER NOT NULL,
  UNIQUE (job_template_id, position)
);
)sql";

// Migration 4: the farm (docs/farm.md). What each task needs of its worker (capability-aware
// claiming: TaskRequirements, JSON arrays of encoder names and tags), whether a "Waiting"
// HistoricalEvent already says that no live worker can run it, the claim order copied from the
// job (AMS Job Priority does not change after creation here) with a partial index over Queued
// tasks, and the worker table.
constexpr const char* kMigrationFarm = R"sql(
ALTER TABLE tasks ADD COLUMN req_long_edge INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN req_short_edge INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN req_encoders TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tasks ADD COLUMN req_tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tasks ADD COLUMN waiting_noted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN job_priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN job_created_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN job_seq INTEGER NOT NULL DEFAULT 0;
UPDATE tasks SET job_priority = (SELECT j.priority FROM jobs j WHERE j.id = tasks.job_id),
  job_created_ms = (SELECT j.created_ms FROM jobs j WHERE j.id = tasks.job_id),
  job_seq = (SELECT j.seq FROM jobs j WHERE j.id = tasks.job_id);
CREATE INDEX tasks_claim_order ON tasks (job_priority DESC, job_created_ms, job_seq, position)
  WHERE state = 0;

-- Farm-wide settings, e.g. the identity of the shared storage ("storage_identity").
CREATE TABLE farm_settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  host_id      TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  version      TEXT NOT NULL,
  slots        INTEGER NOT NULL,
  lease_s      INTEGER NOT NULL,
  capabilities TEXT NOT NULL,  -- JSON: column_values.hpp capabilities_json
  started_ms   INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL
);
)sql";

const std::vector<const char*>& migrations() {
  static const std::vector<const char*> all = {kMigration1, kMigration2, kMigrationTemplates,
                                               kMigrationFarm};
  return all;
}

constexpr Sql kCreateVersionTable{"create_schema_version",
                                  "CREATE TABLE IF NOT EXISTS schema_version ("
                                  " version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)"};
constexpr Sql kSelectVersion{"select_schema_version",
                             "SELECT COALESCE(MAX(version), 0) FROM schema_version"};
constexpr Sql kInsertVersion{"insert_schema_version",
                             "INSERT INTO schema_version (version, applied_ms) VALUES (?1, ?2)"};

int read_version(Database& db) {
  Statement select = db.prepare(kSelectVersion);
  return select.step() ? select.integer(0) : 0;
}

}  // namespace

int latest_schema_version() {
  return static_cast<int>(migrations().size());
}

int schema_version(Database& db) {
  Transaction transaction(db, Transaction::Mode::Deferred);
  db.prepare(kCreateVersionTable).run();
  const int version = read_version(db);
  transaction.commit();
  return version;
}

int migrate(Database& db, TimePoint now) {
  Transaction transaction(db);
  db.prepare(kCreateVersionTable).run();
  const int current = read_version(db);
  const int latest = latest_schema_version();
  if (current > latest)
    throw StoreError(StoreError::Kind::Unavailable,
                     "job database " + db.file().string() + " has schema version " +
                         std::to_string(current) + ", newer than version " +
                         std::to_string(latest) +
                         " that this mediaworker knows: run a newer mediaworker or restore a "
                         "backup taken before the upgrade");
  for (int version = current + 1; version <= latest; ++version) {
    db.exec_script("migration " + std::to_string(version),
                   migrations()[static_cast<size_t>(version - 1)]);
    db.prepare(kInsertVersion).bind_all(version, now).run();
  }
  transaction.commit();
  return latest;
}

}  // namespace mw::store::sqlite
