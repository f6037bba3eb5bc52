#pragma once
// Versioned schema migrations of the SQLite job store. The `schema_version` table holds one row
// per applied migration (version, applied_at in ms since the epoch); migration N brings the
// schema from version N-1 to N. Migrations run at start-up, all in one IMMEDIATE transaction.

#include "daemon/store/sqlite_db.hpp"

namespace mw::store::sqlite {

/// The schema version this build writes (its last migration).
int latest_schema_version();

/// The version recorded in `schema_version` (0 for a new, empty database).
int schema_version(Database& db);

/// Applies the migrations the database lacks and returns the resulting version.
/// @throws StoreError Unavailable (naming the file) when the database's version is newer than
///         latest_schema_version(), or when a migration fails (nothing is applied then)
int migrate(Database& db, TimePoint now);

}  // namespace mw::store::sqlite
