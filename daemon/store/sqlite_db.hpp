#pragma once
// RAII wrappers over the SQLite C API for the SQLite job store: one connection (Database) with a
// cache of named prepared statements (Statement borrows one and resets it when it goes away) and
// a Transaction that rolls back in its destructor unless committed. Every SQLite failure becomes
// a StoreError carrying the SQLite message, the statement name and the database file.
//
// Not thread-safe: the owner (SqliteJobStore) serialises access with its mutex.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mw::store::sqlite {

/// A named SQL statement: `name` identifies it in the statement cache and in error messages.
struct Sql {
  const char* name;
  const char* text;
};

/// Milliseconds since the Unix epoch (the unit of every time column).
int64_t to_ms(TimePoint time);
/// The inverse of to_ms.
TimePoint from_ms(int64_t ms);

class Database;

/// A prepared statement borrowed from a Database's cache (or, when the cached one is already in
/// use by an enclosing loop, a fresh one). Binding indices are 1-based, column indices 0-based.
/// The destructor resets the statement and clears its bindings; it never throws.
class Statement {
 public:
  Statement(Database& db, const Sql& sql, sqlite3_stmt* stmt, bool* in_use);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  /// Binds the time in milliseconds since the epoch.
  Statement& bind(int index, TimePoint value) { return bind(index, to_ms(value)); }
  /// Binds NULL when the optional is empty.
  Statement& bind(int index, const std::optional<TimePoint>& value);
  Statement& bind_null(int index);

  /// Binds every argument in order, starting at index 1.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  /// Advances to the next row: true when a row is available, false when done.
  /// @throws StoreError (Conflict for a UNIQUE violation, NotFound for a FOREIGN KEY one,
  ///         Unavailable otherwise)
  bool step();
  /// Runs a statement that returns no rows; returns the number of rows it changed.
  int run();

  bool is_null(int column) const;
  int64_t int64(int column) const;
  int integer(int column) const { return static_cast<int>(int64(column)); }
  double real(int column) const;
  std::string text(int column) const;
  TimePoint time(int column) const { return from_ms(int64(column)); }
  /// nullopt when the column is NULL.
  std::optional<TimePoint> optional_time(int column) const;

 private:
  Database* db_;
  const Sql* sql_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache slot's flag, or nullptr when this statement is owned (finalized)
};

/// One SQLite connection: opened in WAL mode with synchronous=NORMAL, foreign_keys=ON and a busy
/// timeout, with a cache of prepared statements keyed by Sql::name.
class Database {
 public:
  /// Opens (creating it when missing) the database file.
  /// @throws StoreError Unavailable naming the file
  explicit Database(const std::filesystem::path& file);
  /// Finalizes the cached statements and closes the connection; never throws.
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// The cached prepared statement for `sql` (prepared on first use).
  /// @throws StoreError Unavailable when the SQL does not compile
  Statement prepare(const Sql& sql);
  /// Runs a script of one or more statements without caching (migrations).
  void exec_script(std::string_view name, const std::string& script);

  const std::filesystem::path& file() const { return file_; }
  sqlite3* handle() const { return db_; }

  /// Throws the StoreError for the SQLite result code `rc` of statement `name`.
  [[noreturn]] void fail(int rc, std::string_view name) const;

 private:
  /// Finalizes every cached statement and closes the connection.
  void close() noexcept;

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string_view, CachedStatement> cache_;
};

/// A transaction: BEGIN (Deferred, for reads) or BEGIN IMMEDIATE (takes the write lock at once,
/// for every change) in the constructor; ROLLBACK in the destructor unless commit() ran.
class Transaction {
 public:
  enum class Mode { Deferred, Immediate };
  explicit Transaction(Database& db, Mode mode = Mode::Immediate);
  /// Rolls back unless committed; never throws.
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  /// @throws StoreError Unavailable when COMMIT fails (the destructor then rolls back)
  void commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace mw::store::sqlite
