// SqliteJobStore: JobTemplates and their TaskTemplates (AMS-V2-REFERENCE.md §3; schema in
// sqlite_migrations.cpp, kMigrationTemplates). The statements are named like those of
// sqlite_statements.hpp; they live here because nothing else uses them.

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

// --- Statements -------------------------------------------------------------------------------
constexpr Sql kInsertJobTemplate{
    "insert_job_template",
    "INSERT INTO job_templates (id, name, job_template_body, number_of_input_assets,"
    " template_type, created_ms, last_modified_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
constexpr Sql kInsertTaskTemplate{
    "insert_task_template",
    "INSERT INTO task_templates (id, job_template_id, position, name, description, configuration,"
    " media_processor_id, number_of_input_assets, number_of_output_assets, options, created_ms,"
    " last_modified_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"};
constexpr Sql kJobTemplateExists{"job_template_exists",
                                 "SELECT 1 FROM job_templates WHERE id = ?1"};
/// The stored Id of the TaskTemplate whose Id is ?1 without regard to case (COLLATE NOCASE).
constexpr Sql kTaskTemplateIdTaken{"task_template_id_taken",
                                   "SELECT id FROM task_templates WHERE id = ?1"};
constexpr Sql kSelectJobTemplate{
    "select_job_template",
    "SELECT id, name, job_template_body, number_of_input_assets, template_type, created_ms,"
    " last_modified_ms FROM job_templates WHERE id = ?1"};
constexpr Sql kListJobTemplates{
    "list_job_templates",
    "SELECT id, name, job_template_body, number_of_input_assets, template_type, created_ms,"
    " last_modified_ms FROM job_templates ORDER BY created_ms, seq LIMIT ?1 OFFSET ?2"};
constexpr Sql kSelectTaskTemplateIds{
    "select_task_template_ids",
    "SELECT id FROM task_templates WHERE job_template_id = ?1 ORDER BY position"};
constexpr Sql kSelectTaskTemplatesOf{
    "select_task_templates_of_job_template",
    "SELECT id, job_template_id, position, name, description, configuration, media_processor_id,"
    " number_of_input_assets, number_of_output_assets, options, created_ms, last_modified_ms"
    " FROM task_templates WHERE job_template_id = ?1 ORDER BY position"};
constexpr Sql kSelectTaskTemplate{
    "select_task_template",
    "SELECT id, job_template_id, position, name, description, configuration, media_processor_id,"
    " number_of_input_assets, number_of_output_assets, options, created_ms, last_modified_ms"
    " FROM task_templates WHERE id = ?1"};
constexpr Sql kListTaskTemplates{
    "list_task_templates",
    "SELECT t.id, t.job_template_id, t.position, t.name, t.description, t.configuration,"
    " t.media_processor_id, t.number_of_input_assets, t.number_of_output_assets, t.options,"
    " t.created_ms, t.last_modified_ms FROM task_templates t"
    " JOIN job_templates j ON j.id = t.job_template_id"
    " ORDER BY j.created_ms, j.seq, t.position LIMIT ?1 OFFSET ?2"};
constexpr Sql kDeleteJobTemplate{"delete_job_template", "DELETE FROM job_templates WHERE id = ?1"};

// --- Rows -------------------------------------------------------------------------------------

/// A row of kSelectJobTemplate / kListJobTemplates, without its task_template_ids.
runtime::JobTemplate read_job_template(const Statement& row) {
  runtime::JobTemplate t;
  t.id = row.text(0);
  t.name = row.text(1);
  t.job_template_body = row.text(2);
  t.number_of_input_assets = row.integer(3);
  t.template_type = row.integer(4);
  t.created = row.time(5);
  t.last_modified = row.time(6);
  return t;
}

/// A row of kSelectTaskTemplate / kSelectTaskTemplatesOf / kListTaskTemplates.
runtime::TaskTemplate read_task_template(const Statement& row) {
  runtime::TaskTemplate t;
  t.id = row.text(0);
  t.job_template_id = row.text(1);
  t.position = row.integer(2);
  t.name = row.text(3);
  t.description = row.text(4);
  t.configuration = row.text(5);
  t.media_processor_id = row.text(6);
  t.number_of_input_assets = row.integer(7);
  t.number_of_output_assets = row.integer(8);
  t.options = row.integer(9);
  t.created = row.time(10);
  t.last_modified = row.time(11);
  return t;
}

void load_task_template_ids(sqlite::Database& db, runtime::JobTemplate& job_template) {
  auto select = db.prepare(kSelectTaskTemplateIds);
  select.bind_all(job_template.id);
  while (select.step()) job_template.task_template_ids.push_back(select.text(0));
}

/// The rows of a query whose parameters are `args...`, read with `read`.
template <typename T, typename Read, typename... Args>
std::vector<T> rows(sqlite::Database& db, const Sql& query, Read read, const Args&... args) {
  std::vector<T> out;
  auto select = db.prepare(query);
  select.bind_all(args...);
  while (select.step()) out.push_back(read(select));
  return out;
}

}  // namespace

