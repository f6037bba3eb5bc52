#pragma once
// The REST API's one error type: an HTTP status plus the AMS error body's code and message
// (AMS-V2-REFERENCE.md §10). Handlers throw it; the router turns it (and StoreError,
// JobRejected, anything else) into the error response at one place.

// <ostream> first: Boost 1.74's string_view (under Beast's status.hpp) uses std::basic_ostream
// without including it, which clang with libstdc++ 12 does not forgive (the fuzz build).
#include <ostream>

#include <boost/beast/http/status.hpp>

#include <stdexcept>
#include <string>

namespace mw::api {

namespace http = boost::beast::http;

/// A request the API answers with an error. `code` is the AMS "error.code" (often empty, as
/// real AMS answers were); what() is the "error.message.value" text.
class ApiError : public std::runtime_error {
 public:
  ApiError(http::status status, const std::string& message, std::string code = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  http::status status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  http::status status_;
  std::string code_;
};

/// 400 Bad Request with `message`.
inline ApiError bad_request(const std::string& message) {
  return ApiError(http::status::bad_request, message);
}

/// 404 Not Found: "<what> '<id>' was not found." (e.g. what = "Job").
inline ApiError not_found(const std::string& what, const std::string& id) {
  return ApiError(http::status::not_found, what + " '" + id + "' was not found.");
}

}  // namespace mw::api
