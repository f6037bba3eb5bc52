// SqliteJobStore: notification endpoints and the notification outbox (sqlite_migrations.cpp
// migration 2: the triggers that record events, the deliveries table).

#include <fmt/format.h>
#include <sqlite3.h>

#include "daemon/store/column_values.hpp"
#include "daemon/store/sqlite_db.hpp"
#include "daemon/store/sqlite_job_store.hpp"
#include "daemon/store/sqlite_rows.hpp"

namespace mw::store {

using sqlite::Sql;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr auto kRead = Transaction::Mode::Deferred;

constexpr Sql kInsertEndPoint{
    "insert_notification_endpoint",
    "INSERT INTO notification_endpoints (id, name, created_ms, endpoint_type, endpoint_address,"
    " credential_type, signing_key_hex) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
constexpr Sql kSelectEndPoint{
    "select_notification_endpoint",
    "SELECT id, name, created_ms, endpoint_type, endpoint_address, credential_type,"
    " signing_key_hex FROM notification_endpoints WHERE id = ?1"};
constexpr Sql kListEndPoints{
    "list_notification_endpoints",
    "SELECT id, name, created_ms, endpoint_type, endpoint_address, credential_type,"
    " signing_key_hex FROM notification_endpoints ORDER BY created_ms, seq LIMIT ?1 OFFSET ?2"};
constexpr Sql kRenameEndPoint{"rename_notification_endpoint",
                              "UPDATE notification_endpoints SET name = ?2 WHERE id = ?1"};
constexpr Sql kDeleteEndPoint{"delete_notification_endpoint",
                              "DELETE FROM notification_endpoints WHERE id = ?1"};

constexpr Sql kSelectEvents{
    "select_notification_events",
    "SELECT e.seq, e.kind, e.job_id, COALESCE(j.name, ''), e.task_id, e.old_state, e.new_state,"
    " e.progress, e.at_ms FROM notification_events e LEFT JOIN jobs j ON j.id = e.job_id"
    " ORDER BY e.seq LIMIT ?1"};
constexpr Sql kSelectSubscribers{
    "select_notification_subscribers",
    "SELECT n.id, n.name, n.created_ms, n.endpoint_type, n.endpoint_address, n.credential_type,"
    " n.signing_key_hex, n.registered, s.target_state, s.include_task_progress,"
    " s.last_progress_ms, s.last_progress FROM notification_subscriptions s"
    " JOIN notification_endpoints n ON n.id = s.endpoint_id"
    " WHERE s.job_id = ?1 AND s.task_id = ?2 ORDER BY s.position"};
constexpr Sql kInsertDelivery{
    "insert_notification_delivery",
    "INSERT INTO notification_deliveries (endpoint_id, job_id, etag, body, created_ms, due_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?5)"};
constexpr Sql kMarkRegistered{"mark_notification_endpoint_registered",
                              "UPDATE notification_endpoints SET registered = 1 WHERE id = ?1"};
constexpr Sql kSetLastProgress{
    "set_notification_last_progress",
    "UPDATE notification_subscriptions SET last_progress_ms = ?4, last_progress = ?5"
    " WHERE job_id = ?1 AND task_id = ?2 AND endpoint_id = ?3"};
constexpr Sql kDeleteEvent{"delete_notification_event",
                           "DELETE FROM notification_events WHERE seq = ?1"};

// The head of each (endpoint, job) queue (its oldest undelivered message); the partial index
// serves the MIN.
constexpr Sql kDueDeliveries{
    "due_notification_deliveries",
    "SELECT d.seq, d.endpoint_id, d.job_id, d.body, d.etag, d.created_ms, d.attempts"
    " FROM notification_deliveries d WHERE d.due_ms <= ?1 AND d.dead = 0 AND d.seq = (SELECT"
    " MIN(h.seq) FROM notification_deliveries h WHERE h.dead = 0 AND h.endpoint_id ="
    " d.endpoint_id AND h.job_id = d.job_id) ORDER BY d.seq LIMIT ?2"};
constexpr Sql kNextDue{
    "next_notification_due",
    "SELECT MIN(d.due_ms) FROM notification_deliveries d WHERE d.dead = 0 AND d.seq = (SELECT"
    " MIN(h.seq) FROM notification_deliveries h WHERE h.dead = 0 AND h.endpoint_id ="
    " d.endpoint_id AND h.job_id = d.job_id)"};
constexpr Sql kClaimDelivery{
    "claim_notification_delivery",
    "UPDATE notification_deliveries SET due_ms = ?3 WHERE seq = ?1 AND due_ms <= ?2 AND NOT dead"};
constexpr Sql kDeleteDelivery{"delete_notification_delivery",
                              "DELETE FROM notification_deliveries WHERE seq = ?1"};
constexpr Sql kRetryDelivery{
    "retry_notification_delivery",
    "UPDATE notification_deliveries SET attempts = attempts + 1, due_ms = ?2, last_error = ?3,"
    " dead = ?4 WHERE seq = ?1"};
constexpr Sql kCount{"count_notification",
                     "UPDATE notification_counters SET value = value + 1 WHERE name = ?1"};
constexpr Sql kCounts{
    "notification_counts",
    "SELECT (SELECT COUNT(*) FROM notification_deliveries WHERE dead = 0),"
    " (SELECT value FROM notification_counters WHERE name = 'delivered'),"
    " (SELECT value FROM notification_counters WHERE name = 'dead')"};


// Columns 0-6 of an endpoint row: id, name, created_ms, endpoint_type, endpoint_address,
// credential_type, signing_key_hex.
runtime::NotificationEndPoint read_endpoint(const Statement& row) {
  runtime::NotificationEndPoint endpoint;
  endpoint.id = row.text(0);
  endpoint.name = row.text(1);
  endpoint.created = row.time(2);
  endpoint.endpoint_type = row.integer(3);
  endpoint.endpoint_address = row.text(4);
  endpoint.credential_type = row.integer(5);
  endpoint.signing_key = from_hex(row.text(6));
  return endpoint;
}

std::vector<NotificationSubscriber> subscribers_of(sqlite::Database& db,
                                                   const NotificationEvent& event) {
  std::vector<NotificationSubscriber> subscribers;
  auto select = db.prepare(kSelectSubscribers);
  select.bind_all(event.job_id, event.task_id);
  while (select.step()) {
    NotificationSubscriber subscriber;
    subscriber.endpoint = read_endpoint(select);
    subscriber.registered = select.integer(7) != 0;
    subscriber.subscription = {subscriber.endpoint.id,
                               static_cast<runtime::NotificationTarget>(select.integer(8)),
                               select.integer(9) != 0};
    subscriber.last_progress_at = select.optional_time(10);
    subscriber.last_progress = select.real(11);
    subscribers.push_back(std::move(subscriber));
  }
  return subscribers;
}

}  // namespace

void SqliteJobStore::create_notification_endpoint(const runtime::NotificationEndPoint& endpoint) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  db_->prepare(kInsertEndPoint)
      .bind_all(endpoint.id, endpoint.name, endpoint.created, endpoint.endpoint_type,
                endpoint.endpoint_address, endpoint.credential_type, to_hex(endpoint.signing_key))
      .run();
  transaction.commit();
}

