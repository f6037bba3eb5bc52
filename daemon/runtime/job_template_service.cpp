// JobService: JobTemplates (validate and persist) and jobs created from them
// (AMS-V2-REFERENCE.md §2 "JobTemplate variant", §3; REFDOC jobtemplate.md, tasktemplate.md).

#include <fmt/format.h>

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <charconv>

#include "daemon/runtime/job_service.hpp"
#include "daemon/runtime/job_template_body.hpp"
#include "daemon/runtime/taskbody.hpp"

namespace mw::runtime {

namespace {

constexpr size_t kMaxTaskTemplates = 30;  // one task per TaskTemplate; AMS: 30 tasks per job
/// JobInputAsset(N) has at most 4 digits (taskbody.cpp), so no template can use more inputs.
constexpr int kMaxInputAssets = 10000;
constexpr size_t kNone = static_cast<size_t>(-1);

/// The index of the item whose `.id` is `id` (GUIDs: compared without regard to case), or kNone.
template <typename T>
size_t index_of_id(const std::vector<T>& items, std::string_view id) {
  const auto it = std::find_if(items.begin(), items.end(), [&](const T& item) {
    return !item.id.empty() && boost::algorithm::iequals(item.id, id);
  });
  return it == items.end() ? kNone : static_cast<size_t>(it - items.begin());
}

/// The would-be job's field "Tasks[i].Configuration" as the template's own
/// ("TaskTemplates[k].Configuration"); the TaskBody and the job-wide task rules are the
/// JobTemplateBody's.
std::string template_field(const std::string& field, const std::vector<size_t>& template_of) {
  if (field == "Tasks") return "JobTemplateBody";
  if (!field.starts_with("Tasks[")) return field;
  const size_t close = field.find(']');
  if (close == std::string::npos) return "JobTemplateBody";
  size_t task = 0;
  const auto [end, ec] = std::from_chars(field.data() + 6, field.data() + close, task);
  if (ec != std::errc() || end != field.data() + close || task >= template_of.size())
    return "JobTemplateBody";
  const std::string property = field.substr(close + 1);
  if (property.empty() || property == ".TaskBody") return "JobTemplateBody";
  return fmt::format("TaskTemplates[{}]{}", template_of[task], property);
}

/// The task a TaskTemplate (or its request) makes with `task_body`.
template <typename Template>
TaskRequest task_request(const Template& t, const std::string& task_body) {
  TaskRequest task;
  task.name = t.name;
  task.configuration = t.configuration;
  task.media_processor_id = t.media_processor_id;
  task.task_body = task_body;
  task.options = t.options;
  return task;
}

/// Checks a TaskTemplate's NumberofInputAssets/NumberofOutputAssets against its taskBody.
void check_count(const std::optional<int>& given, size_t actual, size_t k, std::string_view name,
                 std::string_view element) {
  if (!given || *given == static_cast<int>(actual)) return;
  throw JobRejected(fmt::format("TaskTemplates[{}].{}", k, name),
                    fmt::format("TaskTemplates[{}].{}: {}, but its <taskBody> has {} <{}> "
                                "element(s)",
                                k, name, *given, actual, element));
}

}  // namespace

JobTemplate JobService::create_job_template(const JobTemplateRequest& request, TimePoint now) {
  if (request.template_type == kTemplateTypeSystemLevel)
    throw JobRejected("TemplateType",
                      "TemplateType: SystemLevel 0 is reserved for Media Services; create "
                      "AccountLevel 1 JobTemplates");
  if (request.template_type != kTemplateTypeAccountLevel)
    throw JobRejected("TemplateType", fmt::format("TemplateType: {} is not a TemplateType; use "
                                                  "AccountLevel 1",
                                                  request.template_type));
  const std::vector<TaskTemplateRequest>& given = request.task_templates;
  if (given.empty())
    throw JobRejected("TaskTemplates",
                      "TaskTemplates: a JobTemplate needs at least one TaskTemplate, given inline");
  if (given.size() > kMaxTaskTemplates)
    throw JobRejected(
        "TaskTemplates",
        fmt::format("TaskTemplates: {} TaskTemplates; a job may have at most {} tasks",
                    given.size(), kMaxTaskTemplates));
  for (size_t k = 0; k < given.size(); ++k) {
    const std::string& id = given[k].id;
    if (id.empty()) continue;
    const std::string field = fmt::format("TaskTemplates[{}].Id", k);
    if (!id.starts_with(kTaskTemplateIdPrefix) || id.size() == kTaskTemplateIdPrefix.size())
      throw JobRejected(field, fmt::format("{}: '{}' is not a TaskTemplate Id; use "
                                           "nb:ttid:UUID:<a new GUID>",
                                           field, id));
    if (const size_t other = index_of_id(given, id); other < k)
      throw JobRejected(
          field, fmt::format("{}: '{}' is also the Id of TaskTemplates[{}]", field, id, other));
  }

  // The body: one <taskBody> per TaskTemplate, each naming a different one.
  if (request.job_template_body.empty())
    throw JobRejected("JobTemplateBody",
                      "JobTemplateBody: required (<jobTemplate><taskBody taskTemplateId=...>...)");
  std::vector<TemplateTaskBody> bodies;
  try {
    bodies = parse_job_template_body(request.job_template_body);
  } catch (const JobTemplateBodyError& e) {
    throw JobRejected("JobTemplateBody", fmt::format("JobTemplateBody: {}", e.what()));
  }
  if (bodies.size() != given.size())
    throw JobRejected(
        "JobTemplateBody",
        fmt::format("JobTemplateBody: {} <taskBody> element(s) for {} TaskTemplate(s); "
                    "give one <taskBody> per TaskTemplate",
                    bodies.size(), given.size()));
  std::vector<size_t> template_of(bodies.size());  // taskBody i -> TaskTemplates[k]
  std::vector<size_t> body_of(given.size(), kNone);
  for (size_t i = 0; i < bodies.size(); ++i) {
    const std::string& named = bodies[i].task_template_id;
    size_t k = i;  // a taskBody without the attribute is its position's (Id-less) TaskTemplate
    if (named.empty() && !given[i].id.empty())
      throw JobRejected(
          "JobTemplateBody",
          fmt::format("JobTemplateBody: <taskBody> {} has no taskTemplateId attribute; "
                      "name its TaskTemplate, e.g. taskTemplateId=\"{}\"",
                      i + 1, given[i].id));
    if (!named.empty() && (k = index_of_id(given, named)) == kNone)
      throw JobRejected("JobTemplateBody",
                        fmt::format("JobTemplateBody: <taskBody> {}: taskTemplateId '{}' names no "
                                    "TaskTemplate of the request",
                                    i + 1, named));
    if (body_of[k] != kNone)
      throw JobRejected(
          "JobTemplateBody",
          fmt::format("JobTemplateBody: <taskBody> {} names TaskTemplates[{}], which "
                      "<taskBody> {} names already; each TaskTemplate has one <taskBody>",
                      i + 1, k, body_of[k] + 1));
    body_of[k] = i;
    template_of[i] = k;
  }

  // Each taskBody's inputs and outputs: the TaskTemplates' counts and NumberofInputAssets.
  std::vector<TaskBody> parsed;
  int highest_input = -1;
  for (size_t i = 0; i < bodies.size(); ++i) {
    const size_t k = template_of[i];
    try {
      parsed.push_back(parse_task_body(bodies[i].task_body));
    } catch (const TaskBodyError& e) {
      throw JobRejected("JobTemplateBody",
                        fmt::format("JobTemplateBody: <taskBody> {}: {}", i + 1, e.what()));
    }
    for (const auto& in : parsed.back().inputs)
      if (in.ref == TaskBodyAsset::Ref::JobInputAsset)
        highest_input = std::max(highest_input, in.index);
    check_count(given[k].number_of_input_assets, parsed.back().inputs.size(), k,
                "NumberofInputAssets", "inputAsset");
    check_count(given[k].number_of_output_assets, parsed.back().outputs.size(), k,
                "NumberofOutputAssets", "outputAsset");
  }
  const int inputs = request.number_of_input_assets.value_or(std::max(highest_input + 1, 1));
  if (inputs < 1 || inputs > kMaxInputAssets)
    throw JobRejected(
        "NumberofInputAssets",
        fmt::format("NumberofInputAssets: {}; a JobTemplate takes 1 to {} input assets", inputs,
                    kMaxInputAssets));
  if (highest_input >= inputs)
    throw JobRejected("NumberofInputAssets",
                      fmt::format("NumberofInputAssets: {}, but the JobTemplateBody names "
                                  "JobInputAsset({}) (input assets are numbered from 0)",
                                  inputs, highest_input));

  // The job it would create passes create_job's rules (inputs are placeholders).
  JobRequest would_be;
  would_be.name = request.name;
  for (int n = 0; n < inputs; ++n)
    would_be.input_asset_ids.push_back(fmt::format("JobInputAsset({})", n));
  for (size_t i = 0; i < bodies.size(); ++i) {
    would_be.tasks.push_back(task_request(given[template_of[i]], bodies[i].task_body));
  }
  try {
    (void)plan_job(would_be, now);
  } catch (const JobRejected& e) {
    throw JobRejected(template_field(e.field(), template_of), e.what());
  }

  // The template and its TaskTemplates, in taskBody order, with the Ids generated where absent.
  JobTemplate job_template;
  job_template.id = new_id(kJobTemplateIdPrefix);
  job_template.name = request.name;
  job_template.created = job_template.last_modified = now;
  job_template.number_of_input_assets = inputs;
  job_template.template_type = request.template_type;
  std::vector<TaskTemplate> task_templates;
  bool generated = false;
  for (size_t i = 0; i < bodies.size(); ++i) {
    const TaskTemplateRequest& r = given[template_of[i]];
    TaskTemplate t;
    t.id = r.id.empty() ? new_id(kTaskTemplateIdPrefix) : r.id;
    generated = generated || r.id.empty();
    t.job_template_id = job_template.id;
    t.position = static_cast<int>(i);
    t.name = r.name;
    t.description = r.description;
    t.configuration = r.configuration;
    t.media_processor_id = r.media_processor_id;
    t.number_of_input_assets = static_cast<int>(parsed[i].inputs.size());
    t.number_of_output_assets = static_cast<int>(parsed[i].outputs.size());
    t.options = r.options;
    t.created = t.last_modified = now;
    job_template.task_template_ids.push_back(t.id);
    task_templates.push_back(std::move(t));
  }
  job_template.job_template_body =
      generated ? with_task_template_ids(request.job_template_body, job_template.task_template_ids)
                : request.job_template_body;
  store_.create_job_template(job_template, task_templates);
  return job_template;
}

JobRequest JobService::with_template_tasks(const JobRequest& request) const {
  const std::string& id = request.template_id;
  if (!request.tasks.empty())
    throw JobRejected("TemplateId",
                      "TemplateId: give either TemplateId or Tasks, not both; a job created from a "
                      "JobTemplate takes its tasks from the template's TaskTemplates");
  const auto job_template = store_.find_job_template(id);
  if (!job_template)
    throw JobRejected("TemplateId", fmt::format("TemplateId: JobTemplate '{}' was not found", id),
                      true);
  if (request.input_asset_ids.size() != static_cast<size_t>(job_template->number_of_input_assets))
    throw JobRejected(
        "InputMediaAssets",
        fmt::format("InputMediaAssets: JobTemplate '{}' takes {} input asset(s) (its "
                    "NumberofInputAssets); the request gives {}",
                    id, job_template->number_of_input_assets, request.input_asset_ids.size()));
  const std::vector<TaskTemplate> task_templates = store_.job_template_task_templates(id);
  std::vector<TemplateTaskBody> bodies;
  try {
    bodies = parse_job_template_body(job_template->job_template_body);
  } catch (const JobTemplateBodyError& e) {
    throw JobRejected("TemplateId", fmt::format("TemplateId: the JobTemplateBody of JobTemplate "
                                                "'{}' cannot be used: {}",
                                                id, e.what()));
  }
  JobRequest out = request;
  for (size_t i = 0; i < bodies.size(); ++i) {
    const std::string& named = bodies[i].task_template_id;
    const size_t k = named.empty() ? i : index_of_id(task_templates, named);
    if (k >= task_templates.size())
      throw JobRejected("TemplateId", fmt::format("TemplateId: <taskBody> {} of JobTemplate '{}' "
                                                  "names TaskTemplate '{}', which it does not have",
                                                  i + 1, id, named));
    out.tasks.push_back(task_request(task_templates[k], bodies[i].task_body));
  }
  return out;
}

}  // namespace mw::runtime
