#include "daemon/store/sqlite_rows.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "daemon/store/sqlite_statements.hpp"

namespace mw::store::sqlite {

runtime::Asset read_asset(const Statement& row) {
  runtime::Asset asset;
  asset.id = row.text(0);
  asset.name = row.text(1);
  asset.state = row.integer(2);
  asset.options = row.integer(3);
  asset.format_option = row.integer(4);
  asset.alternate_id = row.text(5);
  asset.storage_account_name = row.text(6);
  asset.created = row.time(7);
  asset.last_modified = row.time(8);
  return asset;
}

runtime::AssetFile read_file(const Statement& row) {
  runtime::AssetFile file;
  file.id = row.text(0);
  file.name = row.text(1);
  file.parent_asset_id = row.text(2);
  file.content_file_size = row.int64(3);
  file.mime_type = row.text(4);
  file.is_primary = row.int64(5) != 0;
  file.created = row.time(6);
  file.last_modified = row.time(7);
  return file;
}

runtime::Job read_job(const Statement& row) {
  runtime::Job job;
  job.id = row.text(0);
  job.name = row.text(1);
  job.priority = row.integer(2);
  job.state = static_cast<runtime::State>(row.integer(3));
  job.created = row.time(4);
  job.last_modified = row.time(5);
  job.start_time = row.optional_time(6);
  job.end_time = row.optional_time(7);
  job.running_duration_s = row.real(8);
  job.template_id = row.text(9);
  return job;
}

runtime::Task read_task(const Statement& row) {
  runtime::Task task;
  task.id = row.text(0);
  task.job_id = row.text(1);
  task.position = row.integer(2);
  task.name = row.text(3);
  task.configuration = row.text(4);
  task.media_processor_id = row.text(5);
  task.task_body = row.text(6);
  task.options = row.integer(7);
  task.priority = row.integer(8);
  task.state = static_cast<runtime::State>(row.integer(9));
  task.progress = row.real(10);
  task.start_time = row.optional_time(11);
  task.end_time = row.optional_time(12);
  task.running_duration_s = row.real(13);
  task.perf_message = row.text(14);
  task.error_details = parse_error_details(row.text(15), task.id);
  task.attempts = row.integer(16);
  return task;
}

static std::vector<runtime::NotificationSubscription> load_subscriptions(Database& db,
                                                                  const std::string& job_id,
                                                                  const std::string& task_id) {
  std::vector<runtime::NotificationSubscription> subscriptions;
  auto select = db.prepare(sql::kSelectSubscriptions);
  select.bind_all(job_id, task_id);
  while (select.step())
    subscriptions.push_back({select.text(0),
                             static_cast<runtime::NotificationTarget>(select.integer(1)),
                             select.integer(2) != 0});
  return subscriptions;
}

void insert_subscriptions(Database& db, const std::string& job_id, const std::string& task_id,
                          const std::vector<runtime::NotificationSubscription>& subscriptions) {
  for (size_t i = 0; i < subscriptions.size(); ++i) {
    const auto& s = subscriptions[i];
    db.prepare(sql::kInsertSubscription)
        .bind_all(job_id, task_id, static_cast<int>(i), s.notification_endpoint_id,
                  static_cast<int>(s.target_state), s.include_task_progress)
        .run();
  }
}

void load_job_assets(Database& db, runtime::Job& job) {
  {
    auto select = db.prepare(sql::kSelectJobAssets);
    select.bind_all(job.id);
    while (select.step())
      (select.integer(0) == kInputRole ? job.input_asset_ids : job.output_asset_ids)
          .push_back(select.text(1));
  }
  job.notification_subscriptions = load_subscriptions(db, job.id, "");
}

void load_task_details(Database& db, runtime::Task& task) {
  {
    auto select = db.prepare(sql::kSelectTaskAssets);
    select.bind_all(task.id);
    while (select.step())
      (select.integer(0) == kInputRole ? task.input_asset_ids : task.output_asset_ids)
          .push_back(select.text(1));
  }
  {
    auto events = db.prepare(sql::kSelectTaskEvents);
    events.bind_all(task.id);
    while (events.step())
      task.historical_events.push_back({events.text(0), events.text(1), events.time(2)});
  }
  task.notification_subscriptions = load_subscriptions(db, task.job_id, task.id);
}


}  // namespace mw::store::sqlite
