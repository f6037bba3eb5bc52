// PgJobStore: notification endpoints and the notification outbox (pg_migrations.cpp migration
// 2: the triggers that record events, the deliveries table); the logic of
// sqlite_notifications.cpp.

#include <fmt/format.h>

#include "daemon/store/column_values.hpp"
#include "daemon/store/pg_db.hpp"
#include "daemon/store/pg_listener.hpp"
#include "daemon/store/pg_job_store.hpp"
#include "daemon/store/pg_rows.hpp"
#include "daemon/store/sqlite_rows.hpp"

namespace mw::store {

using pg::Sql;
using pg::Transaction;

namespace {

constexpr Sql kInsertEndPoint{
    "insert_notification_endpoint",
    "INSERT INTO notification_endpoints (id, name, created_ms, endpoint_type, endpoint_address,"
    " credential_type, signing_key_hex) VALUES ($1, $2, $3, $4, $5, $6, $7)"};
constexpr Sql kSelectEndPoint{
    "select_notification_endpoint",
    "SELECT id, name, created_ms, endpoint_type, endpoint_address, credential_type,"
    " signing_key_hex FROM notification_endpoints WHERE id = $1"};
constexpr Sql kListEndPoints{
    "list_notification_endpoints",
    "SELECT id, name, created_ms, endpoint_type, endpoint_address, credential_type,"
    " signing_key_hex FROM notification_endpoints ORDER BY created_ms, seq LIMIT $1 OFFSET $2"};
constexpr Sql kRenameEndPoint{"rename_notification_endpoint",
                              "UPDATE notification_endpoints SET name = $2 WHERE id = $1"};
constexpr Sql kDeleteEndPoint{"delete_notification_endpoint",
                              "DELETE FROM notification_endpoints WHERE id = $1"};

// FOR UPDATE OF e SKIP LOCKED: two hosts expanding at once take different events.
constexpr Sql kSelectEvents{
    "select_notification_events",
    "SELECT e.seq, e.kind, e.job_id, COALESCE(j.name, ''), e.task_id, e.old_state, e.new_state,"
    " e.progress, e.at_ms FROM notification_events e LEFT JOIN jobs j ON j.id = e.job_id"
    " ORDER BY e.seq LIMIT $1 FOR UPDATE OF e SKIP LOCKED"};
constexpr Sql kSelectSubscribers{
    "select_notification_subscribers",
    "SELECT n.id, n.name, n.created_ms, n.endpoint_type, n.endpoint_address, n.credential_type,"
    " n.signing_key_hex, n.registered, s.target_state, s.include_task_progress,"
    " s.last_progress_ms, s.last_progress FROM notification_subscriptions s"
    " JOIN notification_endpoints n ON n.id = s.endpoint_id"
    " WHERE s.job_id = $1 AND s.task_id = $2 ORDER BY s.position"};
constexpr Sql kInsertDelivery{
    "insert_notification_delivery",
    "INSERT INTO notification_deliveries (endpoint_id, job_id, etag, body, created_ms, due_ms)"
    " VALUES ($1, $2, $3, $4, $5, $5)"};
constexpr Sql kMarkRegistered{"mark_notification_endpoint_registered",
                              "UPDATE notification_endpoints SET registered = TRUE WHERE id = $1"};
constexpr Sql kSetLastProgress{
    "set_notification_last_progress",
    "UPDATE notification_subscriptions SET last_progress_ms = $4, last_progress = $5"
    " WHERE job_id = $1 AND task_id = $2 AND endpoint_id = $3"};
constexpr Sql kDeleteEvent{"delete_notification_event",
                           "DELETE FROM notification_events WHERE seq = $1"};

// The head of each (endpoint, job) queue (its oldest undelivered message).
constexpr Sql kDueDeliveries{
    "due_notification_deliveries",
    "SELECT d.seq, d.endpoint_id, d.job_id, d.body, d.etag, d.created_ms, d.attempts"
    " FROM notification_deliveries d WHERE d.due_ms <= $1 AND NOT d.dead AND d.seq = (SELECT"
    " MIN(h.seq) FROM notification_deliveries h WHERE NOT h.dead AND h.endpoint_id ="
    " d.endpoint_id AND h.job_id = d.job_id) ORDER BY d.seq LIMIT $2"};
constexpr Sql kNextDue{
    "next_notification_due",
    "SELECT MIN(d.due_ms) FROM notification_deliveries d WHERE NOT d.dead AND d.seq = (SELECT"
    " MIN(h.seq) FROM notification_deliveries h WHERE NOT h.dead AND h.endpoint_id ="
    " d.endpoint_id AND h.job_id = d.job_id)"};
constexpr Sql kTryLockExpansion{"try_lock_notification_expansion",
                                 "SELECT pg_try_advisory_xact_lock(7283013, 2)"};
constexpr Sql kClaimDelivery{
    "claim_notification_delivery",
    "UPDATE notification_deliveries SET due_ms = $3 WHERE seq = $1 AND due_ms <= $2 AND NOT dead"};
constexpr Sql kDeleteDelivery{"delete_notification_delivery",
                              "DELETE FROM notification_deliveries WHERE seq = $1"};
constexpr Sql kRetryDelivery{
    "retry_notification_delivery",
    "UPDATE notification_deliveries SET attempts = attempts + 1, due_ms = $2, last_error = $3,"
    " dead = $4 WHERE seq = $1"};
constexpr Sql kCount{"count_notification",
                     "UPDATE notification_counters SET value = value + 1 WHERE name = $1"};
constexpr Sql kCounts{"notification_counts",
                      "SELECT (SELECT COUNT(*) FROM notification_deliveries WHERE NOT dead),"
                      " (SELECT value FROM notification_counters WHERE name = 'delivered'),"
                      " (SELECT value FROM notification_counters WHERE name = 'dead')"};


// Columns 0-6 of an endpoint row: id, name, created_ms, endpoint_type, endpoint_address,
// credential_type, signing_key_hex.
runtime::NotificationEndPoint read_endpoint(const pqxx::row& row) {
  runtime::NotificationEndPoint endpoint;
  endpoint.id = pg::text(row, 0);
  endpoint.name = pg::text(row, 1);
  endpoint.created = pg::time(row, 2);
  endpoint.endpoint_type = pg::integer(row, 3);
  endpoint.endpoint_address = pg::text(row, 4);
  endpoint.credential_type = pg::integer(row, 5);
  endpoint.signing_key = from_hex(pg::text(row, 6));
  return endpoint;
}

std::vector<NotificationSubscriber> subscribers_of(Transaction& tx,
                                                   const NotificationEvent& event) {
  std::vector<NotificationSubscriber> subscribers;
  for (const auto& row : tx.exec(kSelectSubscribers, event.job_id, event.task_id)) {
    NotificationSubscriber subscriber;
    subscriber.endpoint = read_endpoint(row);
    subscriber.registered = pg::boolean(row, 7);
    subscriber.subscription = {subscriber.endpoint.id,
                               static_cast<runtime::NotificationTarget>(pg::integer(row, 8)),
                               pg::boolean(row, 9)};
    subscriber.last_progress_at = pg::optional_time(row, 10);
    subscriber.last_progress = pg::real(row, 11);
    subscribers.push_back(std::move(subscriber));
  }
  return subscribers;
}

}  // namespace

void PgJobStore::create_notification_endpoint(const runtime::NotificationEndPoint& endpoint) {
  db_->write([&](Transaction& tx) {
    tx.exec(kInsertEndPoint, endpoint.id, endpoint.name, endpoint.created, endpoint.endpoint_type,
            endpoint.endpoint_address, endpoint.credential_type, to_hex(endpoint.signing_key));
  });
}

std::optional<runtime::NotificationEndPoint> PgJobStore::find_notification_endpoint(
    const std::string& id) {
  return db_->read([&](Transaction& tx) -> std::optional<runtime::NotificationEndPoint> {
    const auto rows = tx.exec(kSelectEndPoint, id);
    if (rows.empty()) return std::nullopt;
    return read_endpoint(rows[0]);
  });
}

std::vector<runtime::NotificationEndPoint> PgJobStore::list_notification_endpoints(Page page) {
  page = clamp(page);
  return db_->read([&](Transaction& tx) {
    return pg::read_all<runtime::NotificationEndPoint>(tx.exec(kListEndPoints, page.top, page.skip),
                                                       read_endpoint);
  });
}

void PgJobStore::rename_notification_endpoint(const std::string& id, const std::string& name) {
  db_->write([&](Transaction& tx) {
    if (tx.exec(kRenameEndPoint, id, name).affected_rows() == 0)
      throw StoreError(StoreError::Kind::NotFound,
                       "notification endpoint " + id + " does not exist");
  });
}

void PgJobStore::delete_notification_endpoint(const std::string& id) {
  db_->write([&](Transaction& tx) {
    if (tx.exec(kDeleteEndPoint, id).affected_rows() == 0)
      throw StoreError(StoreError::Kind::NotFound,
                       "notification endpoint " + id + " does not exist");
  });
}

int PgJobStore::expand_notifications(const ComposeMessages& compose, int limit) {
  return db_->write([&](Transaction& tx) {
    // One expanding dispatcher in the farm at a time (a transaction-scoped advisory lock): two
    // expanding side by side could queue a job's messages out of order.
    if (!pg::boolean(tx.exec(kTryLockExpansion)[0], 0)) {
      tx.nothing_changed();
      return 0;
    }
    std::vector<NotificationEvent> events;
    for (const auto& row : tx.exec(kSelectEvents, limit)) {
      NotificationEvent event;
      event.seq = pg::int64(row, 0);
      event.kind = static_cast<NotificationEvent::Kind>(pg::integer(row, 1));
      event.job_id = pg::text(row, 2);
      event.job_name = pg::text(row, 3);
      event.task_id = pg::text(row, 4);
      event.old_state = static_cast<runtime::State>(pg::integer(row, 5));
      event.new_state = static_cast<runtime::State>(pg::integer(row, 6));
      event.progress = pg::real(row, 7);
      event.at = pg::time(row, 8);
      events.push_back(std::move(event));
    }
    if (events.empty()) tx.nothing_changed();
    for (const auto& event : events) {
      // Read per event: an earlier event of this batch may have registered an endpoint.
      const auto subscribers = subscribers_of(tx, event);
      for (const auto& message : compose(event, subscribers)) {
        tx.exec(kInsertDelivery, message.endpoint_id, event.job_id, message.etag, message.body,
                event.at);
        tx.exec(kMarkRegistered, message.endpoint_id);
        if (message.kind == NotificationEvent::Kind::TaskProgress && !message.registration)
          tx.exec(kSetLastProgress, event.job_id, event.task_id, message.endpoint_id, event.at,
                  event.progress);
      }
      tx.exec(kDeleteEvent, event.seq);
    }
    return static_cast<int>(events.size());
  });
}

std::vector<Delivery> PgJobStore::due_deliveries(TimePoint now, int limit) {
  return db_->read([&](Transaction& tx) {
    std::vector<Delivery> due;
    for (const auto& row : tx.exec(kDueDeliveries, now, limit))
      due.push_back({pg::int64(row, 0), pg::text(row, 1), pg::text(row, 2), pg::text(row, 3),
                     pg::text(row, 4), pg::time(row, 5), pg::integer(row, 6)});
    return due;
  });
}

std::optional<TimePoint> PgJobStore::next_delivery_due() {
  return db_->read([&](Transaction& tx) -> std::optional<TimePoint> {
    const auto rows = tx.exec(kNextDue);
    if (rows.empty()) return std::nullopt;
    return pg::optional_time(rows[0], 0);
  });
}

bool PgJobStore::claim_delivery(int64_t seq, TimePoint now, TimePoint until) {
  return db_->write([&](Transaction& tx) {
    tx.nothing_changed();  // no wake-up: nothing new to send
    // Two hosts claiming at once: the second UPDATE waits for the first's row lock, then finds
    // the message no longer due (READ COMMITTED re-reads the row).
    return tx.exec(kClaimDelivery, seq, now, until).affected_rows() > 0;
  });
}

void PgJobStore::delivery_succeeded(int64_t seq) {
  db_->write([&](Transaction& tx) {
    if (tx.exec(kDeleteDelivery, seq).affected_rows() > 0) tx.exec(kCount, "delivered");
  });
}

void PgJobStore::delivery_failed(int64_t seq, TimePoint retry_at, const std::string& error,
                                 bool dead) {
  db_->write([&](Transaction& tx) {
    if (tx.exec(kRetryDelivery, seq, retry_at, error, dead).affected_rows() > 0 && dead)
      tx.exec(kCount, "dead");
  });
}

void PgJobStore::set_change_listener(std::function<void()> listener) {
  // After each commit of this store's write transactions, and on other hosts' NOTIFY.
  std::lock_guard lock(listener_mutex_);
  listener_.reset();  // joins its thread: the old function is not called after this
  db_->set_after_commit(listener);
  if (listener) listener_ = std::make_unique<pg::Listener>(url_, db_->name(), std::move(listener));
}

NotificationCounts PgJobStore::notification_counts() {
  return db_->read([&](Transaction& tx) -> NotificationCounts {
    const auto rows = tx.exec(kCounts);
    return {pg::int64(rows[0], 0), pg::int64(rows[0], 1), pg::int64(rows[0], 2)};
  });
}

}  // namespace mw::store
