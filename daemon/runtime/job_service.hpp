#pragma once
// The job operations behind the REST API: create (validate the request, resolve every task's
// TaskBody and Configuration, persist the job with its output assets), cancel and delete.
// Nothing is persisted when validation fails.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/runtime/storage.hpp"
#include "daemon/store/job_store.hpp"
#include "daemon/runtime/preset_catalog.hpp"

namespace mw::runtime {

/// A task as the client sends it (AMS Task properties).
struct TaskRequest {
  std::string name;
  std::string configuration;
  std::string media_processor_id;
  std::string task_body;
  int options = 0;
  int priority = 0;
  std::vector<NotificationSubscription> notification_subscriptions;  ///< TaskNotificationSubscriptions
  /// RequiredWorkerTags (a mediaworker extension): only a worker with every one of these
  /// worker.tags claims the task (docs/farm.md)
  std::vector<std::string> required_worker_tags;
};

/// A job as the client sends it (AMS Job properties; InputMediaAssets as asset Ids).
struct JobRequest {
  std::string name;
  int priority = 0;
  std::vector<std::string> input_asset_ids;
  std::vector<TaskRequest> tasks;
  std::string template_id;  ///< TemplateId: the tasks come from this JobTemplate ("" for none)
  std::vector<NotificationSubscription> notification_subscriptions;  ///< JobNotificationSubscriptions
};

/// A TaskTemplate as the client sends it inline in a JobTemplate (AMS TaskTemplate properties).
struct TaskTemplateRequest {
  std::string id;  ///< nb:ttid:UUID:<guid>, chosen by the client; "" to have one generated
  std::string name;
  std::string description;
  std::string configuration;
  std::string media_processor_id;
  std::optional<int> number_of_input_assets;   ///< absent: counted from its <taskBody>
  std::optional<int> number_of_output_assets;  ///< absent: counted from its <taskBody>
  int options = 0;
};

/// POST /api/JobTemplates as the client sends it (AMS JobTemplate properties).
struct JobTemplateRequest {
  std::string name;
  std::string job_template_body;  ///< JobTemplateBody XML (job_template_body.hpp)
  std::optional<int> number_of_input_assets;  ///< absent: 1 + the highest JobInputAsset(N) used
  int template_type = kTemplateTypeAccountLevel;
  std::vector<TaskTemplateRequest> task_templates;
};

/// A request that cannot be accepted (HTTP 400, or 404 for an unknown asset). `field` names
/// the property at fault, e.g. "Tasks[1].TaskBody"; the message says which task and element.
class JobRejected : public std::runtime_error {
 public:
  JobRejected(std::string field, const std::string& message, bool not_found = false)
      : std::runtime_error(message), field_(std::move(field)), not_found_(not_found) {}
  const std::string& field() const { return field_; }
  bool not_found() const { return not_found_; }

 private:
  std::string field_;
  bool not_found_;
};

/// Notified with a job's Id: after creation (idle workers of this process look for work at once)
/// and after cancellation (a worker of this process stops at once; others learn it at their
/// next lease renewal).
using JobListener = std::function<void(const std::string& job_id)>;
using CancelListener = JobListener;

class JobService {
 public:
  /// `presets`: each Configuration is checked against the library in force at creation.
  JobService(store::JobStore& store, const Storage& storage, const PresetCatalog& presets);

  /// Validates and persists a job. Rules (AMS-V2-REFERENCE.md §2, §3): 1 to 30 tasks; each
  /// MediaProcessorId a known processor; TaskBody well-formed (utf-8 or utf-16 declaration;
  /// attributes camelCase or PascalCase), only <inputAsset>/<outputAsset> elements, at least one
  /// of each; JobInputAsset(N) within InputMediaAssets; every JobOutputAsset(N) produced by
  /// exactly one task and numbered without gaps; no cycles; every Configuration resolves to a
  /// preset (a Windows Azure Media Packager task's: parse_packager_configuration, and one input
  /// asset); every input asset exists and has a primary file (IsPrimary, or its only file).
  /// Output assets are named by assetName, else "JobOutputAsset(N)_<Job.Name or Job.Id>".
  ///
  /// With a TemplateId the request gives no Tasks: they come from the JobTemplate's taskBodies
  /// in order, each with its TaskTemplate's Name, Configuration, MediaProcessorId and Options
  /// and the <taskBody> (without taskTemplateId) as TaskBody; InputMediaAssets must number the
  /// template's NumberofInputAssets; Job.TemplateId keeps the template's Id.
  /// @throws JobRejected (TemplateId with Tasks; TemplateId unknown: not_found)
  store::NewJob create_job(const JobRequest& request, TimePoint now);

  /// Validates and persists a JobTemplate with its TaskTemplates (AMS-V2-REFERENCE.md §2, §3;
  /// REFDOC jobtemplate.md, tasktemplate.md): TemplateType AccountLevel 1 (SystemLevel 0 is
  /// reserved); 1 to 30 TaskTemplates with distinct nb:ttid:UUID: Ids (generated when absent,
  /// and then written into the taskBody at the TaskTemplate's position); JobTemplateBody
  /// well-formed with one <taskBody> per TaskTemplate, each naming a different TaskTemplate of
  /// the request by taskTemplateId; NumberofInputAssets >= 1 and above every JobInputAsset(N)
  /// used; a TaskTemplate's NumberofInputAssets/NumberofOutputAssets, when given, equal to its
  /// taskBody's <inputAsset>/<outputAsset> counts; and the job it would create passes every
  /// create_job rule (processor, TaskBody, Configuration, outputs, no cycle) with the fields
  /// named as the template's (TaskTemplates[k].Configuration, JobTemplateBody, ...).
  /// Returns the template with its task_template_ids in taskBody order (the TaskTemplates are
  /// stored in that order).
  /// @throws JobRejected; store::StoreError Conflict when a TaskTemplate Id is taken
  JobTemplate create_job_template(const JobTemplateRequest& request, TimePoint now);
  /// create_job in two steps, for several jobs created together (a $batch changeset): the
  /// validation and the NewJob (fresh Ids, output assets), persisting nothing...
  /// @throws JobRejected (the rules of create_job)
  store::NewJob prepare_job(const JobRequest& request, TimePoint now);
  /// ...then every prepared job in one store transaction: all of them or none.
  /// @throws JobRejected 404 when an input asset vanished meanwhile, store::StoreError
  void persist_jobs(const std::vector<store::NewJob>& jobs);

  /// CancelJob. @throws store::StoreError NotFound / InvalidState
  void cancel_job(const std::string& job_id, TimePoint now);
  /// DELETE Jobs('id'). @throws store::StoreError NotFound / InvalidState
  void delete_job(const std::string& job_id);

  void set_cancel_listener(CancelListener listener) { cancel_listener_ = std::move(listener); }
  void set_created_listener(JobListener listener) { created_listener_ = std::move(listener); }

 private:
  /// The job a valid request creates, without checking or persisting its input assets.
  /// @throws JobRejected
  store::NewJob plan_job(const JobRequest& request, TimePoint now) const;
  /// Every input asset exists and has a primary file. @throws JobRejected
  void check_input_assets(const std::vector<std::string>& input_asset_ids) const;
  /// The request with its tasks taken from its TemplateId's JobTemplate. @throws JobRejected
  JobRequest with_template_tasks(const JobRequest& request) const;

  store::JobStore& store_;
  const Storage& storage_;
  const PresetCatalog& presets_;
  CancelListener cancel_listener_;
  JobListener created_listener_;
};

}  // namespace mw::runtime
