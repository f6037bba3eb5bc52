#pragma once
// A tiny HTTP/1.1 server on 127.0.0.1 (port 0) for the client tests, on Boost.Beast: it records
// every request and answers from a handler, on its own thread, with keep-alive.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mw::test {

/// A request as the server received it.
struct RecordedRequest {
  std::string method;                          ///< "GET", "POST", ...
  std::string target;                          ///< path and query, as sent
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  /// The header's value, "" when absent.
  std::string header(const std::string& lower_case_name) const;
};

/// What the handler answers.
struct CannedResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json;odata=verbose;charset=utf-8";
};

using Handler = std::function<CannedResponse(const RecordedRequest&)>;

/// Answers "METHOD target" from a table; a target with several answers gives them in turn and
/// then repeats the last. Anything else gets an AMS 404 error body.
class RouteTable {
 public:
  void on(const std::string& method, const std::string& target,
          std::vector<CannedResponse> answers);
  CannedResponse operator()(const RecordedRequest& request);

 private:
  struct Route {
    std::vector<CannedResponse> answers;
    size_t next = 0;
  };
  std::map<std::string, Route> routes_;
};

/// An AMS error body: {"error":{"code":"","message":{"lang":"en-US","value":MESSAGE}}}.
std::string ams_error_body(const std::string& message);

class TestHttpServer {
 public:
  /// Starts listening at once; `handler` runs on the server's thread.
  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string url() const;
  /// Every request so far, in arrival order.
  std::vector<RecordedRequest> requests() const;

 private:
  class Session;
  void accept();
  CannedResponse handle(RecordedRequest request);

  Handler handler_;
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  unsigned short port_ = 0;
  // The io_context outlives the acceptor and the sessions its pending handlers own.
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace mw::test
