#include "daemon/api/router.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <string_view>

#include "daemon/api/api_error.hpp"
#include "daemon/api/atom.hpp"
#include "daemon/api/batch.hpp"
#include "daemon/api/uri.hpp"

namespace mw::api {

namespace {

using Handler = Response (*)(const Services&, const Request&);

struct Route {
  std::string_view set;
  Handler handler;
};

constexpr Route kRoutes[] = {
    {"Jobs", handle_jobs},
    {"Tasks", handle_tasks},
    {"Assets", handle_assets},
    {"Files", handle_files},
    {"MediaProcessors", handle_media_processors},
    {"Workers", handle_workers},
    {"NotificationEndPoints", handle_notification_endpoints},
    {"JobTemplates", handle_job_templates},
    {"TaskTemplates", handle_task_templates},
    {"CancelJob", handle_cancel_job},
    {"CreateFileInfos", handle_create_file_infos},
};

http::status store_status(store::StoreError::Kind kind) {
  switch (kind) {
    case store::StoreError::Kind::NotFound:
      return http::status::not_found;
    case store::StoreError::Kind::Conflict:
      return http::status::conflict;
    case store::StoreError::Kind::InvalidState:
      return http::status::bad_request;
    case store::StoreError::Kind::Unavailable:
      return http::status::service_unavailable;
  }
  return http::status::internal_server_error;
}

Response route_to_handler(const Services& services, const Request& request) {
  for (const Route& route : kRoutes)
    if (route.set == request.target.set) return route.handler(services, request);
  throw ApiError(http::status::not_found,
                 fmt::format("Resource not found for the segment '{}'.", request.target.set));
}

// The request's path below the service root, as a feed's id and self link name it:
// "Jobs", "Jobs('nb%3Ajid%3AUUID%3A...')/Tasks".
std::string resource_path(const Target& target) {
  std::string path = target.set;
  if (target.key) path += fmt::format("('{}')", percent_encode(*target.key));
  if (!target.property.empty()) path += "/" + target.property;
  return path;
}

}  // namespace

Response Router::handle(const Request& request) const noexcept {
  // A $batch envelope is multipart; its parts come back here one by one (Atom or JSON each).
  if (request.target.set == "$batch") {
    try {
      return handle_batch(services_, *this, request);
    } catch (...) {
      count_store_failure();
      return current_exception_response();
    }
  }
  const bool atom_answer = atom::accepts_atom(request.accept);
  Response response;
  try {
    response = dispatch(request, atom_answer);
  } catch (...) {
    count_store_failure();
    response = current_exception_response();
  }
  if (atom_answer) {
    try {
      atom::write_response(response, request.odata, resource_path(request.target));
    } catch (...) {
      // resource_path ran out of memory: the answer stays JSON.
    }
  }
  return response;
}

Response Router::dispatch(const Request& request, bool atom_answer) const {
  const bool atom_body = !request.body.empty() && atom::is_atom_content_type(request.content_type);
  if (!atom_answer && !atom_body) return route_to_handler(services_, request);
  // Atom is translated at this edge: the handlers read verbose JSON and answer it.
  Request json = request;
  if (atom_answer) json.odata.format = Format::Verbose;
  if (atom_body) {
    json.body = dump_json(atom::read_entry(request.body));
    json.content_type = json_content_type(Format::Verbose);
  }
  return route_to_handler(services_, json);
}

bool Router::is_upload(http::verb method, const Target& target) {
  return (method == http::verb::put || method == http::verb::post) && target.set == "Files" &&
         target.key.has_value() && target.property == "$value";
}

UploadPlan Router::plan_upload(const std::string& file_id) const {
  return api::plan_upload(services_, file_id);
}

Response Router::finish_upload(const UploadPlan& plan, int64_t size) const noexcept {
  try {
    return api::finish_upload(services_, plan, size);
  } catch (...) {
    return current_exception_response();
  }
}

void Router::count_store_failure() const noexcept {
  if (metrics_ == nullptr) return;
  try {
    throw;
  } catch (const store::StoreError& e) {
    if (e.kind() == store::StoreError::Kind::Unavailable) metrics_->store_error(metrics::Component::Api);
  } catch (...) {
  }
}

Response Router::current_exception_response() noexcept {
  try {
    try {
      throw;
    } catch (const ApiError& e) {
      return error_response(e.status(), e.code(), e.what());
    } catch (const NotFoundPath& e) {
      return error_response(http::status::not_found, "", e.what());
    } catch (const UriError& e) {
      return error_response(http::status::bad_request, "", e.what());
    } catch (const runtime::JobRejected& e) {
      const std::string message =
          e.field().empty() || std::string_view(e.what()).find(e.field()) != std::string_view::npos
              ? std::string(e.what())
              : fmt::format("{}: {}", e.field(), e.what());
      return error_response(e.not_found() ? http::status::not_found : http::status::bad_request, "",
                            message);
    } catch (const store::StoreError& e) {
      return error_response(store_status(e.kind()), "", e.what());
    } catch (const std::filesystem::filesystem_error& e) {
      return error_response(http::status::internal_server_error, "",
                            fmt::format("storage: {}", e.what()));
    } catch (const std::exception& e) {
      return error_response(http::status::internal_server_error, "",
                            fmt::format("internal error: {}", e.what()));
    } catch (...) {
      return error_response(http::status::internal_server_error, "", "internal error");
    }
  } catch (...) {
    // Building the error body itself failed (out of memory): an empty 500.
    Response response;
    response.status = http::status::internal_server_error;
    return response;
  }
}

}  // namespace mw::api
