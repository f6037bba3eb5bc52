#pragma once
// A synchronous HTTP/1.1 client for the API tests (Boost.Beast): one keep-alive connection to
// 127.0.0.1:<port>, reconnecting when the server closed it.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace mw::api::test {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  bool interim_continue = false;  ///< a "100 Continue" came before the final answer

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
  }
  /// error.message.value of an AMS error body ("" when the body is not one).
  std::string error_message() const;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}

  /// Sends one request. `headers` are added as given (Authorization, Accept, ...); with
  /// `expect_continue` the body is sent only after the server's "100 Continue".
  Reply send(boost::beast::http::verb method, const std::string& target,
             const std::string& body = {}, const std::map<std::string, std::string>& headers = {},
             bool expect_continue = false);
  /// Whether the last exchange left the connection open (keep-alive).
  bool connected() const { return stream_.has_value(); }
  /// The number of TCP connections opened so far.
  int connections_opened() const { return connections_opened_; }

 private:
  void connect();

  uint16_t port_;
  boost::asio::io_context io_;
  std::optional<boost::beast::tcp_stream> stream_;
  int connections_opened_ = 0;
};

}  // namespace mw::api::test
