#pragma once
// Routes a parsed request to the handler of its entity set (/api/Jobs, /api/Tasks, /api/Assets,
// /api/Files, /api/MediaProcessors, /api/NotificationEndPoints, /api/JobTemplates,
// /api/TaskTemplates, the service operations CancelJob and CreateFileInfos, and /api/$batch, whose
// GET parts come back through handle)
// and turns every failure into the AMS error response at one place:
//   ApiError -> its status; UriError -> 400; NotFoundPath -> 404;
//   runtime::JobRejected -> 400 (404 when not_found()), the message naming its field;
//   store::StoreError NotFound 404, Conflict 409, InvalidState 400, Unavailable 503;
//   anything else -> 500.
// Atom (atom.hpp) is translated here, so that every caller ($batch parts included) gets it: an
// Atom body (Content-Type application/atom+xml or application/xml) reaches the handlers as
// the verbose JSON read_entry makes of it, and when the Accept header asks for Atom the
// handlers answer verbose JSON that write_response rewrites as Atom, errors included.

#include <cstdint>
#include <string>

#include "daemon/api/handlers.hpp"
#include "daemon/api/message.hpp"
#include "daemon/metrics/metrics.hpp"

namespace mw::api {

class Router {
 public:
  /// `metrics` (optional) counts the store failures answered 5xx (StoreError Unavailable).
  explicit Router(Services services, metrics::Metrics* metrics = nullptr)
      : services_(services), metrics_(metrics) {}

  /// Answers one request, in JSON or Atom as its Content-Type and Accept say. Never throws:
  /// failures (a malformed Atom body: 400 "Atom entry: ...") become error responses.
  Response handle(const Request& request) const noexcept;

  /// Whether the request is an upload the session streams to disk: PUT or POST Files('id')/$value.
  static bool is_upload(http::verb method, const Target& target);
  /// Where the upload of `file_id` goes. @throws like a handler (ApiError 404, ...)
  UploadPlan plan_upload(const std::string& file_id) const;
  /// Records the uploaded size (bytes) and answers 204. Never throws.
  Response finish_upload(const UploadPlan& plan, int64_t size) const noexcept;

  /// The error response for the exception being handled; call only inside a catch block.
  static Response current_exception_response() noexcept;

 private:
  // Translates an Atom body to verbose JSON and routes; `atom_answer` asks for verbose JSON.
  Response dispatch(const Request& request, bool atom_answer) const;

  // Counts the exception being handled when it is a StoreError Unavailable; call only inside
  // a catch block. Never throws.
  void count_store_failure() const noexcept;

  Services services_;
  metrics::Metrics* metrics_ = nullptr;
};

}  // namespace mw::api
