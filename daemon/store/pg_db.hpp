#pragma once
// The PostgreSQL job store's connection (libpqxx 6.4): one pqxx::connection guarded by a mutex
// (like SqliteJobStore's), named prepared statements registered on first use, and every unit of
// work run as one READ COMMITTED transaction by read() or write(), which retry the whole unit
// when the connection broke (reconnecting with back-off) or PostgreSQL chose it as a deadlock or
// serialization victim. Every other failure becomes a StoreError naming the statement.
//
// Thread-safe: read() and write() hold the mutex for the whole transaction.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"

namespace mw::store::pg {

/// A named SQL statement ($1, $2... parameters): `name` is its prepared-statement name on the
/// connection and appears in error messages.
struct Sql {
  const char* name;
  const char* text;
};

/// Milliseconds since the Unix epoch (the unit of every time column).
int64_t to_ms(TimePoint time);
/// The inverse of to_ms.
TimePoint from_ms(int64_t ms);

/// Statement parameters as libpqxx binds them: times as ms, optional times as NULL or ms.
inline int64_t param(TimePoint value) {
  return to_ms(value);
}
inline std::optional<int64_t> param(const std::optional<TimePoint>& value) {
  return value ? std::optional<int64_t>(to_ms(*value)) : std::nullopt;
}
inline int param(runtime::State value) {
  return static_cast<int>(value);
}
template <typename T>
const T& param(const T& value) {
  return value;
}

// Reading result fields (0-based columns).
inline std::string text(const pqxx::row& row, int column) {
  return row[column].as<std::string>();
}
inline int64_t int64(const pqxx::row& row, int column) {
  return row[column].as<int64_t>();
}
inline int integer(const pqxx::row& row, int column) {
  return row[column].as<int>();
}
inline double real(const pqxx::row& row, int column) {
  return row[column].as<double>();
}
inline bool boolean(const pqxx::row& row, int column) {
  return row[column].as<bool>();
}
inline TimePoint time(const pqxx::row& row, int column) {
  return from_ms(int64(row, column));
}
/// nullopt when the field is NULL.
inline std::optional<TimePoint> optional_time(const pqxx::row& row, int column) {
  if (row[column].is_null()) return std::nullopt;
  return time(row, column);
}

/// `url` (a libpq URI "postgresql://…" or a "key=value …" string) with the connection settings
/// a daemon needs and libpq lacks by default, each only when the URL does not set it:
/// connect_timeout=10 (s; libpq waits for the OS, minutes, on a silent network), keepalives=1,
/// keepalives_idle=30, keepalives_interval=10, keepalives_count=3 (s; a dead peer is noticed
/// within about a minute) and tcp_user_timeout=60000 (ms; a write to a silent peer fails).
/// Source: libpq "Parameter Key Words" (PostgreSQL 15 documentation, §34.1.2).
std::string with_connection_defaults(const std::string& url);

class Database;

/// One open transaction (borrowed by the body given to Database::read/write).
class Transaction {
 public:
  Transaction(Database& db, pqxx::transaction_base& work) : db_(db), work_(work) {}

  /// Runs the prepared statement `sql` (prepared on this connection at first use).
  /// @throws pqxx errors, which Database::read/write turn into StoreErrors or retries
  template <typename... Args>
  pqxx::result exec(const Sql& sql, const Args&... args) {
    prepare(sql);
    statement_ = sql.name;
    return work_.exec_prepared(sql.name, param(args)...);
  }
  /// Runs `sql` with its parameters as an unnamed statement: planned at each run for the
  /// values given (a custom plan), where a prepared statement's generic plan would be wrong
  /// (the claim: the generic plan sorts every Queued task instead of walking the claim-order
  /// index). @throws like exec
  template <typename... Args>
  pqxx::result exec_planned(const Sql& sql, const Args&... args) {
    statement_ = sql.name;
    return work_.exec_params(sql.text, param(args)...);
  }
  /// Runs SQL text without preparing it (migrations: one or more statements).
  pqxx::result exec_script(const std::string& script) {
    statement_ = "script";
    return work_.exec(script);
  }
  /// The name of the statement that ran last (for error messages).
  const char* statement() const { return statement_; }
  /// Marks the unit of work as having changed nothing: its commit does not call the
  /// after-commit hook (a dispatcher woken by the hook must not wake itself by looking).
  void nothing_changed() { changed_ = false; }
  bool changed() const { return changed_; }

