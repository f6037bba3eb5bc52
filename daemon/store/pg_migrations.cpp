#include "daemon/store/pg_migrations.hpp"

#include <string>
#include <vector>

namespace mw::store::pg {

namespace {

// Migration 1: assets, asset files, jobs, tasks, their asset links and historical events (the
// tables of sqlite_migrations.cpp's migration 1; see there for why asset references carry no
// foreign key). `seq` (an identity) gives every entity an insertion order. task_events.seq is
// one identity for all tasks (not MAX + 1 per task: two transactions adding an event to one task
// under READ COMMITTED would pick the same number).
constexpr const char* kMigration1 = R"sql(
CREATE TABLE assets (
  seq                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                   TEXT NOT NULL UNIQUE,
  name                 TEXT NOT NULL DEFAULT '',
  state                INTEGER NOT NULL DEFAULT 0,
  options              INTEGER NOT NULL DEFAULT 0,
  format_option        INTEGER NOT NULL DEFAULT 0,
  alternate_id         TEXT NOT NULL DEFAULT '',
  storage_account_name TEXT NOT NULL DEFAULT '',
  created_ms           BIGINT NOT NULL,
  last_modified_ms     BIGINT NOT NULL
);
CREATE INDEX assets_by_created ON assets (created_ms, seq);

CREATE TABLE asset_files (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                TEXT NOT NULL UNIQUE,
  parent_asset_id   TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  name              TEXT NOT NULL,
  content_file_size BIGINT NOT NULL DEFAULT 0,
  mime_type         TEXT NOT NULL DEFAULT '',
  is_primary        BOOLEAN NOT NULL DEFAULT FALSE,
  created_ms        BIGINT NOT NULL,
  last_modified_ms  BIGINT NOT NULL,
  UNIQUE (parent_asset_id, name)
);
CREATE UNIQUE INDEX asset_files_one_primary ON asset_files (parent_asset_id) WHERE is_primary;
CREATE INDEX asset_files_by_created ON asset_files (created_ms, seq);

CREATE TABLE jobs (
  seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  name               TEXT NOT NULL DEFAULT '',
  priority           INTEGER NOT NULL DEFAULT 0,
  state              INTEGER NOT NULL,
  created_ms         BIGINT NOT NULL,
  last_modified_ms   BIGINT NOT NULL,
  start_ms           BIGINT,
  end_ms             BIGINT,
  running_duration_s DOUBLE PRECISION NOT NULL DEFAULT 0,
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
);

CREATE TABLE tasks (
  seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  progress           DOUBLE PRECISION NOT NULL DEFAULT 0,
  start_ms           BIGINT,
  end_ms             BIGINT,
  running_duration_s DOUBLE PRECISION NOT NULL DEFAULT 0,
  perf_message       TEXT NOT NULL DEFAULT '',
  error_details      TEXT NOT NULL DEFAULT '[]',  -- JSON [{"Code":..,"Message":..}]
  attempts           INTEGER NOT NULL DEFAULT 0,
  lease_owner        TEXT,
  lease_token        BIGINT,
  lease_expires_ms   BIGINT,
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
);
CREATE INDEX task_assets_by_asset ON task_assets (asset_id, role);

CREATE TABLE task_events (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id      TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  code         TEXT NOT NULL,
  message      TEXT NOT NULL DEFAULT '',
  timestamp_ms BIGINT NOT NULL
);
CREATE INDEX task_events_by_task ON task_events (task_id, seq);
)sql";

// Migration 2: notifications (AMS-V2-REFERENCE.md §6), the transactional outbox of
// sqlite_migrations.cpp's migration 2: AFTER UPDATE triggers record each state change (and each
// Progress change of a Processing task whose subscription asks for progress) of a subscribed job
// or task in notification_events, in the transaction that makes the change. notification_events
// .seq is an identity, never handed out twice (it is part of the messages' ETags). at_ms is the
// wall clock of the change (clock_timestamp(), not the transaction start).
constexpr const char* kMigration2 = R"sql(
CREATE TABLE notification_endpoints (
  seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  created_ms       BIGINT NOT NULL,
  endpoint_type    INTEGER NOT NULL,
  endpoint_address TEXT NOT NULL,
  credential_type  INTEGER NOT NULL DEFAULT 0,
  signing_key_hex  TEXT NOT NULL DEFAULT '',
  registered       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX notification_endpoints_by_created ON notification_endpoints (created_ms, seq);

-- No foreign key to the endpoint: a subscription stays on its job after the endpoint is deleted.
CREATE TABLE notification_subscriptions (
  job_id                TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  task_id               TEXT NOT NULL DEFAULT '',
  position              INTEGER NOT NULL,
  endpoint_id           TEXT NOT NULL,
  target_state          INTEGER NOT NULL,
  include_task_progress BOOLEAN NOT NULL DEFAULT FALSE,
  last_progress_ms      BIGINT,
  last_progress         DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, task_id, position)
);
CREATE INDEX notification_subscriptions_by_task ON notification_subscriptions (task_id)
  WHERE task_id <> '';

-- kind: 0 JobStateChange, 1 TaskStateChange, 2 TaskProgress. No foreign key: an event outlives
-- a job deleted before the dispatcher saw it (it then has no subscriber left).
CREATE TABLE notification_events (
  seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind      INTEGER NOT NULL,
  job_id    TEXT NOT NULL,
  task_id   TEXT NOT NULL DEFAULT '',
  old_state INTEGER NOT NULL,
  new_state INTEGER NOT NULL,
  progress  DOUBLE PRECISION NOT NULL DEFAULT 0,
  at_ms     BIGINT NOT NULL
);

CREATE FUNCTION mw_clock_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
  SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
$$;

CREATE FUNCTION mw_notify_job_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM notification_subscriptions WHERE job_id = NEW.id AND task_id = '') THEN
    INSERT INTO notification_events (kind, job_id, old_state, new_state, at_ms)
    VALUES (0, NEW.id, OLD.state, NEW.state, mw_clock_ms());
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER notify_job_state AFTER UPDATE OF state ON jobs
  FOR EACH ROW WHEN (OLD.state <> NEW.state) EXECUTE FUNCTION mw_notify_job_state();

