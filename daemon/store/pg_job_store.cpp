// PgJobStore: opening, assets and asset files, jobs and tasks (the client side). The worker
// side (claims, leases, task outcomes) is in pg_job_store_workers.cpp.

#include "daemon/store/column_values.hpp"
#include "daemon/store/pg_job_store.hpp"
#include "daemon/store/pg_listener.hpp"

#include "daemon/store/pg_db.hpp"
#include "daemon/store/pg_migrations.hpp"
#include "daemon/store/pg_rows.hpp"
#include "daemon/store/pg_statements.hpp"
#include "daemon/store/sqlite_rows.hpp"
#include "daemon/store/task_transitions.hpp"

namespace mw::store {

using pg::Transaction;
namespace sql = pg::sql;

namespace {

bool exists(Transaction& tx, const pg::Sql& query, const std::string& id) {
  return !tx.exec(query, id).empty();
}

void insert_asset(Transaction& tx, const runtime::Asset& asset) {
  if (exists(tx, sql::kAssetExists, asset.id))
    throw StoreError(StoreError::Kind::Conflict, "asset " + asset.id + " already exists");
  tx.exec(sql::kInsertAsset, asset.id, asset.name, asset.state, asset.options, asset.format_option,
          asset.alternate_id, asset.storage_account_name, asset.created, asset.last_modified);
}

void require_asset(Transaction& tx, const std::string& asset_id, const std::string& what) {
  if (!exists(tx, sql::kAssetExists, asset_id))
    throw StoreError(StoreError::Kind::NotFound, what + " " + asset_id + " does not exist");
}

void insert_job(Transaction& tx, const NewJob& new_job) {
  const runtime::Job& job = new_job.job;
  for (const auto& id : job.input_asset_ids) require_asset(tx, id, "input asset");
  for (const auto& asset : new_job.output_assets) insert_asset(tx, asset);

  const TimePoint modified = job.last_modified == TimePoint{} ? job.created : job.last_modified;
  tx.exec(sql::kInsertJob, job.id, job.name, job.priority, static_cast<int>(runtime::State::Queued),
          job.created, modified, job.template_id);
  std::vector<std::string> outputs = job.output_asset_ids;
  if (outputs.empty())
    for (const auto& asset : new_job.output_assets) outputs.push_back(asset.id);
  const auto link_job = [&](int role, const std::vector<std::string>& ids) {
    for (size_t i = 0; i < ids.size(); ++i)
      tx.exec(sql::kInsertJobAsset, job.id, role, static_cast<int>(i), ids[i]);
  };
  link_job(pg::kInputRole, job.input_asset_ids);
  link_job(pg::kOutputRole, outputs);
  pg::insert_subscriptions(tx, job.id, "", job.notification_subscriptions);

  for (size_t position = 0; position < new_job.tasks.size(); ++position) {
    const runtime::Task& task = new_job.tasks[position];
    tx.exec(sql::kInsertTask, task.id, job.id, static_cast<int>(position), task.name,
            task.configuration, task.media_processor_id, task.task_body, task.options,
            task.priority, static_cast<int>(runtime::State::Queued), task.requirements.long_edge,
            task.requirements.short_edge, string_array_json(task.requirements.encoders),
            string_array_json(task.requirements.tags));
    const auto link_task = [&](int role, const std::vector<std::string>& ids, const char* what) {
      for (size_t i = 0; i < ids.size(); ++i) {
        require_asset(tx, ids[i], std::string(what) + " of task " + task.id);
        tx.exec(sql::kInsertTaskAsset, task.id, role, static_cast<int>(i), ids[i]);
      }
    };
    link_task(pg::kInputRole, task.input_asset_ids, "input asset");
    link_task(pg::kOutputRole, task.output_asset_ids, "output asset");
    pg::insert_subscriptions(tx, job.id, task.id, task.notification_subscriptions);
    pg::task_rows(tx)->add_event(task.id, runtime::state_name(runtime::State::Queued), "",
                                 job.created);
  }
}

/// A generator seeded with 256 bits from the OS, so that stores on different hosts do not hand
/// out the same lease tokens.
std::mt19937_64 seeded_generator() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device(),
                     device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

}  // namespace

PgJobStore::PgJobStore(const std::string& url)
    : url_(url), db_(std::make_unique<pg::Database>(url)), random_(seeded_generator()) {
  pg::migrate(*db_, runtime::Clock::now());
}

PgJobStore::~PgJobStore() = default;

int PgJobStore::schema_version() {
  return pg::schema_version(*db_);
}

int64_t PgJobStore::next_lease_token() {
  std::lock_guard lock(random_mutex_);
  int64_t token = 0;
  while (token == 0) token = static_cast<int64_t>(random_());
  return token;
}

// --- Assets and files -------------------------------------------------------------------------

void PgJobStore::create_asset(const runtime::Asset& asset) {
  db_->write([&](Transaction& tx) { insert_asset(tx, asset); });
}

std::optional<runtime::Asset> PgJobStore::find_asset(const std::string& id) {
  return db_->read([&](Transaction& tx) -> std::optional<runtime::Asset> {
    const auto rows = tx.exec(sql::kSelectAsset, id);
    if (rows.empty()) return std::nullopt;
    return pg::read_asset(rows[0]);
  });
}

std::vector<runtime::Asset> PgJobStore::list_assets(Page page) {
  page = clamp(page);
  return db_->read([&](Transaction& tx) {
    return pg::read_all<runtime::Asset>(tx.exec(sql::kListAssets, page.top, page.skip),
                                        pg::read_asset);
  });
}

void PgJobStore::add_asset_file(const runtime::AssetFile& file) {
  db_->write([&](Transaction& tx) {
    require_asset(tx, file.parent_asset_id, "asset");
    if (!tx.exec(sql::kFileNameTaken, file.parent_asset_id, file.name).empty())
      throw StoreError(
          StoreError::Kind::Conflict,
          "AssetFile name '" + file.name + "' already exists in asset " + file.parent_asset_id);
    if (file.is_primary) {
      const auto primary = tx.exec(sql::kPrimaryFileOf, file.parent_asset_id);
      if (!primary.empty())
        throw StoreError(StoreError::Kind::Conflict,
                         "asset " + file.parent_asset_id + " already has a primary file ('" +
                             pg::text(primary[0], 0) + "'): AssetFile '" + file.name +
                             "' cannot be IsPrimary too");
    }
    tx.exec(sql::kInsertFile, file.id, file.name, file.parent_asset_id, file.content_file_size,
            file.mime_type, file.is_primary, file.created, file.last_modified);
  });
}

void PgJobStore::set_asset_file_size(const std::string& file_id, int64_t size, TimePoint now) {
  db_->write([&](Transaction& tx) {
    if (tx.exec(sql::kSetFileSize, file_id, size, now).affected_rows() == 0)
      throw StoreError(StoreError::Kind::NotFound, "AssetFile " + file_id + " does not exist");
  });
}

std::optional<runtime::AssetFile> PgJobStore::find_asset_file(const std::string& id) {
  return db_->read([&](Transaction& tx) -> std::optional<runtime::AssetFile> {
    const auto rows = tx.exec(sql::kSelectFile, id);
    if (rows.empty()) return std::nullopt;
    return pg::read_file(rows[0]);
  });
}

std::vector<runtime::AssetFile> PgJobStore::asset_files(const std::string& asset_id) {
  return db_->read([&](Transaction& tx) {
    return pg::read_all<runtime::AssetFile>(tx.exec(sql::kSelectAssetFiles, asset_id),
                                            pg::read_file);
  });
}

std::vector<runtime::AssetFile> PgJobStore::list_asset_files(Page page) {
  page = clamp(page);
  return db_->read([&](Transaction& tx) {
    return pg::read_all<runtime::AssetFile>(tx.exec(sql::kListFiles, page.top, page.skip),
                                            pg::read_file);
  });
}

// --- Jobs and tasks ---------------------------------------------------------------------------

void PgJobStore::create_job(const NewJob& new_job) {
  db_->write([&](Transaction& tx) { insert_job(tx, new_job); });
}

void PgJobStore::create_jobs(const std::vector<NewJob>& jobs) {
  db_->write([&](Transaction& tx) {
    for (const NewJob& job : jobs) insert_job(tx, job);
  });
}

std::optional<runtime::Job> PgJobStore::find_job(const std::string& id) {
  return db_->read([&](Transaction& tx) -> std::optional<runtime::Job> {
    const auto rows = tx.exec(sql::kSelectJob, id);
    if (rows.empty()) return std::nullopt;
    runtime::Job job = pg::read_job(rows[0]);
    pg::load_job_assets(tx, job);
    return job;
  });
}

std::vector<runtime::Job> PgJobStore::list_jobs(Page page) {
  page = clamp(page);
  return db_->read([&](Transaction& tx) {
    auto jobs =
        pg::read_all<runtime::Job>(tx.exec(sql::kListJobs, page.top, page.skip), pg::read_job);
    for (auto& job : jobs) pg::load_job_assets(tx, job);
    return jobs;
  });
}

std::vector<runtime::Task> PgJobStore::job_tasks(const std::string& job_id) {
  return db_->read([&](Transaction& tx) {
    auto tasks =
        pg::read_all<runtime::Task>(tx.exec(sql::kSelectTasksOfJob, job_id), pg::read_task);
    for (auto& task : tasks) pg::load_task_details(tx, task);
    return tasks;
  });
}

std::optional<runtime::Task> PgJobStore::find_task(const std::string& id) {
  return db_->read([&](Transaction& tx) -> std::optional<runtime::Task> {
    const auto rows = tx.exec(sql::kSelectTask, id);
    if (rows.empty()) return std::nullopt;
    runtime::Task task = pg::read_task(rows[0]);
    pg::load_task_details(tx, task);
    return task;
  });
}

std::vector<runtime::Task> PgJobStore::list_tasks(Page page) {
  page = clamp(page);
  return db_->read([&](Transaction& tx) {
    auto tasks =
        pg::read_all<runtime::Task>(tx.exec(sql::kListTasks, page.top, page.skip), pg::read_task);
    for (auto& task : tasks) pg::load_task_details(tx, task);
    return tasks;
  });
}

void PgJobStore::delete_job(const std::string& id) {
  db_->write([&](Transaction& tx) {
    const runtime::State state = require_job(*pg::task_rows(tx), id);
    if (!runtime::is_final(state))
      throw StoreError(StoreError::Kind::InvalidState,
                       "job " + id + " is " + runtime::state_name(state) +
                           ": only Finished, Error or Canceled jobs can be deleted");
    tx.exec(sql::kDeleteJob, id);
  });
}

void PgJobStore::cancel_job(const std::string& id, TimePoint now) {
  db_->write([&](Transaction& tx) { store::cancel_job(*pg::task_rows(tx), id, now); });
}

}  // namespace mw::store