 private:
  void prepare(const Sql& sql);

  Database& db_;
  pqxx::transaction_base& work_;
  const char* statement_ = "BEGIN";
  bool changed_ = true;
};

/// One connection to PostgreSQL, reconnected when it breaks.
class Database {
 public:
  /// How often a unit of work is tried when the connection breaks or it is a deadlock victim,
  /// and the first back-off (doubled after each try).
  static constexpr int kAttempts = 5;
  static constexpr std::chrono::milliseconds kFirstBackoff{100};

  /// Connects to `url` (a libpq connection URI or key=value string).
  /// @throws StoreError Unavailable naming the database (password removed) when it cannot
  explicit Database(std::string url);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs `body(Transaction&)` in a read-only transaction and returns what it returns.
  /// @throws StoreError (what body throws, or Unavailable when PostgreSQL fails)
  template <typename Body>
  auto read(Body&& body) {
    return run<pqxx::read_transaction>(std::forward<Body>(body), false);
  }
  /// Runs `body(Transaction&)` in a read-write transaction and commits it (then calls the
  /// after-commit hook); a StoreError thrown by body rolls it back.
  /// @throws StoreError: what body throws; Conflict for a unique violation, NotFound for a
  ///         foreign key violation, Unavailable when PostgreSQL fails or stays unreachable
  template <typename Body>
  auto write(Body&& body) {
    return run<pqxx::work>(std::forward<Body>(body), true);
  }

  /// Called (under the mutex) after every committed write; empty: none.
  void set_after_commit(std::function<void()> hook);

  /// The database as named in messages: the URL without its password.
  const std::string& name() const { return name_; }

 private:
  friend class Transaction;

  template <typename Work, typename Body>
  auto run(Body&& body, bool writes) {
    std::lock_guard lock(mutex_);
    for (int attempt = 1;; ++attempt) {
      const char* statement = "BEGIN";
      try {
        pqxx::connection& connection = connect();
        Work work(connection);
        Transaction transaction(*this, work);
        statement = nullptr;
        if constexpr (std::is_void_v<decltype(body(transaction))>) {
          try {
            body(transaction);
          } catch (...) {
            statement = transaction.statement();
            throw;
          }
          statement = "COMMIT";
          work.commit();
          if (writes && transaction.changed() && after_commit_) after_commit_();
          return;
        } else {
          std::optional<decltype(body(transaction))> out;
          try {
            out.emplace(body(transaction));
          } catch (...) {
            statement = transaction.statement();
            throw;
          }
          statement = "COMMIT";
          work.commit();
          if (writes && transaction.changed() && after_commit_) after_commit_();
          return std::move(*out);
        }
      } catch (const pqxx::in_doubt_error& e) {
        fail_in_doubt(e);
      } catch (const pqxx::broken_connection& e) {
        retry_after_broken(attempt, e, statement);
      } catch (const pqxx::transaction_rollback& e) {
        retry_after_rollback(attempt, e, statement);
      } catch (const pqxx::sql_error& e) {
        fail_sql(e, statement);
      }
    }
  }

  /// The open connection (connecting when there is none).
  pqxx::connection& connect();
  void retry_after_broken(int attempt, const pqxx::broken_connection& e, const char* statement);
  void retry_after_rollback(int attempt, const pqxx::transaction_rollback& e,
                            const char* statement);
  [[noreturn]] void fail_sql(const pqxx::sql_error& e, const char* statement);
  [[noreturn]] void fail_in_doubt(const pqxx::in_doubt_error& e);

  std::string url_;
  std::string name_;
  std::mutex mutex_;  // serialises every use of connection_
  std::unique_ptr<pqxx::connection> connection_;
  std::unordered_set<std::string> prepared_;  // statement names prepared on connection_
  std::function<void()> after_commit_;
};

}  // namespace mw::store::pg
