#include "tests/support/test_http_server.hpp"

#include <algorithm>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace mw::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string RecordedRequest::header(const std::string& lower_case_name) const {
  const auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string() : it->second;
}

void RouteTable::on(const std::string& method, const std::string& target,
                    std::vector<CannedResponse> answers) {
  routes_[method + " " + target] = Route{std::move(answers), 0};
}

CannedResponse RouteTable::operator()(const RecordedRequest& request) {
  const auto it = routes_.find(request.method + " " + request.target);
  if (it == routes_.end() || it->second.answers.empty())
    return {404, ams_error_body("Resource not found for the segment '" + request.target + "'.")};
  Route& route = it->second;
  const CannedResponse& answer = route.answers[std::min(route.next, route.answers.size() - 1)];
  ++route.next;
  return answer;
}

std::string ams_error_body(const std::string& message) {
  return nlohmann::json{
      {"error", {{"code", ""}, {"message", {{"lang", "en-US"}, {"value", message}}}}}}
      .dump();
}

/// One connection: read a request, answer it, repeat while the client keeps it alive.
class TestHttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, TestHttpServer& server)
      : socket_(std::move(socket)), server_(server) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(256u << 20);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    const http::request<http::string_body>& req = parser_->get();
    RecordedRequest recorded;
    recorded.method = std::string(req.method_string());
    recorded.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      recorded.headers[name] = std::string(field.value());
    }
    recorded.body = req.body();
    const CannedResponse canned = server_.handle(std::move(recorded));
    if (canned.never_answer) {
      std::lock_guard lock(server_.mutex_);
      server_.silent_.push_back(shared_from_this());
      return;
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(canned.status));
    if (!canned.body.empty()) response_.set(http::field::content_type, canned.content_type);
    response_.body() = canned.body;
    response_.keep_alive(req.keep_alive());
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (!ec && self->response_.keep_alive()) self->read();
                      });
  }

  tcp::socket socket_;
  TestHttpServer& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

TestHttpServer::TestHttpServer(Handler handler, unsigned short port)
    : handler_(std::move(handler)),
      acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), port)) {
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

TestHttpServer::~TestHttpServer() {
  io_.stop();
  thread_.join();
  std::lock_guard lock(mutex_);
  silent_.clear();
}

bool TestHttpServer::wait_for(
    const std::function<bool(const std::vector<RecordedRequest>&)>& done,
    std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return done(requests_); });
}

std::string TestHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void TestHttpServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(std::move(socket), *this)->read();
    accept();
  });
}

CannedResponse TestHttpServer::handle(RecordedRequest request) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }
  CannedResponse response = handler_(request);
  arrived_.notify_all();  // after the handler: waiters may look at what it recorded
  return response;
}

}  // namespace mw::test
