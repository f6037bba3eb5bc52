// Jobs, Tasks and CancelJob (AMS-V2-REFERENCE.md §1, §3; AMS-V2-JOB-PAGE.md).

#include <fmt/format.h>

#include "daemon/api/api_error.hpp"
#include "daemon/api/handlers.hpp"
#include "daemon/api/request_body.hpp"

namespace mw::api {

namespace {

runtime::Job find_job(const Services& s, const std::string& id) {
  auto job = s.store.find_job(id);
  if (!job) throw not_found("Job", id);
  return std::move(*job);
}

runtime::Task find_task(const Services& s, const std::string& id) {
  auto task = s.store.find_task(id);
  if (!task) throw not_found("Task", id);
  return std::move(*task);
}

Response asset_collection(const Services& s, const Request& r,
                          const std::vector<std::string>& ids) {
  check_query_options(r.target, {"$top", "$skip"});
  return json_response(
      r.odata, serialise_collection(
                   r.odata, kAssets, page_slice(assets_by_id(s.store, ids), page_of(r.target)),
                   [&](const runtime::Asset& a) { return asset_entity(r.odata, a, s.storage); }));
}

Response task_collection(const Request& r, std::vector<runtime::Task> tasks) {
  return json_response(r.odata,
                       serialise_collection(r.odata, kTasks, tasks, [&](const runtime::Task& t) {
                         return task_entity(r.odata, t);
                       }));
}

Response job_document(const Request& r, const runtime::Job& job) {
  return json_response(r.odata, entity_document(r.odata, kJobs, job_entity(r.odata, job)));
}

Response create_job(const Services& s, const Request& r) {
  const runtime::JobRequest job_request = parse_job_request(parse_json_object(r.body));
  const store::NewJob created = s.jobs.create_job(job_request, runtime::Clock::now());
  return created_response(r.odata, entity_uri(r.odata, kJobs, created.job.id),
                          entity_document(r.odata, kJobs, job_entity(r.odata, created.job)));
}

// MERGE Jobs('id'): AMS lets only Priority change after creation.
Response update_job(const Services& s, const Request& r, const std::string& id) {
  const std::optional<int> priority = parse_job_update(parse_json_object(r.body));
  const runtime::Job job = find_job(s, id);
  if (!priority || *priority == job.priority) return no_content();
  // store::JobStore has no operation that changes a job's Priority yet: refuse rather than
  // pretend (501), until it has one.
  throw ApiError(http::status::not_implemented,
                 fmt::format("Priority: changing the Priority of job '{}' after creation is not "
                             "supported by this service yet",
                             id));
}

Response job_property(const Services& s, const Request& r, const std::string& id) {
  if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
  const std::string& property = r.target.property;
  if (property == "State") {
    check_query_options(r.target, {});
    return json_response(r.odata, property_document(r.odata, "State", "Edm.Int32",
                                                    static_cast<int>(find_job(s, id).state)));
  }
  if (property == "Tasks") {
    check_query_options(r.target, {"$top", "$skip"});
    find_job(s, id);  // 404 for an unknown job rather than an empty list
    return task_collection(r, page_slice(s.store.job_tasks(id), page_of(r.target)));
  }
  if (property == "InputMediaAssets")
    return asset_collection(s, r, find_job(s, id).input_asset_ids);
  if (property == "OutputMediaAssets")
    return asset_collection(s, r, find_job(s, id).output_asset_ids);
  unknown_property(r.target);
}

}  // namespace

Response handle_jobs(const Services& s, const Request& r) {
  const Target& t = r.target;
  if (!t.key) {
    if (!t.property.empty())
      throw bad_request(
          fmt::format("Jobs/{}: a Job Id is required, as Jobs('<Id>')/{}", t.property, t.property));
    switch (r.method) {
      case http::verb::get: {
        check_query_options(t, {"$top", "$skip"});
        const auto jobs = s.store.list_jobs(page_of(t));
        return json_response(r.odata,
                             serialise_collection(r.odata, kJobs, jobs, [&](const runtime::Job& j) {
                               return job_entity(r.odata, j);
                             }));
      }
      case http::verb::post:
        return create_job(s, r);
      default:
        return method_not_allowed(r.method, "GET, POST");
    }
  }
  const std::string& id = *t.key;
  if (!t.property.empty()) return job_property(s, r, id);
  switch (r.method) {
    case http::verb::get:
      check_query_options(t, {});
      return job_document(r, find_job(s, id));
    case http::verb::delete_:
      s.jobs.delete_job(id);
      return no_content();
    case http::verb::merge:
    case http::verb::patch:
      return update_job(s, r, id);
    default:
      return method_not_allowed(r.method, "GET, DELETE, MERGE");
  }
}

Response handle_tasks(const Services& s, const Request& r) {
  const Target& t = r.target;
  if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
  if (!t.key) {
    if (!t.property.empty()) unknown_property(t);
    check_query_options(t, {"$top", "$skip"});
    return task_collection(r, s.store.list_tasks(page_of(t)));
  }
  const runtime::Task task = find_task(s, *t.key);
  if (t.property.empty()) {
    check_query_options(t, {});
    return json_response(r.odata, entity_document(r.odata, kTasks, task_entity(r.odata, task)));
  }
  if (t.property == "InputMediaAssets") return asset_collection(s, r, task.input_asset_ids);
  if (t.property == "OutputMediaAssets") return asset_collection(s, r, task.output_asset_ids);
  unknown_property(t);
}

Response handle_cancel_job(const Services& s, const Request& r) {
  if (r.method != http::verb::get && r.method != http::verb::post)
    return method_not_allowed(r.method, "GET, POST");
  if (r.target.key || !r.target.property.empty())
    throw bad_request("CancelJob takes the job's Id as an argument: CancelJob?jobid='<Id>'");
  s.jobs.cancel_job(function_argument(r.target, "jobid"), runtime::Clock::now());
  return no_content();
}

}  // namespace mw::api
