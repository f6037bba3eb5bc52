// PgJobStore: JobTemplates and their TaskTemplates (AMS-V2-REFERENCE.md §3; schema in
// pg_migrations.cpp, kMigrationTemplates); the logic of sqlite_templates.cpp. TaskTemplate Ids
// are compared as lower(id) (SQLite: COLLATE NOCASE).

#include "daemon/store/column_values.hpp"
#include "daemon/store/pg_db.hpp"
#include "daemon/store/pg_job_store.hpp"
#include "daemon/store/pg_rows.hpp"
#include "daemon/store/sqlite_rows.hpp"

namespace mw::store {

using pg::Sql;
using pg::Transaction;

namespace {

constexpr Sql kInsertJobTemplate{
    "insert_job_template",
    "INSERT INTO job_templates (id, name, job_template_body, number_of_input_assets,"
    " template_type, created_ms, last_modified_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)"};
constexpr Sql kInsertTaskTemplate{
    "insert_task_template",
    "INSERT INTO task_templates (id, job_template_id, position, name, description, configuration,"
    " media_processor_id, number_of_input_assets, number_of_output_assets, options, created_ms,"
    " last_modified_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};
constexpr Sql kJobTemplateExists{"job_template_exists",
                                 "SELECT 1 FROM job_templates WHERE id = $1"};
/// The stored Id of the TaskTemplate whose Id is $1 without regard to case.
constexpr Sql kTaskTemplateIdTaken{"task_template_id_taken",
                                   "SELECT id FROM task_templates WHERE lower(id) = lower($1)"};
constexpr Sql kSelectJobTemplate{
    "select_job_template",
    "SELECT id, name, job_template_body, number_of_input_assets, template_type, created_ms,"
    " last_modified_ms FROM job_templates WHERE id = $1"};
constexpr Sql kListJobTemplates{
    "list_job_templates",
    "SELECT id, name, job_template_body, number_of_input_assets, template_type, created_ms,"
    " last_modified_ms FROM job_templates ORDER BY created_ms, seq LIMIT $1 OFFSET $2"};
constexpr Sql kSelectTaskTemplateIds{
    "select_task_template_ids",
    "SELECT id FROM task_templates WHERE job_template_id = $1 ORDER BY position"};
constexpr Sql kSelectTaskTemplatesOf{
    "select_task_templates_of_job_template",
    "SELECT id, job_template_id, position, name, description, configuration, media_processor_id,"
    " number_of_input_assets, number_of_output_assets, options, created_ms, last_modified_ms"
    " FROM task_templates WHERE job_template_id = $1 ORDER BY position"};
constexpr Sql kSelectTaskTemplate{
    "select_task_template",
    "SELECT id, job_template_id, position, name, description, configuration, media_processor_id,"
    " number_of_input_assets, number_of_output_assets, options, created_ms, last_modified_ms"
    " FROM task_templates WHERE lower(id) = lower($1)"};
constexpr Sql kListTaskTemplates{
    "list_task_templates",
    "SELECT t.id, t.job_template_id, t.position, t.name, t.description, t.configuration,"
    " t.media_processor_id, t.number_of_input_assets, t.number_of_output_assets, t.options,"
    " t.created_ms, t.last_modified_ms FROM task_templates t"
    " JOIN job_templates j ON j.id = t.job_template_id"
    " ORDER BY j.created_ms, j.seq, t.position LIMIT $1 OFFSET $2"};
constexpr Sql kDeleteJobTemplate{"delete_job_template", "DELETE FROM job_templates WHERE id = $1"};

/// A row of kSelectJobTemplate / kListJobTemplates, without its task_template_ids.
runtime::JobTemplate read_job_template(const pqxx::row& row) {
  runtime::JobTemplate t;
  t.id = pg::text(row, 0);
  t.name = pg::text(row, 1);
  t.job_template_body = pg::text(row, 2);
  t.number_of_input_assets = pg::integer(row, 3);
  t.template_type = pg::integer(row, 4);
  t.created = pg::time(row, 5);
  t.last_modified = pg::time(row, 6);
  return t;
}

/// A row of kSelectTaskTemplate / kSelectTaskTemplatesOf / kListTaskTemplates.
runtime::TaskTemplate read_task_template(const pqxx::row& row) {
  runtime::TaskTemplate t;
  t.id = pg::text(row, 0);
  t.job_template_id = pg::text(row, 1);
  t.position = pg::integer(row, 2);
  t.name = pg::text(row, 3);
  t.description = pg::text(row, 4);
  t.configuration = pg::text(row, 5);
  t.media_processor_id = pg::text(row, 6);
  t.number_of_input_assets = pg::integer(row, 7);
  t.number_of_output_assets = pg::integer(row, 8);
  t.options = pg::integer(row, 9);
  t.created = pg::time(row, 10);
  t.last_modified = pg::time(row, 11);
  return t;
}

void load_task_template_ids(Transaction& tx, runtime::JobTemplate& job_template) {
  for (const auto& row : tx.exec(kSelectTaskTemplateIds, job_template.id))
    job_template.task_template_ids.push_back(pg::text(row, 0));
}

}  // namespace

void PgJobStore::create_job_template(const runtime::JobTemplate& job_template,
                                     const std::vector<runtime::TaskTemplate>& task_templates) {
  db_->write([&](Transaction& tx) {
    if (!tx.exec(kJobTemplateExists, job_template.id).empty())
      throw StoreError(StoreError::Kind::Conflict,
                       "JobTemplate " + job_template.id + " already exists");
    const TimePoint modified = job_template.last_modified == TimePoint{}
                                   ? job_template.created
                                   : job_template.last_modified;
    tx.exec(kInsertJobTemplate, job_template.id, job_template.name, job_template.job_template_body,
            job_template.number_of_input_assets, job_template.template_type, job_template.created,
            modified);
    for (size_t position = 0; position < task_templates.size(); ++position) {
      const runtime::TaskTemplate& t = task_templates[position];
      const auto taken = tx.exec(kTaskTemplateIdTaken, t.id);
      if (!taken.empty())
        throw StoreError(StoreError::Kind::Conflict,
                         "TaskTemplate " + t.id + " already exists (as " + pg::text(taken[0], 0) +
                             "): TaskTemplate Ids are unique across JobTemplates");
      const TimePoint task_modified = t.last_modified == TimePoint{} ? t.created : t.last_modified;
      tx.exec(kInsertTaskTemplate, t.id, job_template.id, static_cast<int>(position), t.name,
              t.description, t.configuration, t.media_processor_id, t.number_of_input_assets,
              t.number_of_output_assets, t.options, t.created, task_modified);
    }
  });
}

std::optional<runtime::JobTemplate> PgJobStore::find_job_template(const std::string& id) {
  return db_->read([&](Transaction& tx) -> std::optional<runtime::JobTemplate> {
    const auto rows = tx.exec(kSelectJobTemplate, id);
    if (rows.empty()) return std::nullopt;
    runtime::JobTemplate job_template = read_job_template(rows[0]);
    load_task_template_ids(tx, job_template);
    return job_template;
  });
}

std::vector<runtime::JobTemplate> PgJobStore::list_job_templates(Page page) {
  page = clamp(page);
  return db_->read([&](Transaction& tx) {
    auto templates = pg::read_all<runtime::JobTemplate>(
        tx.exec(kListJobTemplates, page.top, page.skip), read_job_template);
    for (auto& job_template : templates) load_task_template_ids(tx, job_template);
    return templates;
  });
}

std::vector<runtime::TaskTemplate> PgJobStore::job_template_task_templates(
    const std::string& job_template_id) {
  return db_->read([&](Transaction& tx) {
    return pg::read_all<runtime::TaskTemplate>(tx.exec(kSelectTaskTemplatesOf, job_template_id),
                                               read_task_template);
  });
}

std::optional<runtime::TaskTemplate> PgJobStore::find_task_template(const std::string& id) {
  return db_->read([&](Transaction& tx) -> std::optional<runtime::TaskTemplate> {
    const auto rows = tx.exec(kSelectTaskTemplate, id);
    if (rows.empty()) return std::nullopt;
    return read_task_template(rows[0]);
  });
}

std::vector<runtime::TaskTemplate> PgJobStore::list_task_templates(Page page) {
  page = clamp(page);
  return db_->read([&](Transaction& tx) {
    return pg::read_all<runtime::TaskTemplate>(tx.exec(kListTaskTemplates, page.top, page.skip),
                                               read_task_template);
  });
}

void PgJobStore::delete_job_template(const std::string& id) {
  db_->write([&](Transaction& tx) {
    if (tx.exec(kDeleteJobTemplate, id).affected_rows() == 0)
      throw StoreError(StoreError::Kind::NotFound, "JobTemplate " + id + " does not exist");
  });
}

}  // namespace mw::store
