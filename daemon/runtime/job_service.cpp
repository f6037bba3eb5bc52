#include "daemon/runtime/job_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <system_error>

#include "daemon/config/config.hpp"
#include "daemon/runtime/capabilities.hpp"
#include "daemon/runtime/packager_configuration.hpp"
#include "daemon/runtime/taskbody.hpp"
#include "presets/preset_error.hpp"

namespace mw::runtime {

namespace {

constexpr size_t kMaxTasks = 30;  // AMS quota: 30 chained tasks per job (fixed)
/// AMS v2 Task.Configuration: "Max length 100000" (AMS-V2-REFERENCE.md, the Task entity), in
/// characters.
constexpr size_t kMaxConfigurationChars = 100000;

/// Characters (Unicode code points) of UTF-8 text: the bytes that do not continue a sequence.
size_t utf8_chars(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string task_label(size_t i, const TaskRequest& t) {
  return t.name.empty() ? fmt::format("task {}", i) : fmt::format("task {} ('{}')", i, t.name);
}

std::string processor_names() {
  std::string out;
  for (const auto& p : media_processors()) out += (out.empty() ? "" : ", ") + fmt::format("{} ({})", p.id, p.name);
  return out;
}

// Depth-first search for a cycle in "task a feeds task b" edges; returns the cycle as
// "task 0 -> task 1 -> task 0", or "" when there is none.
std::string find_cycle(const std::vector<std::set<size_t>>& feeds) {
  enum Mark { White, Grey, Black };
  std::vector<Mark> mark(feeds.size(), White);
  std::vector<size_t> path;
  std::string cycle;
  std::function<bool(size_t)> visit = [&](size_t t) {
    mark[t] = Grey;
    path.push_back(t);
    for (size_t next : feeds[t]) {
      if (mark[next] == Grey) {
        auto it = std::find(path.begin(), path.end(), next);
        for (; it != path.end(); ++it) cycle += fmt::format("task {} -> ", *it);
        cycle += fmt::format("task {}", next);
        return true;
      }
      if (mark[next] == White && visit(next)) return true;
    }
    path.pop_back();
    mark[t] = Black;
    return false;
  };
  for (size_t t = 0; t < feeds.size(); ++t)
    if (mark[t] == White && visit(t)) return cycle;
  return "";
}

}  // namespace

JobService::JobService(store::JobStore& store, const Storage& storage, const PresetCatalog& presets)
    : store_(store), storage_(storage), presets_(presets) {}

store::NewJob JobService::create_job(const JobRequest& request, TimePoint now) {
  store::NewJob job = prepare_job(request, now);
  persist_jobs({job});
  return job;
}

store::NewJob JobService::prepare_job(const JobRequest& given, TimePoint now) {
  std::optional<JobRequest> from_template;
  if (!given.template_id.empty()) from_template = with_template_tasks(given);
  const JobRequest& request = from_template ? *from_template : given;
  store::NewJob out = plan_job(request, now);
  check_input_assets(request.input_asset_ids);
  return out;
}

store::NewJob JobService::plan_job(const JobRequest& request, TimePoint now) const {
  if (request.tasks.empty()) throw JobRejected("Tasks", "a job needs at least one task");
  if (request.tasks.size() > kMaxTasks)
    throw JobRejected("Tasks", fmt::format("{} tasks: a job may have at most {} tasks", request.tasks.size(), kMaxTasks));
  if (request.input_asset_ids.empty()) throw JobRejected("InputMediaAssets", "a job needs at least one input asset");
  if (request.name.size() > 4000) throw JobRejected("Name", "Name is longer than 4000 characters");

  // Every task: processor, TaskBody, Configuration.
  const auto library = presets_.current();
  std::vector<TaskBody> bodies;
  std::vector<TaskRequirements> requirements;
  for (size_t i = 0; i < request.tasks.size(); ++i) {
    const TaskRequest& t = request.tasks[i];
    const std::string field = fmt::format("Tasks[{}]", i);
    if (find_media_processor(t.media_processor_id) == nullptr)
      throw JobRejected(field + ".MediaProcessorId",
                        fmt::format("{}: unknown MediaProcessorId '{}'; this service runs {}", task_label(i, t),
                                    t.media_processor_id, processor_names()));
    try {
      bodies.push_back(parse_task_body(t.task_body));
    } catch (const TaskBodyError& e) {
      throw JobRejected(field + ".TaskBody", fmt::format("{}: TaskBody: {}", task_label(i, t), e.what()));
    }
    const bool packager = is_media_packager(t.media_processor_id);
    if (t.configuration.empty())
      throw JobRejected(field + ".Configuration",
                        fmt::format("{}: Configuration is empty: name {}", task_label(i, t),
                                    packager ? "a packaging format such as 'HLS' (docs/packager.md)"
                                             : "a preset such as 'H264 Single Bitrate 720p'"));
    if (const size_t chars = utf8_chars(t.configuration); chars > kMaxConfigurationChars)
      throw JobRejected(field + ".Configuration",
                        fmt::format("{}: Configuration is {} characters long; AMS allows at most {}",
                                    task_label(i, t), chars, kMaxConfigurationChars));
    for (const auto& tag : t.required_worker_tags)
      if (!config::valid_worker_tag(tag))
        throw JobRejected(field + ".RequiredWorkerTags",
                          fmt::format("{}: RequiredWorkerTags: '{}' is not a worker tag (1-64 characters of "
                                      "A-Z a-z 0-9 . _ -)",
                                      task_label(i, t), tag));
    try {
      if (packager) {
        (void)parse_packager_configuration(t.configuration);
        requirements.push_back(requirements_of(nullptr, t.required_worker_tags));
      } else {
        const presets::Preset preset = library->resolve(t.configuration);
        requirements.push_back(requirements_of(&preset, t.required_worker_tags));
      }
    } catch (const presets::PresetError& e) {
      throw JobRejected(field + ".Configuration", fmt::format("{}: Configuration: {}", task_label(i, t), e.what()));
    } catch (const PackagerConfigurationError& e) {
      throw JobRejected(field + ".Configuration", fmt::format("{}: Configuration: {}", task_label(i, t), e.what()));
    }
    if (packager && bodies.back().inputs.size() != 1)
      throw JobRejected(field + ".TaskBody",
                        fmt::format("{}: the Windows Azure Media Packager packages one asset; the TaskBody names {} "
                                    "input assets",
                                    task_label(i, t), bodies.back().inputs.size()));
  }

  // Asset bindings: inputs in range, each output produced by exactly one task, no gaps, no cycles.
  std::map<int, size_t> producer;
  for (size_t i = 0; i < bodies.size(); ++i)
    for (const auto& out : bodies[i].outputs) {
      auto [it, inserted] = producer.emplace(out.index, i);
      if (!inserted)
        throw JobRejected(fmt::format("Tasks[{}].TaskBody", i),
                          fmt::format("{}: JobOutputAsset({}) is already the output of {}; an output asset may "
                                      "be produced by one task only",
                                      task_label(i, request.tasks[i]), out.index, task_label(it->second, request.tasks[it->second])));
    }
  const int output_count = producer.empty() ? 0 : producer.rbegin()->first + 1;
  for (int n = 0; n < output_count; ++n)
    if (!producer.count(n))
      throw JobRejected("Tasks", fmt::format("JobOutputAsset({}) is not produced by any task (outputs are numbered "
                                             "from 0 without gaps; the highest is JobOutputAsset({}))",
                                             n, output_count - 1));
  std::vector<std::set<size_t>> feeds(bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i)
    for (size_t k = 0; k < bodies[i].inputs.size(); ++k) {
      const TaskBodyAsset& in = bodies[i].inputs[k];
      const std::string field = fmt::format("Tasks[{}].TaskBody", i);
      if (in.ref == TaskBodyAsset::Ref::JobInputAsset) {
        if (in.index >= static_cast<int>(request.input_asset_ids.size()))
          throw JobRejected(field, fmt::format("{}: <inputAsset> {} names JobInputAsset({}) but the job has {} "
                                               "InputMediaAssets",
                                               task_label(i, request.tasks[i]), k + 1, in.index,
                                               request.input_asset_ids.size()));
      } else {
        const auto it = producer.find(in.index);
        if (it == producer.end())
          throw JobRejected(field, fmt::format("{}: <inputAsset> {} names JobOutputAsset({}), which no task produces",
                                               task_label(i, request.tasks[i]), k + 1, in.index));
        if (it->second == i)
          throw JobRejected(field, fmt::format("{}: <inputAsset> {} names JobOutputAsset({}), its own output",
                                               task_label(i, request.tasks[i]), k + 1, in.index));
        feeds[it->second].insert(i);
      }
    }
  if (const std::string cycle = find_cycle(feeds); !cycle.empty())
    throw JobRejected("Tasks", "the tasks form a cycle: " + cycle);

  // Notification subscriptions name existing endpoints (AMS-V2-REFERENCE.md §6).
  const auto check_endpoints = [&](const std::vector<NotificationSubscription>& subscriptions,
                                   const std::string& field) {
    for (size_t i = 0; i < subscriptions.size(); ++i) {
      const std::string& id = subscriptions[i].notification_endpoint_id;
      if (!store_.find_notification_endpoint(id))
        throw JobRejected(fmt::format("{}[{}].NotificationEndPointId", field, i),
                          fmt::format("{}[{}].NotificationEndPointId: NotificationEndPoint '{}' "
                                      "does not exist (create it with POST /api/NotificationEndPoints)",
                                      field, i, id));
    }
  };
  check_endpoints(request.notification_subscriptions, "JobNotificationSubscriptions");
  for (size_t i = 0; i < request.tasks.size(); ++i)
    check_endpoints(request.tasks[i].notification_subscriptions,
                    fmt::format("Tasks[{}].TaskNotificationSubscriptions", i));

  // The job, its output assets and tasks.
  store::NewJob out;
  Job& job = out.job;
  job.id = new_id(kJobIdPrefix);
  job.name = request.name;
  job.priority = request.priority;
  job.template_id = request.template_id;
  job.created = job.last_modified = now;
  job.input_asset_ids = request.input_asset_ids;
  job.notification_subscriptions = request.notification_subscriptions;
  for (int n = 0; n < output_count; ++n) {
    const TaskBody& body = bodies[producer[n]];
    const TaskBodyAsset* decl = nullptr;
    for (const auto& o : body.outputs)
      if (o.index == n) decl = &o;
    Asset asset;
    asset.id = new_id(kAssetIdPrefix);
    asset.name = decl && !decl->asset_name.empty()
                     ? decl->asset_name
                     : fmt::format("JobOutputAsset({})_{}", n, job.name.empty() ? job.id : job.name);
    asset.options = decl ? decl->asset_creation_options : 0;
    asset.format_option = decl ? decl->asset_format_option : 0;
    asset.storage_account_name = decl ? decl->storage_account_name : "";
    asset.created = asset.last_modified = now;
    job.output_asset_ids.push_back(asset.id);
    out.output_assets.push_back(std::move(asset));
  }
  for (size_t i = 0; i < request.tasks.size(); ++i) {
    const TaskRequest& r = request.tasks[i];
    Task t;
    t.id = new_id(kTaskIdPrefix);
    t.job_id = job.id;
    t.position = static_cast<int>(i);
    t.name = r.name;
    t.configuration = r.configuration;
    t.media_processor_id = r.media_processor_id;
    t.task_body = r.task_body;
    t.options = r.options;
    t.priority = r.priority;
    t.notification_subscriptions = r.notification_subscriptions;
    t.requirements = requirements[i];
    for (const auto& in : bodies[i].inputs)
      t.input_asset_ids.push_back(in.ref == TaskBodyAsset::Ref::JobInputAsset
                                      ? request.input_asset_ids[static_cast<size_t>(in.index)]
                                      : job.output_asset_ids[static_cast<size_t>(in.index)]);
    for (const auto& o : bodies[i].outputs) t.output_asset_ids.push_back(job.output_asset_ids[static_cast<size_t>(o.index)]);
    out.tasks.push_back(std::move(t));
  }
  return out;
}

void JobService::persist_jobs(const std::vector<store::NewJob>& jobs) {
  try {
    if (jobs.size() == 1)
      store_.create_job(jobs.front());
    else
      store_.create_jobs(jobs);
  } catch (const store::StoreError& e) {
    if (e.kind() == store::StoreError::Kind::NotFound) throw JobRejected("InputMediaAssets", e.what(), true);
    throw;
  }
  // The output assets' folders are made by the worker that writes them (Storage::asset_dir is
  // where they will be): a mkdir per job here cost a third of the creation rate on ext4.
  if (created_listener_)
    for (const auto& job : jobs) created_listener_(job.job.id);
}

void JobService::check_input_assets(const std::vector<std::string>& input_asset_ids) const {
  for (size_t k = 0; k < input_asset_ids.size(); ++k) {
    const std::string& id = input_asset_ids[k];
    const std::string field = fmt::format("InputMediaAssets[{}]", k);
    if (!store_.find_asset(id)) throw JobRejected(field, fmt::format("Asset '{}' not found", id), true);
    const auto files = store_.asset_files(id);
    const auto primaries = std::count_if(files.begin(), files.end(), [](const AssetFile& f) { return f.is_primary; });
    if (files.empty())
      throw JobRejected(field, fmt::format("Asset '{}' has no files: upload its media first", id));
    if (primaries == 0 && files.size() > 1)
      throw JobRejected(field, fmt::format("the primary file of Asset '{}' cannot be determined: it has {} files and "
                                           "none is IsPrimary",
                                           id, files.size()));
  }
}

void JobService::cancel_job(const std::string& job_id, TimePoint now) {
  store_.cancel_job(job_id, now);
  if (cancel_listener_) cancel_listener_(job_id);
}

void JobService::delete_job(const std::string& job_id) { store_.delete_job(job_id); }

}  // namespace mw::runtime
