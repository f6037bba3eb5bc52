#pragma once
// A blocking HTTP/1.1 client for tests (Boost.Beast), one connection per request.

#include <map>
#include <string>

namespace mw::test {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< names lower-cased
};

/// Sends one request to 127.0.0.1:port. Throws std::runtime_error when the connection fails.
HttpResponse http_request(unsigned short port, const std::string& method, const std::string& target,
                          const std::string& body, const std::map<std::string, std::string>& headers);

}  // namespace mw::test