std::optional<runtime::NotificationEndPoint> SqliteJobStore::find_notification_endpoint(
    const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  auto select = db_->prepare(kSelectEndPoint);
  select.bind_all(id);
  if (!select.step()) return std::nullopt;
  return read_endpoint(select);
}

std::vector<runtime::NotificationEndPoint> SqliteJobStore::list_notification_endpoints(Page page) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  page = clamp(page);
  std::vector<runtime::NotificationEndPoint> endpoints;
  auto select = db_->prepare(kListEndPoints);
  select.bind_all(page.top, page.skip);
  while (select.step()) endpoints.push_back(read_endpoint(select));
  return endpoints;
}

void SqliteJobStore::rename_notification_endpoint(const std::string& id, const std::string& name) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (db_->prepare(kRenameEndPoint).bind_all(id, name).run() == 0)
    throw StoreError(StoreError::Kind::NotFound, "notification endpoint " + id + " does not exist");
  transaction.commit();
}

void SqliteJobStore::delete_notification_endpoint(const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (db_->prepare(kDeleteEndPoint).bind_all(id).run() == 0)
    throw StoreError(StoreError::Kind::NotFound, "notification endpoint " + id + " does not exist");
  transaction.commit();
}

int SqliteJobStore::expand_notifications(const ComposeMessages& compose, int limit) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  std::vector<NotificationEvent> events;
  {
    auto select = db_->prepare(kSelectEvents);
    select.bind_all(limit);
    while (select.step()) {
      NotificationEvent event;
      event.seq = select.int64(0);
      event.kind = static_cast<NotificationEvent::Kind>(select.integer(1));
      event.job_id = select.text(2);
      event.job_name = select.text(3);
      event.task_id = select.text(4);
      event.old_state = static_cast<runtime::State>(select.integer(5));
      event.new_state = static_cast<runtime::State>(select.integer(6));
      event.progress = select.real(7);
      event.at = select.time(8);
      events.push_back(std::move(event));
    }
  }
  if (events.empty()) return 0;  // rolled back: no commit, so no change listener call
  for (const auto& event : events) {
    // Read per event: an earlier event of this batch may have registered an endpoint.
    const auto subscribers = subscribers_of(*db_, event);
    for (const auto& message : compose(event, subscribers)) {
      db_->prepare(kInsertDelivery)
          .bind_all(message.endpoint_id, event.job_id, message.etag, message.body, event.at)
          .run();
      db_->prepare(kMarkRegistered).bind_all(message.endpoint_id).run();
      if (message.kind == NotificationEvent::Kind::TaskProgress && !message.registration)
        db_->prepare(kSetLastProgress)
            .bind_all(event.job_id, event.task_id, message.endpoint_id, event.at, event.progress)
            .run();
    }
    db_->prepare(kDeleteEvent).bind_all(event.seq).run();
  }
  transaction.commit();
  return static_cast<int>(events.size());
}

