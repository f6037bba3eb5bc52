#pragma once
// Reading the SQLite job store's rows into the model structs (the column orders are those of
// the SELECTs in sqlite_statements.hpp) and loading their collections. Internal to mw_store.

#include <memory>
#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/store/column_values.hpp"
#include "daemon/store/job_store.hpp"
#include "daemon/store/sqlite_db.hpp"
#include "daemon/store/task_transitions.hpp"

namespace mw::store::sqlite {

/// Role of a row in job_assets / task_assets.
inline constexpr int kInputRole = 0;
inline constexpr int kOutputRole = 1;


/// A row of kSelectAsset / kListAssets.
runtime::Asset read_asset(const Statement& row);
/// A row of kSelectFile / kSelectAssetFiles / kListFiles.
runtime::AssetFile read_file(const Statement& row);
/// A row of kSelectJob / kListJobs, without its asset Ids (see load_job_assets).
runtime::Job read_job(const Statement& row);
/// A row of kSelectTask / kSelectTasksOfJob / kListTasks, with its ErrorDetails, without its
/// assets and events (see load_task_details).
/// @throws StoreError Unavailable naming the task when its ErrorDetails column is not valid JSON
runtime::Task read_task(const Statement& row);

/// Fills input_asset_ids and output_asset_ids.
void load_job_assets(Database& db, runtime::Job& job);
/// Stores the JobNotificationSubscriptions (task_id "") or a task's TaskNotificationSubscriptions.
void insert_subscriptions(Database& db, const std::string& job_id, const std::string& task_id,
                          const std::vector<runtime::NotificationSubscription>& subscriptions);
/// Fills input_asset_ids, output_asset_ids and historical_events (in order).
void load_task_details(Database& db, runtime::Task& task);

/// The row operations of task_transitions.hpp on this store, for `db`'s lifetime.
std::unique_ptr<TaskRows> task_rows(Database& db);

}  // namespace mw::store::sqlite
