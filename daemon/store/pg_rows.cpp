#include "daemon/store/column_values.hpp"
#include "daemon/store/pg_rows.hpp"

#include "daemon/store/pg_statements.hpp"
#include "daemon/store/sqlite_rows.hpp"

namespace mw::store::pg {

runtime::Asset read_asset(const pqxx::row& row) {
  runtime::Asset asset;
  asset.id = text(row, 0);
  asset.name = text(row, 1);
  asset.state = integer(row, 2);
  asset.options = integer(row, 3);
  asset.format_option = integer(row, 4);
  asset.alternate_id = text(row, 5);
  asset.storage_account_name = text(row, 6);
  asset.created = time(row, 7);
  asset.last_modified = time(row, 8);
  return asset;
}

runtime::AssetFile read_file(const pqxx::row& row) {
  runtime::AssetFile file;
  file.id = text(row, 0);
  file.name = text(row, 1);
  file.parent_asset_id = text(row, 2);
  file.content_file_size = int64(row, 3);
  file.mime_type = text(row, 4);
  file.is_primary = boolean(row, 5);
  file.created = time(row, 6);
  file.last_modified = time(row, 7);
  return file;
}

runtime::Job read_job(const pqxx::row& row) {
  runtime::Job job;
  job.id = text(row, 0);
  job.name = text(row, 1);
  job.priority = integer(row, 2);
  job.state = static_cast<runtime::State>(integer(row, 3));
  job.created = time(row, 4);
  job.last_modified = time(row, 5);
  job.start_time = optional_time(row, 6);
  job.end_time = optional_time(row, 7);
  job.running_duration_s = real(row, 8);
  job.template_id = text(row, 9);
  return job;
}

runtime::Task read_task(const pqxx::row& row) {
  runtime::Task task;
  task.id = text(row, 0);
  task.job_id = text(row, 1);
  task.position = integer(row, 2);
  task.name = text(row, 3);
  task.configuration = text(row, 4);
  task.media_processor_id = text(row, 5);
  task.task_body = text(row, 6);
  task.options = integer(row, 7);
  task.priority = integer(row, 8);
  task.state = static_cast<runtime::State>(integer(row, 9));
  task.progress = real(row, 10);
  task.start_time = optional_time(row, 11);
  task.end_time = optional_time(row, 12);
  task.running_duration_s = real(row, 13);
  task.perf_message = text(row, 14);
  // The ErrorDetails JSON is the same in both stores.
  task.error_details = parse_error_details(text(row, 15), task.id);
  task.attempts = integer(row, 16);
  task.requirements = {integer(row, 17), integer(row, 18), parse_string_array(text(row, 19)),
                       parse_string_array(text(row, 20))};
  return task;
}

namespace {

std::vector<runtime::NotificationSubscription> load_subscriptions(Transaction& tx,
                                                                  const std::string& job_id,
                                                                  const std::string& task_id) {
  std::vector<runtime::NotificationSubscription> subscriptions;
  for (const auto& row : tx.exec(sql::kSelectSubscriptions, job_id, task_id))
    subscriptions.push_back(
        {text(row, 0), static_cast<runtime::NotificationTarget>(integer(row, 1)), boolean(row, 2)});
  return subscriptions;
}

}  // namespace

void insert_subscriptions(Transaction& tx, const std::string& job_id, const std::string& task_id,
                          const std::vector<runtime::NotificationSubscription>& subscriptions) {
  for (size_t i = 0; i < subscriptions.size(); ++i) {
    const auto& s = subscriptions[i];
    tx.exec(sql::kInsertSubscription, job_id, task_id, static_cast<int>(i),
            s.notification_endpoint_id, static_cast<int>(s.target_state), s.include_task_progress);
  }
}

void load_job_assets(Transaction& tx, runtime::Job& job) {
  for (const auto& row : tx.exec(sql::kSelectJobAssets, job.id))
    (integer(row, 0) == kInputRole ? job.input_asset_ids : job.output_asset_ids)
        .push_back(text(row, 1));
  job.notification_subscriptions = load_subscriptions(tx, job.id, "");
}

void load_task_details(Transaction& tx, runtime::Task& task) {
  for (const auto& row : tx.exec(sql::kSelectTaskAssets, task.id))
    (integer(row, 0) == kInputRole ? task.input_asset_ids : task.output_asset_ids)
        .push_back(text(row, 1));
  for (const auto& row : tx.exec(sql::kSelectTaskEvents, task.id))
    task.historical_events.push_back({text(row, 0), text(row, 1), time(row, 2)});
  task.notification_subscriptions = load_subscriptions(tx, task.job_id, task.id);
}

namespace {

/// TaskRows on pg_statements.hpp, with row locks: the job row, then task rows.
class PgTaskRows final : public TaskRows {
 public:
  explicit PgTaskRows(Transaction& tx) : tx_(tx) {}

