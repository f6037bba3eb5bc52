#pragma once
// A tiny HTTP/1.1 server on 127.0.0.1 (port 0) for the client tests, on Boost.Beast: it records
// every request and answers from a handler, on its own thread, with keep-alive.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
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
  /// Never answer: the connection is held open, silent, until the server goes (a receiver that
  /// hangs).
  bool never_answer = false;
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
  /// Starts listening at once on 127.0.0.1:`port` (0: a free port); `handler` runs on the
  /// server's thread.
  explicit TestHttpServer(Handler handler, unsigned short port = 0);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string url() const;
  unsigned short port() const { return port_; }
  /// Every request so far, in arrival order.
  std::vector<RecordedRequest> requests() const;
  /// Waits until `done(requests so far)` holds (checked at every request), or the timeout.
  /// Returns whether it held.
  bool wait_for(const std::function<bool(const std::vector<RecordedRequest>&)>& done,
                std::chrono::milliseconds timeout) const;

 private:
  class Session;
  void accept();
  CannedResponse handle(RecordedRequest request);

  Handler handler_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::shared_ptr<Session>> silent_;  // sessions that never answer, held open
  unsigned short port_ = 0;
  // The io_context outlives the acceptor and the sessions its pending handlers own.
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace mw::test