CREATE FUNCTION mw_notify_task_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM notification_subscriptions
             WHERE task_id <> '' AND task_id = NEW.id) THEN
    INSERT INTO notification_events (kind, job_id, task_id, old_state, new_state, progress, at_ms)
    VALUES (1, NEW.job_id, NEW.id, OLD.state, NEW.state, NEW.progress, mw_clock_ms());
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER notify_task_state AFTER UPDATE OF state ON tasks
  FOR EACH ROW WHEN (OLD.state <> NEW.state) EXECUTE FUNCTION mw_notify_task_state();

CREATE FUNCTION mw_notify_task_progress() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM notification_subscriptions
             WHERE task_id <> '' AND task_id = NEW.id AND include_task_progress) THEN
    INSERT INTO notification_events (kind, job_id, task_id, old_state, new_state, progress, at_ms)
    VALUES (2, NEW.job_id, NEW.id, NEW.state, NEW.state, NEW.progress, mw_clock_ms());
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER notify_task_progress AFTER UPDATE OF progress ON tasks
  FOR EACH ROW WHEN (OLD.progress <> NEW.progress AND NEW.state = 2)
  EXECUTE FUNCTION mw_notify_task_progress();

-- One row per message and endpoint; dead once given up (kept for inspection).
CREATE TABLE notification_deliveries (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id TEXT NOT NULL REFERENCES notification_endpoints (id) ON DELETE CASCADE,
  job_id      TEXT NOT NULL,
  etag        TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_ms  BIGINT NOT NULL,
  due_ms      BIGINT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  dead        BOOLEAN NOT NULL DEFAULT FALSE,
  last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notification_deliveries_queue ON notification_deliveries (endpoint_id, job_id, seq)
  WHERE NOT dead;
CREATE INDEX notification_deliveries_due ON notification_deliveries (due_ms) WHERE NOT dead;

CREATE TABLE notification_counters (
  name  TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO notification_counters (name, value) VALUES ('delivered', 0), ('dead', 0);
)sql";

// JobTemplates and their TaskTemplates (AMS-V2-REFERENCE.md §3), as sqlite_migrations.cpp's
// kMigrationTemplates. A TaskTemplate Id is unique without regard to case (a GUID): the unique
// index on lower(id) stands for SQLite's COLLATE NOCASE, and lookups compare lower(id).
constexpr const char* kMigrationTemplates = R"sql(
CREATE TABLE job_templates (
  seq                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                     TEXT NOT NULL UNIQUE,
  name                   TEXT NOT NULL DEFAULT '',
  job_template_body      TEXT NOT NULL,
  number_of_input_assets INTEGER NOT NULL,
  template_type          INTEGER NOT NULL,
  created_ms             BIGINT NOT NULL,
  last_modified_ms       BIGINT NOT NULL
);
CREATE INDEX job_templates_by_created ON job_templates (created_ms, seq);

CREATE TABLE task_templates (
  seq                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                      TEXT NOT NULL,
  job_template_id         TEXT NOT NULL REFERENCES job_templates (id) ON DELETE CASCADE,
  position                INTEGER NOT NULL,
  name                    TEXT NOT NULL DEFAULT '',
  description             TEXT NOT NULL DEFAULT '',
  configuration           TEXT NOT NULL DEFAULT '',
  media_processor_id      TEXT NOT NULL DEFAULT '',
  number_of_input_assets  INTEGER NOT NULL,
  number_of_output_assets INTEGER NOT NULL,
  options                 INTEGER NOT NULL DEFAULT 0,
  created_ms              BIGINT NOT NULL,
  last_modified_ms        BIGINT NOT NULL,
  UNIQUE (job_template_id, position)
);
CREATE UNIQUE INDEX task_templates_id_nocase ON task_templates (lower(id));
)sql";

