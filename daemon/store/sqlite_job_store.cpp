// SqliteJobStore: opening, assets and asset files, jobs and tasks (the client side). The worker
// side (claims, leases, task outcomes) is in sqlite_job_store_workers.cpp.

#include "daemon/store/column_values.hpp"
#include "daemon/store/sqlite_job_store.hpp"

#include "daemon/store/sqlite_db.hpp"
#include "daemon/store/sqlite_migrations.hpp"
#include "daemon/store/sqlite_rows.hpp"
#include "daemon/store/sqlite_statements.hpp"
#include "daemon/store/task_transitions.hpp"

namespace mw::store {

using sqlite::Statement;
using sqlite::Transaction;
namespace sql = sqlite::sql;

namespace {

constexpr auto kRead = Transaction::Mode::Deferred;

bool exists(sqlite::Database& db, const sqlite::Sql& query, const std::string& id) {
  auto select = db.prepare(query);
  select.bind_all(id);
  return select.step();
}

void insert_asset(sqlite::Database& db, const runtime::Asset& asset) {
  if (exists(db, sql::kAssetExists, asset.id))
    throw StoreError(StoreError::Kind::Conflict, "asset " + asset.id + " already exists");
  db.prepare(sql::kInsertAsset)
      .bind_all(asset.id, asset.name, asset.state, asset.options, asset.format_option,
                asset.alternate_id, asset.storage_account_name, asset.created, asset.last_modified)
      .run();
}

void require_asset(sqlite::Database& db, const std::string& asset_id, const std::string& what) {
  if (!exists(db, sql::kAssetExists, asset_id))
    throw StoreError(StoreError::Kind::NotFound, what + " " + asset_id + " does not exist");
}

template <typename T, typename Read>
std::vector<T> list(sqlite::Database& db, const sqlite::Sql& query, Page page, Read read) {
  page = clamp(page);
  std::vector<T> out;
  auto select = db.prepare(query);
  select.bind_all(page.top, page.skip);
  while (select.step()) out.push_back(read(select));
  return out;
}

/// A generator seeded with 256 bits from the OS, so that stores in different processes on one
/// database do not hand out the same lease tokens.
std::mt19937_64 seeded_generator() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device(),
                     device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

}  // namespace

SqliteJobStore::SqliteJobStore(const std::filesystem::path& db)
    : db_(std::make_unique<sqlite::Database>(db)), random_(seeded_generator()) {
  sqlite::migrate(*db_, runtime::Clock::now());
}

SqliteJobStore::~SqliteJobStore() = default;

int SqliteJobStore::schema_version() {
  std::lock_guard lock(mutex_);
  return sqlite::schema_version(*db_);
}

int64_t SqliteJobStore::next_lease_token() {
  int64_t token = 0;
  while (token == 0) token = static_cast<int64_t>(random_());
  return token;
}

// --- Assets and files -------------------------------------------------------------------------

void SqliteJobStore::create_asset(const runtime::Asset& asset) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  insert_asset(*db_, asset);
  transaction.commit();
}

std::optional<runtime::Asset> SqliteJobStore::find_asset(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto select = db_->prepare(sql::kSelectAsset);
  select.bind_all(id);
  if (!select.step()) return std::nullopt;
  return sqlite::read_asset(select);
}

std::vector<runtime::Asset> SqliteJobStore::list_assets(Page page) {
  std::lock_guard lock(mutex_);
  return list<runtime::Asset>(*db_, sql::kListAssets, page, sqlite::read_asset);
}

void SqliteJobStore::add_asset_file(const runtime::AssetFile& file) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  require_asset(*db_, file.parent_asset_id, "asset");
  {
    auto taken = db_->prepare(sql::kFileNameTaken);
    taken.bind_all(file.parent_asset_id, file.name);
    if (taken.step())
      throw StoreError(
          StoreError::Kind::Conflict,
          "AssetFile name '" + file.name + "' already exists in asset " + file.parent_asset_id);
  }
  if (file.is_primary) {
    auto primary = db_->prepare(sql::kPrimaryFileOf);
    primary.bind_all(file.parent_asset_id);
    if (primary.step())
      throw StoreError(StoreError::Kind::Conflict, "asset " + file.parent_asset_id +
                                                       " already has a primary file ('" +
                                                       primary.text(0) + "'): AssetFile '" +
                                                       file.name + "' cannot be IsPrimary too");
  }
  db_->prepare(sql::kInsertFile)
      .bind_all(file.id, file.name, file.parent_asset_id, file.content_file_size, file.mime_type,
                file.is_primary, file.created, file.last_modified)
      .run();
  transaction.commit();
}

void SqliteJobStore::set_asset_file_size(const std::string& file_id, int64_t size, TimePoint now) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (db_->prepare(sql::kSetFileSize).bind_all(file_id, size, now).run() == 0)
    throw StoreError(StoreError::Kind::NotFound, "AssetFile " + file_id + " does not exist");
  transaction.commit();
}

std::optional<runtime::AssetFile> SqliteJobStore::find_asset_file(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto select = db_->prepare(sql::kSelectFile);
  select.bind_all(id);
  if (!select.step()) return std::nullopt;
  return sqlite::read_file(select);
}

std::vector<runtime::AssetFile> SqliteJobStore::asset_files(const std::string& asset_id) {
  std::lock_guard lock(mutex_);
  std::vector<runtime::AssetFile> files;
  auto select = db_->prepare(sql::kSelectAssetFiles);
  select.bind_all(asset_id);
  while (select.step()) files.push_back(sqlite::read_file(select));
  return files;
}

