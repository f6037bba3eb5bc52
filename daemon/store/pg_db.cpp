#include "daemon/store/pg_db.hpp"

#include <fmt/format.h>

#include <thread>

#include "daemon/config/redact.hpp"

namespace mw::store::pg {

using config::without_password;

int64_t to_ms(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

TimePoint from_ms(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

void Transaction::prepare(const Sql& sql) {
  if (db_.prepared_.count(sql.name) != 0) return;
  db_.connection_->prepare(sql.name, sql.text);
  db_.prepared_.insert(sql.name);
}

std::string with_connection_defaults(const std::string& url) {
  static constexpr std::pair<const char*, const char*> kDefaults[] = {
      {"connect_timeout", "10"}, {"keepalives", "1"},       {"keepalives_idle", "30"},
      {"keepalives_interval", "10"}, {"keepalives_count", "3"}, {"tcp_user_timeout", "60000"}};
  const bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  std::string out = url;
  for (const auto& [key, value] : kDefaults) {
    if (url.find(std::string(key) + "=") != std::string::npos) continue;
    if (uri)
      out += fmt::format("{}{}={}", out.find('?') == std::string::npos ? '?' : '&', key, value);
    else
      out += fmt::format("{}{}={}", out.empty() ? "" : " ", key, value);
  }
  return out;
}

Database::Database(std::string url)
    : url_(with_connection_defaults(url)), name_(without_password(url)) {
  try {
    connect();
  } catch (const pqxx::broken_connection& e) {
    throw StoreError(StoreError::Kind::Unavailable,
                     "cannot connect to job database " + name_ + ": " + e.what());
  }
}

Database::~Database() = default;

void Database::set_after_commit(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  after_commit_ = std::move(hook);
}

pqxx::connection& Database::connect() {
  if (connection_ && connection_->is_open()) return *connection_;
  connection_.reset();
  prepared_.clear();
  connection_ = std::make_unique<pqxx::connection>(url_);
  // Nothing waits for ever on another session (a host stalled inside a transaction, a network
  // partition): a row lock is waited for at most 10 s (then this unit fails: StoreError), and
  // a session of ours left idle inside a transaction for 60 s is ended by the server, which
  // releases its locks (the stalled worker's COMMIT then fails and its lease runs out).
  pqxx::nontransaction settings(*connection_);
  settings.exec("SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '60s'");
  return *connection_;
}

void Database::retry_after_broken(int attempt, const pqxx::broken_connection& e,
                                  const char* statement) {
  // The server went away (restart, failover, network): drop the connection and run the whole
  // unit again on a new one. A write whose COMMIT was lost is an in_doubt_error, not this.
  connection_.reset();
  prepared_.clear();
  if (attempt >= kAttempts)
    throw StoreError(StoreError::Kind::Unavailable,
                     "job database " + name_ + " unreachable after " + std::to_string(attempt) +
                         " attempts (at " + (statement ? statement : "?") + "): " + e.what());
  std::this_thread::sleep_for(kFirstBackoff * (1 << (attempt - 1)));
}

void Database::retry_after_rollback(int attempt, const pqxx::transaction_rollback& e,
                                    const char* statement) {
  // A deadlock or serialization victim: nothing was written; try again after a short pause.
  if (attempt >= kAttempts)
    throw StoreError(StoreError::Kind::Unavailable,
                     "job database " + name_ + ": " + (statement ? statement : "?") +
                         " rolled back " + std::to_string(attempt) + " times: " + e.what());
  std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
}

void Database::fail_sql(const pqxx::sql_error& e, const char* statement) {
  const std::string where =
      "job database " + name_ + ", statement " + (statement ? statement : "?") + ": ";
  if (dynamic_cast<const pqxx::unique_violation*>(&e))
    throw StoreError(StoreError::Kind::Conflict, where + e.what());
  if (dynamic_cast<const pqxx::foreign_key_violation*>(&e))
    throw StoreError(StoreError::Kind::NotFound, where + e.what());
  throw StoreError(StoreError::Kind::Unavailable, where + e.what());
}

void Database::fail_in_doubt(const pqxx::in_doubt_error& e) {
  connection_.reset();
  prepared_.clear();
  throw StoreError(StoreError::Kind::Unavailable,
                   "job database " + name_ +
                       ": the connection broke during COMMIT; the change may or may not have "
                       "been made: " +
                       e.what());
}

}  // namespace mw::store::pg