std::vector<Delivery> SqliteJobStore::due_deliveries(TimePoint now, int limit) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  std::vector<Delivery> due;
  auto select = db_->prepare(kDueDeliveries);
  select.bind_all(now, limit);
  while (select.step())
    due.push_back({select.int64(0), select.text(1), select.text(2), select.text(3), select.text(4),
                   select.time(5), select.integer(6)});
  return due;
}

std::optional<TimePoint> SqliteJobStore::next_delivery_due() {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  auto select = db_->prepare(kNextDue);
  if (!select.step()) return std::nullopt;
  return select.optional_time(0);
}

bool SqliteJobStore::claim_delivery(int64_t seq, TimePoint now, TimePoint until) {
  std::lock_guard lock(mutex_);
  return db_->prepare(kClaimDelivery).bind_all(seq, now, until).run() > 0;
}

void SqliteJobStore::delivery_succeeded(int64_t seq) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (db_->prepare(kDeleteDelivery).bind_all(seq).run() > 0)
    db_->prepare(kCount).bind_all("delivered").run();
  transaction.commit();
}

void SqliteJobStore::delivery_failed(int64_t seq, TimePoint retry_at, const std::string& error,
                                     bool dead) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (db_->prepare(kRetryDelivery).bind_all(seq, retry_at, error, dead).run() > 0 && dead)
    db_->prepare(kCount).bind_all("dead").run();
  transaction.commit();
}

void SqliteJobStore::set_change_listener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  change_listener_ = std::move(listener);
  if (!change_listener_) {
    sqlite3_commit_hook(db_->handle(), nullptr, nullptr);
    return;
  }
  sqlite3_commit_hook(
      db_->handle(),
      [](void* self) -> int {
        // Before the COMMIT completes, under mutex_: whoever the listener wakes reads the
        // store only after this transaction is done. Returning 0 lets the commit proceed.
        static_cast<SqliteJobStore*>(self)->change_listener_();
        return 0;
      },
      this);
}

NotificationCounts SqliteJobStore::notification_counts() {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  auto select = db_->prepare(kCounts);
  select.step();
  return {select.int64(0), select.int64(1), select.int64(2)};
}

}  // namespace mw::store