  std::optional<LeasedTask> leased_task(const Claim& claim) override {
    const auto job = tx_.exec(sql::kSelectJobOfTask, claim.task_id);
    if (job.empty()) return std::nullopt;
    tx_.exec(sql::kLockJob, text(job[0], 0));
    const auto rows =
        tx_.exec(sql::kSelectLeasedTask, claim.task_id, claim.lease_token, claim.worker_id);
    if (rows.empty()) return std::nullopt;
    return LeasedTask{claim.task_id, text(rows[0], 1),
                      static_cast<runtime::State>(integer(rows[0], 0)), integer(rows[0], 2),
                      integer(rows[0], 3)};
  }
  std::optional<JobRow> lock_job(const std::string& job_id) override {
    const auto rows = tx_.exec(sql::kLockJob, job_id);
    if (rows.empty()) return std::nullopt;
    return JobRow{static_cast<runtime::State>(integer(rows[0], 0)), optional_time(rows[0], 1),
                  optional_time(rows[0], 2)};
  }
  void update_job(const std::string& job_id, const JobRow& job, TimePoint now,
                  double running_s) override {
    tx_.exec(sql::kUpdateJobAggregate, job_id, job.state, now, job.start, job.end, running_s);
  }
  std::vector<TaskAssetRow> task_assets_of_job(const std::string& job_id) override {
    return read_all<TaskAssetRow>(
        tx_.exec(sql::kSelectTaskAssetsOfJob, job_id), [](const pqxx::row& row) {
          return TaskAssetRow{text(row, 0), static_cast<runtime::State>(integer(row, 1)),
                              integer(row, 2), integer(row, 3), text(row, 4)};
        });
  }
  void end_task_row(const std::string& task_id, runtime::State state, TimePoint now) override {
    tx_.exec(sql::kEndTask, task_id, state, now);
  }
  void set_canceling(const std::string& task_id) override { tx_.exec(sql::kSetCanceling, task_id); }
  void start_task_row(const std::string& task_id, TimePoint now) override {
    tx_.exec(sql::kStartTask, task_id, now);
  }
  void requeue_task_row(const std::string& task_id, bool uncounted) override {
    tx_.exec(sql::kRequeueTask, task_id, uncounted ? 1 : 0);
  }
  void add_event(const std::string& task_id, std::string_view code, std::string_view message,
                 TimePoint at) override {
    tx_.exec(sql::kInsertTaskEvent, task_id, std::string(code), std::string(message), at);
  }
  std::optional<std::string> error_details(const std::string& task_id) override {
    const auto rows = tx_.exec(sql::kSelectErrorDetails, task_id);
    if (rows.empty()) return std::nullopt;
    return text(rows[0], 0);
  }
  void set_error_details(const std::string& task_id, const std::string& json) override {
    tx_.exec(sql::kSetErrorDetails, task_id, json);
  }
  void delete_output_files(const std::string& task_id) override {
    tx_.exec(sql::kDeleteTaskOutputFiles, task_id);
  }

 private:
  Transaction& tx_;
};

}  // namespace

std::unique_ptr<TaskRows> task_rows(Transaction& tx) {
  return std::make_unique<PgTaskRows>(tx);
}

}  // namespace mw::store::pg
