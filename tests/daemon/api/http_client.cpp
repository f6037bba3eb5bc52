#include "tests/daemon/api/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace mw::api::test {

namespace beast = boost::beast;
namespace http = beast::http;

std::string Reply::error_message() const {
  try {
    return json().at("error").at("message").at("value").get<std::string>();
  } catch (const std::exception&) {
    return {};
  }
}

namespace {

template <typename Message>
void copy_reply(Message& message, Reply& reply) {
  reply.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    reply.headers[name] = std::string(field.value());
  }
  reply.body = std::move(message.body());
}

}  // namespace

void HttpClient::connect() {
  stream_.emplace(io_);
  stream_->connect(
      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
  ++connections_opened_;
}

Reply HttpClient::send(http::verb method, const std::string& target, const std::string& body,
                       const std::map<std::string, std::string>& headers, bool expect_continue) {
  if (!stream_) connect();
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  if (expect_continue) request.set(http::field::expect, "100-continue");

  beast::flat_buffer buffer;
  Reply reply;
  http::request_serializer<http::string_body> serializer{request};
  if (expect_continue) {
    http::write_header(*stream_, serializer);
    http::response<http::string_body> interim;
    http::read(*stream_, buffer, interim);
    if (interim.result() != http::status::continue_) {  // answered without reading the body
      copy_reply(interim, reply);
      if (!interim.keep_alive()) stream_.reset();
      return reply;
    }
    reply.interim_continue = true;
  }
  http::write(*stream_, serializer);

  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  parser.skip(method == http::verb::head);  // a HEAD answer has a Content-Length but no body
  http::read(*stream_, buffer, parser);
  http::response<http::string_body> response = parser.release();
  copy_reply(response, reply);
  if (!response.keep_alive()) stream_.reset();
  return reply;
}

}  // namespace mw::api::test
