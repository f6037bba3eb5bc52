#pragma once
// POST /api/$batch (OData v3 batch processing, [MS-ODATA] §2.2.7.6; the AMS v2 Job page's
// "Create a Job with notification subscriptions"): a multipart/mixed body (multipart.hpp) of
// application/http requests, some grouped in changesets.
//  - A request outside a changeset must be a GET; it is answered by the Router as if sent alone
//    (Atom or JSON by its own Accept).
//  - A changeset is all or nothing. It may hold what AMS clients send: "POST <base>Jobs" (a Job,
//    its Tasks inline or not, with a Content-ID n) and "POST <base>$n/Tasks" (one Task appended
//    to the Job of Content-ID n; "$n/Tasks" relative works too). Bodies are JSON (verbose or
//    light) or Atom entries (Content-Type application/atom+xml). The jobs are validated after
//    the last part and persisted together in one store transaction; one failing part creates
//    nothing.
// The answer is 202 with a multipart/mixed body in the Job page's shape: per request a part
// with "HTTP/1.1 <status>", Content-ID echoed, Location and the entity (Atom when that part's
// Accept asks for it); per changeset a nested multipart/mixed, or, when it failed, one part with
// the error status and the AMS error body naming the part ("$batch part 1 (changeset part 2),
// Content-ID 2: Tasks[0].TaskBody: ..."). A malformed envelope is a plain 400.

#include "daemon/api/handlers.hpp"
#include "daemon/api/message.hpp"

namespace mw::api {

class Router;

/// POST /api/$batch. GET parts go through `router`.
/// @throws ApiError 400 for a malformed envelope (multipart::parse_batch); other methods -> 405
Response handle_batch(const Services& services, const Router& router, const Request& request);

}  // namespace mw::api
