#include "daemon/store/sqlite_db.hpp"

#include <sqlite3.h>

#include <chrono>
#include <utility>

namespace mw::store::sqlite {

namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr Sql kBegin{"begin", "BEGIN"};
constexpr Sql kBeginImmediate{"begin_immediate", "BEGIN IMMEDIATE"};
constexpr Sql kCommit{"commit", "COMMIT"};
constexpr Sql kJournalMode{"pragma_journal_mode", "PRAGMA journal_mode=WAL"};

StoreError::Kind kind_of(int extended_rc) {
  switch (extended_rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return StoreError::Kind::Conflict;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return StoreError::Kind::NotFound;
    default:
      return StoreError::Kind::Unavailable;
  }
}

}  // namespace

int64_t to_ms(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

TimePoint from_ms(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

// --- Statement ------------------------------------------------------------------------------

Statement::Statement(Database& db, const Sql& sql, sqlite3_stmt* stmt, bool* in_use)
    : db_(&db), sql_(&sql), stmt_(stmt), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      sql_(other.sql_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

Statement& Statement::bind(int index, int64_t value) {
  if (const int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK)
    db_->fail(rc, sql_->name);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (const int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK)
    db_->fail(rc, sql_->name);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // An empty view may have no data(): SQLite would bind NULL for a null pointer.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc =
      sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail(rc, sql_->name);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<TimePoint>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  if (const int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) db_->fail(rc, sql_->name);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, sql_->name);
}

int Statement::run() {
  while (step()) {
  }
  return sqlite3_changes(db_->handle());
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<TimePoint> Statement::optional_time(int column) const {
  if (is_null(column)) return std::nullopt;
  return time(column);
}

// --- Database -------------------------------------------------------------------------------

Database::Database(const std::filesystem::path& file) : file_(file) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(file_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(StoreError::Kind::Unavailable,
                     "cannot open job database " + file_.string() + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    // journal_mode answers with the mode in effect: a file system without shared memory (or a
    // read-only medium) keeps another mode, which we refuse rather than run unsafely.
    {
      Statement mode = prepare(kJournalMode);
      if (!mode.step() || mode.text(0) != "wal")
        throw StoreError(StoreError::Kind::Unavailable,
                         "job database " + file_.string() + ": cannot switch to WAL journal mode");
    }
    exec_script("pragmas", "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  } catch (...) {
    close();
    throw;
  }
}

Database::~Database() {
  close();
}

void Database::close() noexcept {
  for (auto& [name, cached] : cache_) sqlite3_finalize(cached.stmt);
  cache_.clear();
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

Statement Database::prepare(const Sql& sql) {
  auto [it, inserted] = cache_.try_emplace(sql.name);
  CachedStatement& cached = it->second;
  if (!inserted && cached.stmt != nullptr && !cached.in_use) {
    cached.in_use = true;
    return Statement(*this, sql, cached.stmt, &cached.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  const unsigned flags = inserted ? SQLITE_PREPARE_PERSISTENT : 0;
  const int rc = sqlite3_prepare_v3(db_, sql.text, -1, flags, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (inserted) cache_.erase(it);
    fail(rc, sql.name);
  }
  if (inserted) {
    cached.stmt = stmt;
    cached.in_use = true;
    return Statement(*this, sql, stmt, &cached.in_use);
  }
  // The cached one is busy (a nested use inside a loop over its rows): an owned one-off.
  return Statement(*this, sql, stmt, nullptr);
}

void Database::exec_script(std::string_view name, const std::string& script) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw StoreError(kind_of(sqlite3_extended_errcode(db_)),
                     "job database " + file_.string() + ": " + std::string(name) + ": " + message);
  }
}

void Database::fail(int rc, std::string_view name) const {
  // With extended result codes on, step() returns the extended code itself; bind and prepare
  // errors leave theirs on the connection.
  const int extended = (rc & 0xff) == rc ? sqlite3_extended_errcode(db_) : rc;
  const std::string message = sqlite3_errmsg(db_);
  throw StoreError(kind_of(extended), "job database " + file_.string() + ": statement " +
                                          std::string(name) + ": " + message);
}

// --- Transaction ----------------------------------------------------------------------------

Transaction::Transaction(Database& db, Mode mode) : db_(db) {
  db_.prepare(mode == Mode::Immediate ? kBeginImmediate : kBegin).run();
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  // Never throws: a failed ROLLBACK (e.g. SQLite already rolled back after an I/O error) leaves
  // nothing to undo.
  sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.prepare(kCommit).run();
  open_ = false;
}

}  // namespace mw::store::sqlite
