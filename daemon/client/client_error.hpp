#pragma once
// The one error type of the AMS client (daemon/client): what went wrong, and for HTTP failures the
// status and the AMS error message (AMS-V2-REFERENCE.md §10).

#include <stdexcept>
#include <string>
#include <utility>

namespace mw::client {

/// Why a client call failed; the CLI maps these to exit codes.
enum class ErrorKind {
  Connection,    ///< the service could not be reached (refused, DNS, timeout, reset)
  Unauthorized,  ///< HTTP 401/403: the token is missing or was refused
  Http,          ///< any other non-2xx answer (the AMS error message is in ams_message())
  Protocol,      ///< a 2xx answer that is not the AMS JSON expected
  Input,         ///< a local file could not be read (upload, token file), or a bad token
  Canceled,      ///< the caller's stop token was requested during a request
};

/// A failed client call. what() is one line fit for "mediaworker: error: ..."; it names the URL
/// for Connection, Unauthorized and Protocol errors, and reads "<AMS message> (HTTP <status>)"
/// for Http errors.
class ClientError : public std::runtime_error {
 public:
  ClientError(ErrorKind kind, const std::string& message, long http_status = 0,
              std::string ams_message = {})
      : std::runtime_error(message),
        kind_(kind),
        http_status_(http_status),
        ams_message_(std::move(ams_message)) {}

  ErrorKind kind() const { return kind_; }
  /// The HTTP status, or 0 when no HTTP answer was received.
  long http_status() const { return http_status_; }
  /// error.message.value of the AMS error body (may be empty).
  const std::string& ams_message() const { return ams_message_; }

 private:
  ErrorKind kind_;
  long http_status_;
  std::string ams_message_;
};

}  // namespace mw::client
