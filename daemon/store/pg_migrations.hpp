#pragma once
// The PostgreSQL job store's versioned schema: the same tables as sqlite_migrations.cpp (times
// BIGINT ms since the epoch, flags BOOLEAN), the notification outbox as plpgsql triggers, and a
// schema_version table. Internal to mw_store.

#include <string>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"
#include "daemon/store/pg_db.hpp"

namespace mw::store::pg {

/// The schema version this binary creates (the number of migrations).
int latest_schema_version();

/// The schema version of the database (0 when empty), in its own read transaction.
/// @throws StoreError Unavailable
int schema_version(Database& db);

/// Applies the missing migrations in one transaction under a database-wide advisory lock (two
/// hosts starting at once migrate once). Returns the version now applied.
/// @throws StoreError Unavailable, naming the database and both versions, when the schema is
///         newer than latest_schema_version() (nothing is changed then)
int migrate(Database& db, TimePoint now);

}  // namespace mw::store::pg
