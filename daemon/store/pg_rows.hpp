#pragma once
// Reading the PostgreSQL job store's rows into the model structs (the column orders are those
// of the SELECTs in pg_statements.hpp, the same as sqlite_rows.hpp's) and loading their
// collections. Internal to mw_store.

#include <memory>
#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/store/pg_db.hpp"
#include "daemon/store/task_transitions.hpp"

namespace mw::store::pg {

/// Role of a row in job_assets / task_assets.
inline constexpr int kInputRole = 0;
inline constexpr int kOutputRole = 1;

runtime::Asset read_asset(const pqxx::row& row);
runtime::AssetFile read_file(const pqxx::row& row);
/// Without its asset Ids and subscriptions (see load_job_assets).
runtime::Job read_job(const pqxx::row& row);
/// With its ErrorDetails, without its assets, events and subscriptions (load_task_details).
/// @throws StoreError Unavailable naming the task when its ErrorDetails are not valid JSON
runtime::Task read_task(const pqxx::row& row);

/// Fills input_asset_ids, output_asset_ids and notification_subscriptions.
void load_job_assets(Transaction& tx, runtime::Job& job);
/// Fills input_asset_ids, output_asset_ids, historical_events (in order) and subscriptions.
void load_task_details(Transaction& tx, runtime::Task& task);
/// Stores the JobNotificationSubscriptions (task_id "") or a task's TaskNotificationSubscriptions.
void insert_subscriptions(Transaction& tx, const std::string& job_id, const std::string& task_id,
                          const std::vector<runtime::NotificationSubscription>& subscriptions);

/// The row operations of task_transitions.hpp on this store, for `tx`'s lifetime.
std::unique_ptr<TaskRows> task_rows(Transaction& tx);

/// Every row of `result` read with `read`.
template <typename T, typename Read>
std::vector<T> read_all(const pqxx::result& result, Read read) {
  std::vector<T> out;
  out.reserve(result.size());
  for (const auto& row : result) out.push_back(read(row));
  return out;
}

}  // namespace mw::store::pg
