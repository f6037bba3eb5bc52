#include "daemon/store/sqlite_rows.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "daemon/store/column_values.hpp"
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
  task.requirements = {row.integer(17), row.integer(18), parse_string_array(row.text(19)),
                       parse_string_array(row.text(20))};
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

namespace {

/// TaskRows on sqlite_statements.hpp (the connection's lock serializes writers: no row locks).
class SqliteTaskRows final : public TaskRows {
 public:
  explicit SqliteTaskRows(Database& db) : db_(db) {}

  std::optional<LeasedTask> leased_task(const Claim& claim) override {
    auto select = db_.prepare(sql::kSelectLeasedTask);
    select.bind_all(claim.task_id, claim.lease_token, claim.worker_id);
    if (!select.step()) return std::nullopt;
    return LeasedTask{claim.task_id, select.text(1), static_cast<runtime::State>(select.integer(0)),
                      select.integer(2), select.integer(3)};
  }
  std::optional<JobRow> lock_job(const std::string& job_id) override {
    auto select = db_.prepare(sql::kSelectJobTimes);
    select.bind_all(job_id);
    if (!select.step()) return std::nullopt;
    return JobRow{static_cast<runtime::State>(select.integer(0)), select.optional_time(1),
                  select.optional_time(2)};
  }
  void update_job(const std::string& job_id, const JobRow& job, TimePoint now,
                  double running_s) override {
    db_.prepare(sql::kUpdateJobAggregate)
        .bind_all(job_id, static_cast<int>(job.state), now, job.start, job.end, running_s)
        .run();
  }
  std::vector<TaskAssetRow> task_assets_of_job(const std::string& job_id) override {
    std::vector<TaskAssetRow> rows;
    auto select = db_.prepare(sql::kSelectTaskAssetsOfJob);
    select.bind_all(job_id);
    while (select.step())
      rows.push_back({select.text(0), static_cast<runtime::State>(select.integer(1)),
                      select.integer(2), select.integer(3), select.text(4)});
    return rows;
  }
  void end_task_row(const std::string& task_id, runtime::State state, TimePoint now) override {
    db_.prepare(sql::kEndTask).bind_all(task_id, static_cast<int>(state), now).run();
  }
  void set_canceling(const std::string& task_id) override {
    db_.prepare(sql::kSetCanceling).bind_all(task_id).run();
  }
  void start_task_row(const std::string& task_id, TimePoint now) override {
    db_.prepare(sql::kStartTask).bind_all(task_id, now).run();
  }
  void requeue_task_row(const std::string& task_id, bool uncounted) override {
    db_.prepare(sql::kRequeueTask).bind_all(task_id, uncounted ? 1 : 0).run();
  }
  void add_event(const std::string& task_id, std::string_view code, std::string_view message,
                 TimePoint at) override {
    db_.prepare(sql::kInsertTaskEvent).bind_all(task_id, code, message, at).run();
  }
  std::optional<std::string> error_details(const std::string& task_id) override {
    auto select = db_.prepare(sql::kSelectErrorDetails);
    select.bind_all(task_id);
    if (!select.step()) return std::nullopt;
    return select.text(0);
  }
  void set_error_details(const std::string& task_id, const std::string& json) override {
    db_.prepare(sql::kSetErrorDetails).bind_all(task_id, json).run();
  }
  void delete_output_files(const std::string& task_id) override {
    db_.prepare(sql::kDeleteTaskOutputFiles).bind_all(task_id).run();
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<TaskRows> task_rows(Database& db) {
  return std::make_unique<SqliteTaskRows>(db);
}

}  // namespace mw::store::sqlite