void SqliteJobStore::create_job_template(const runtime::JobTemplate& job_template,
                                         const std::vector<runtime::TaskTemplate>& task_templates) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (db_->prepare(kJobTemplateExists).bind_all(job_template.id).step())
    throw StoreError(StoreError::Kind::Conflict,
                     "JobTemplate " + job_template.id + " already exists");
  const TimePoint modified =
      job_template.last_modified == TimePoint{} ? job_template.created : job_template.last_modified;
  db_->prepare(kInsertJobTemplate)
      .bind_all(job_template.id, job_template.name, job_template.job_template_body,
                job_template.number_of_input_assets, job_template.template_type,
                job_template.created, modified)
      .run();
  for (size_t position = 0; position < task_templates.size(); ++position) {
    const runtime::TaskTemplate& t = task_templates[position];
    {
      auto taken = db_->prepare(kTaskTemplateIdTaken);
      taken.bind_all(t.id);
      if (taken.step())
        throw StoreError(StoreError::Kind::Conflict,
                         "TaskTemplate " + t.id + " already exists (as " + taken.text(0) +
                             "): TaskTemplate Ids are unique across JobTemplates");
    }
    const TimePoint task_modified = t.last_modified == TimePoint{} ? t.created : t.last_modified;
    db_->prepare(kInsertTaskTemplate)
        .bind_all(t.id, job_template.id, static_cast<int>(position), t.name, t.description,
                  t.configuration, t.media_processor_id, t.number_of_input_assets,
                  t.number_of_output_assets, t.options, t.created, task_modified)
        .run();
  }
  transaction.commit();
}

std::optional<runtime::JobTemplate> SqliteJobStore::find_job_template(const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  auto found = rows<runtime::JobTemplate>(*db_, kSelectJobTemplate, read_job_template, id);
  if (found.empty()) return std::nullopt;
  load_task_template_ids(*db_, found.front());
  transaction.commit();
  return std::move(found.front());
}

std::vector<runtime::JobTemplate> SqliteJobStore::list_job_templates(Page page) {
  page = clamp(page);
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_, kRead);
  auto templates =
      rows<runtime::JobTemplate>(*db_, kListJobTemplates, read_job_template, page.top, page.skip);
  for (auto& job_template : templates) load_task_template_ids(*db_, job_template);
  transaction.commit();
  return templates;
}

std::vector<runtime::TaskTemplate> SqliteJobStore::job_template_task_templates(
    const std::string& job_template_id) {
  std::lock_guard lock(mutex_);
  return rows<runtime::TaskTemplate>(*db_, kSelectTaskTemplatesOf, read_task_template,
                                     job_template_id);
}

std::optional<runtime::TaskTemplate> SqliteJobStore::find_task_template(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto found = rows<runtime::TaskTemplate>(*db_, kSelectTaskTemplate, read_task_template, id);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<runtime::TaskTemplate> SqliteJobStore::list_task_templates(Page page) {
  page = clamp(page);
  std::lock_guard lock(mutex_);
  return rows<runtime::TaskTemplate>(*db_, kListTaskTemplates, read_task_template, page.top,
                                     page.skip);
}

void SqliteJobStore::delete_job_template(const std::string& id) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  if (db_->prepare(kDeleteJobTemplate).bind_all(id).run() == 0)
    throw StoreError(StoreError::Kind::NotFound, "JobTemplate " + id + " does not exist");
  transaction.commit();
}

}  // namespace mw::store
