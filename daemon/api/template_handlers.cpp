// JobTemplates and TaskTemplates (AMS-V2-REFERENCE.md §3; REFDOC jobtemplate.md,
// tasktemplate.md): a JobTemplate is created with its TaskTemplates inline, read, listed and
// deleted, never updated; TaskTemplates are only read.

#include <fmt/format.h>

#include "daemon/api/api_error.hpp"
#include "daemon/api/handlers.hpp"
#include "daemon/api/request_body.hpp"
#include "daemon/api/template_body.hpp"

namespace mw::api {

namespace {

runtime::JobTemplate find_job_template(const Services& s, const std::string& id) {
  auto job_template = s.store.find_job_template(id);
  if (!job_template) throw not_found("JobTemplate", id);
  return std::move(*job_template);
}

Response task_template_collection(const Request& r,
                                  const std::vector<runtime::TaskTemplate>& items) {
  return json_response(r.odata, serialise_collection(r.odata, kTaskTemplates, items,
                                                     [&](const runtime::TaskTemplate& t) {
                                                       return task_template_entity(r.odata, t);
                                                     }));
}

Response create_job_template(const Services& s, const Request& r) {
  const runtime::JobTemplate created = s.jobs.create_job_template(
      parse_job_template_request(parse_json_object(r.body)), runtime::Clock::now());
  return created_response(
      r.odata, entity_uri(r.odata, kJobTemplates, created.id),
      entity_document(r.odata, kJobTemplates, job_template_entity(r.odata, created)));
}

}  // namespace

Response handle_job_templates(const Services& s, const Request& r) {
  const Target& t = r.target;
  if (!t.key) {
    if (!t.property.empty())
      throw bad_request(
          fmt::format("JobTemplates/{}: a JobTemplate Id is required, as "
                      "JobTemplates('<Id>')/{}",
                      t.property, t.property));
    switch (r.method) {
      case http::verb::get: {
        check_query_options(t, {"$top", "$skip"});
        const auto templates = s.store.list_job_templates(page_of(t));
        return json_response(r.odata, serialise_collection(r.odata, kJobTemplates, templates,
                                                           [&](const runtime::JobTemplate& j) {
                                                             return job_template_entity(r.odata, j);
                                                           }));
      }
      case http::verb::post:
        return create_job_template(s, r);
      default:
        return method_not_allowed(r.method, "GET, POST");
    }
  }
  const std::string& id = *t.key;
  if (!t.property.empty()) {
    if (t.property != "TaskTemplates") unknown_property(t);
    if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
    check_query_options(t, {"$top", "$skip"});
    find_job_template(s, id);  // 404 for an unknown template rather than an empty list
    return task_template_collection(
        r, page_slice(s.store.job_template_task_templates(id), page_of(t)));
  }
  switch (r.method) {
    case http::verb::get:
      check_query_options(t, {});
      return json_response(r.odata,
                           entity_document(r.odata, kJobTemplates,
                                           job_template_entity(r.odata, find_job_template(s, id))));
    case http::verb::delete_:
      find_job_template(s, id);  // the AMS 404 text for an unknown template
      s.store.delete_job_template(id);
      return no_content();
    case http::verb::merge:
    case http::verb::patch:
    case http::verb::put:
      find_job_template(s, id);
      throw bad_request(
          "JobTemplates cannot be updated: create a new JobTemplate (and delete this one)");
    default:
      return method_not_allowed(r.method, "GET, DELETE");
  }
}

Response handle_task_templates(const Services& s, const Request& r) {
  const Target& t = r.target;
  if (r.method == http::verb::post && !t.key && t.property.empty()) {
    // AMS has no standalone create (REFDOC tasktemplate.md: "TaskTemplates are created by
    // creating a JobTemplate").
    Response refused = error_response(
        http::status::method_not_allowed, "",
        "TaskTemplates are created only with their JobTemplate: POST /api/JobTemplates with the "
        "TaskTemplates inline");
    refused.headers.emplace_back("Allow", "GET");
    return refused;
  }
  if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
  if (!t.property.empty()) unknown_property(t);
  if (!t.key) {
    check_query_options(t, {"$top", "$skip"});
    return task_template_collection(r, s.store.list_task_templates(page_of(t)));
  }
  check_query_options(t, {});
  const auto task_template = s.store.find_task_template(*t.key);
  if (!task_template) throw not_found("TaskTemplate", *t.key);
  return json_response(r.odata, entity_document(r.odata, kTaskTemplates,
                                                task_template_entity(r.odata, *task_template)));
}

}  // namespace mw::api