// Migration 4: the farm (docs/farm.md), as sqlite_migrations.cpp's kMigrationFarm, and the
// wake-ups of other hosts (LISTEN/NOTIFY, delivered at commit, one per channel per
// transaction): "mw_work" when a task becomes claimable or frees a chained task (inserted,
// requeued, finished), "mw_outbox" when the notification outbox records an event.
constexpr const char* kMigrationFarm = R"sql(
ALTER TABLE tasks ADD COLUMN req_long_edge INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN req_short_edge INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN req_encoders TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tasks ADD COLUMN req_tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tasks ADD COLUMN waiting_noted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN job_priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN job_created_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN job_seq BIGINT NOT NULL DEFAULT 0;
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
  started_ms   BIGINT NOT NULL,
  heartbeat_ms BIGINT NOT NULL
);

CREATE FUNCTION mw_wake_workers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mw_work', '');
  RETURN NULL;
END $$;
CREATE TRIGGER wake_workers_on_insert AFTER INSERT ON tasks
  FOR EACH STATEMENT EXECUTE FUNCTION mw_wake_workers();
CREATE TRIGGER wake_workers_on_state AFTER UPDATE OF state ON tasks
  FOR EACH ROW WHEN (NEW.state IN (0, 3) AND OLD.state <> NEW.state)
  EXECUTE FUNCTION mw_wake_workers();

CREATE FUNCTION mw_wake_dispatchers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mw_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER wake_dispatchers AFTER INSERT ON notification_events
  FOR EACH STATEMENT EXECUTE FUNCTION mw_wake_dispatchers();
)sql";

const std::vector<const char*>& migrations() {
  static const std::vector<const char*> all = {kMigration1, kMigration2, kMigrationTemplates,
                                               kMigrationFarm};
  return all;
}

constexpr Sql kLockMigrations{"lock_schema_migrations",
                              "SELECT pg_advisory_xact_lock(hashtext('mediaworker schema'))"};
constexpr Sql kCreateVersionTable{"create_schema_version",
                                  "CREATE TABLE IF NOT EXISTS schema_version ("
                                  " version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)"};
constexpr Sql kSelectVersion{"select_schema_version",
                             "SELECT COALESCE(MAX(version), 0) FROM schema_version"};
constexpr Sql kInsertVersion{"insert_schema_version",
                             "INSERT INTO schema_version (version, applied_ms) VALUES ($1, $2)"};

}  // namespace

int latest_schema_version() {
  return static_cast<int>(migrations().size());
}

int schema_version(Database& db) {
  return db.write([](Transaction& tx) {
    tx.exec_script(kLockMigrations.text);
    tx.exec_script(kCreateVersionTable.text);
    return tx.exec_script(kSelectVersion.text)[0][0].as<int>();
  });
}

int migrate(Database& db, TimePoint now) {
  return db.write([&](Transaction& tx) {
    // Not prepared: the tables a prepared statement names must exist when it is prepared.
    tx.exec_script(kLockMigrations.text);
    tx.exec_script(kCreateVersionTable.text);
    const int current = tx.exec_script(kSelectVersion.text)[0][0].as<int>();
    const int latest = latest_schema_version();
    if (current > latest)
      throw StoreError(StoreError::Kind::Unavailable,
                       "job database " + db.name() + " has schema version " +
                           std::to_string(current) + ", newer than version " +
                           std::to_string(latest) +
                           " that this mediaworker knows: run a newer mediaworker or restore a "
                           "backup taken before the upgrade");
    for (int version = current + 1; version <= latest; ++version) {
      tx.exec_script(migrations()[static_cast<size_t>(version - 1)]);
      tx.exec(kInsertVersion, version, now);
    }
    return latest;
  });
}

}  // namespace mw::store::pg
