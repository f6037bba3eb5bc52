#pragma once
// One API exchange, independent of the connection: the routed request the handlers see and the
// response they return (a JSON body, nothing, or a file to stream). The session adds the
// headers every response carries (request-id, DataServiceVersion, ...).

#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "daemon/api/odata.hpp"
#include "daemon/api/uri.hpp"

namespace mw::api {

namespace http = boost::beast::http;

/// A request after authentication, with its target parsed and its body read.
struct Request {
  http::verb method = http::verb::get;  ///< after X-HTTP-Method tunnelling (POST + MERGE)
  Target target;
  std::string body;    ///< empty for GET/DELETE and for streamed uploads
  ODataContext odata;  ///< JSON flavour (Accept) and service root (Host)
  std::string content_type;  ///< the request's Content-Type header (JSON or Atom bodies)
  std::string accept;        ///< the request's Accept header (JSON or Atom answers)
};

/// What a handler answers.
struct Response {
  http::status status = http::status::ok;
  std::string content_type;  ///< empty when there is no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< Location, Allow, ...
  std::filesystem::path file;  ///< when set, the body is this file, streamed from disk
};

/// The Content-Type of JSON in `format`: "application/json;odata=verbose;charset=utf-8" or
/// "application/json;odata=minimalmetadata;streaming=true;charset=utf-8".
std::string json_content_type(Format format);

/// 200 (or `status`) with a JSON body in the request's flavour.
Response json_response(const ODataContext& odata, std::string body,
                       http::status status = http::status::ok);
/// 201 Created with a Location header and the entity.
Response created_response(const ODataContext& odata, std::string location, std::string body);
/// 204 No Content.
Response no_content();
/// The AMS error body with `status`.
Response error_response(http::status status, std::string_view code, std::string_view message);
/// 405 with an Allow header listing `allowed` (e.g. "GET, POST").
Response method_not_allowed(http::verb method, std::string_view allowed);

}  // namespace mw::api
