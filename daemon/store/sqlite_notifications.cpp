// The notification outbox of the SQLite job store (work in progress: filled in next).
#include "daemon/store/sqlite_job_store.hpp"

namespace mw::store {

namespace {
[[noreturn]] void not_yet() {
  throw StoreError(StoreError::Kind::Unavailable, "notifications: not built yet");
}
}  // namespace

void SqliteJobStore::create_notification_endpoint(const runtime::NotificationEndPoint&) { not_yet(); }
std::optional<runtime::NotificationEndPoint> SqliteJobStore::find_notification_endpoint(
    const std::string&) { not_yet(); }
std::vector<runtime::NotificationEndPoint> SqliteJobStore::list_notification_endpoints(Page) { not_yet(); }
void SqliteJobStore::rename_notification_endpoint(const std::string&, const std::string&) { not_yet(); }
void SqliteJobStore::delete_notification_endpoint(const std::string&) { not_yet(); }
int SqliteJobStore::expand_notifications(const ComposeMessages&, int) { not_yet(); }
std::vector<Delivery> SqliteJobStore::due_deliveries(TimePoint, int) { not_yet(); }
std::optional<TimePoint> SqliteJobStore::next_delivery_due() { not_yet(); }
void SqliteJobStore::delivery_succeeded(int64_t) { not_yet(); }
void SqliteJobStore::delivery_failed(int64_t, TimePoint, const std::string&, bool) { not_yet(); }
NotificationCounts SqliteJobStore::notification_counts() { not_yet(); }

}  // namespace mw::store