std::vector<runtime::AssetFile> SqliteJobStore::list_asset_files(Page page) {
  std::lock_guard lock(mutex_);
  return list<runtime::AssetFile>(*db_, sql::kListFiles, page, sqlite::read_file);
}

// --- Jobs and tasks ---------------------------------------------------------------------------

void SqliteJobStore::create_job(const NewJob& new_job) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  insert_job(new_job);
  transaction.commit();
}

void SqliteJobStore::create_jobs(const std::vector<NewJob>& jobs) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  for (const NewJob& job : jobs) insert_job(job);
  transaction.commit();
}

void SqliteJobStore::insert_job(const NewJob& new_job) {
  const runtime::Job& job = new_job.job;
  for (const auto& id : job.input_asset_ids) require_asset(*db_, id, "input asset");
  for (const auto& asset : new_job.output_assets) insert_asset(*db_, asset);

  const TimePoint modified = job.last_modified == TimePoint{} ? job.created : job.last_modified;
  db_->prepare(sql::kInsertJob)
      .bind_all(job.id, job.name, job.priority, static_cast<int>(runtime::State::Queued),
                job.created, modified, job.template_id)
      .run();
  std::vector<std::string> outputs = job.output_asset_ids;
  if (outputs.empty())
    for (const auto& asset : new_job.output_assets) outputs.push_back(asset.id);
  const auto link_job = [&](int role, const std::vector<std::string>& ids) {
    for (size_t i = 0; i < ids.size(); ++i)
      db_->prepare(sql::kInsertJobAsset).bind_all(job.id, role, static_cast<int>(i), ids[i]).run();
  };
  link_job(sqlite::kInputRole, job.input_asset_ids);
  link_job(sqlite::kOutputRole, outputs);
  sqlite::insert_subscriptions(*db_, job.id, "", job.notification_subscriptions);

  for (size_t position = 0; position < new_job.tasks.size(); ++position) {
    const runtime::Task& task = new_job.tasks[position];
    db_->prepare(sql::kInsertTask)
        .bind_all(task.id, job.id, static_cast<int>(position), task.name, task.configuration,
                  task.media_processor_id, task.task_body, task.options, task.priority,
                  static_cast<int>(runtime::State::Queued), task.requirements.long_edge,
                  task.requirements.short_edge, string_array_json(task.requirements.encoders),
                  string_array_json(task.requirements.tags))
        .run();
    const auto link_task = [&](int role, const std::vector<std::string>& ids, const char* what) {
      for (size_t i = 0; i < ids.size(); ++i) {
        require_asset(*db_, ids[i], std::string(what) + " of task " + task.id);
        db_->prepare(sql::kInsertTaskAsset)
            .bind_all(task.id, role, static_cast<int>(i), ids[i])
            .run();
      }
    };
    link_task(sqlite::kInputRole, task.input_asset_ids, "input asset");
    link_task(sqlite::kOutputRole, task.output_asset_ids, "output asset");
    sqlite::insert_subscriptions(*db_, job.id, task.id, task.notification_subscriptions);
    sqlite::task_rows(*db_)->add_event(task.id, runtime::state_name(runtime::State::Queued), "",
                                       job.created);
  }
}

std::optional<runtime::Job> SqliteJobStore::find_job(const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  std::optional<runtime::Job> job;
  {
    auto select = db_->prepare(sql::kSelectJob);
    select.bind_all(id);
    if (!select.step()) return std::nullopt;
    job = sqlite::read_job(select);
  }
  sqlite::load_job_assets(*db_, *job);
  transaction.commit();
  return job;
}

std::vector<runtime::Job> SqliteJobStore::list_jobs(Page page) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  auto jobs = list<runtime::Job>(*db_, sql::kListJobs, page, sqlite::read_job);
  for (auto& job : jobs) sqlite::load_job_assets(*db_, job);
  transaction.commit();
  return jobs;
}

std::vector<runtime::Task> SqliteJobStore::job_tasks(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  std::vector<runtime::Task> tasks;
  {
    auto select = db_->prepare(sql::kSelectTasksOfJob);
    select.bind_all(job_id);
    while (select.step()) tasks.push_back(sqlite::read_task(select));
  }
  for (auto& task : tasks) sqlite::load_task_details(*db_, task);
  transaction.commit();
  return tasks;
}

std::optional<runtime::Task> SqliteJobStore::find_task(const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  std::optional<runtime::Task> task;
  {
    auto select = db_->prepare(sql::kSelectTask);
    select.bind_all(id);
    if (!select.step()) return std::nullopt;
    task = sqlite::read_task(select);
  }
  sqlite::load_task_details(*db_, *task);
  transaction.commit();
  return task;
}

std::vector<runtime::Task> SqliteJobStore::list_tasks(Page page) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  auto tasks = list<runtime::Task>(*db_, sql::kListTasks, page, sqlite::read_task);
  for (auto& task : tasks) sqlite::load_task_details(*db_, task);
  transaction.commit();
  return tasks;
}

void SqliteJobStore::delete_job(const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  const runtime::State state = require_job(*sqlite::task_rows(*db_), id);
  if (!runtime::is_final(state))
    throw StoreError(StoreError::Kind::InvalidState,
                     "job " + id + " is " + runtime::state_name(state) +
                         ": only Finished, Error or Canceled jobs can be deleted");
  db_->prepare(sql::kDeleteJob).bind_all(id).run();
  transaction.commit();
}

void SqliteJobStore::cancel_job(const std::string& id, TimePoint now) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  store::cancel_job(*sqlite::task_rows(*db_), id, now);
  transaction.commit();
}

}  // namespace mw::store
