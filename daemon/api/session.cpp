#include "daemon/api/session.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <chrono>
#include <limits>
#include <vector>

#include "daemon/api/api_error.hpp"
#include "daemon/api/auth.hpp"
#include "daemon/api/ops.hpp"
#include "daemon/api/partial_file.hpp"
#include "daemon/runtime/model.hpp"

// GCC 12 pairs Asio's coroutine frame operator new/delete (awaitable_frame_base, which recycles
// frames through thread_info_base) wrongly and warns; the pair is Asio's own and matches.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace mw::api {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using beast::error_code;

constexpr auto kIdleTimeout = std::chrono::seconds(120);  // waiting for the next request
constexpr auto kIoTimeout = std::chrono::seconds(120);    // each body chunk read or written
constexpr size_t kHeaderLimit = 32 * 1024;                // bytes; long AAD tokens fit
constexpr size_t kChunkSize = 256 * 1024;                 // upload chunk, bytes
constexpr size_t kMaxClientRequestId = 2048;              // AMS: about 2 KB
constexpr uint64_t kNoBodyLimit = std::numeric_limits<uint64_t>::max();
constexpr size_t kDrainBytes = 8 * 1024 * 1024;  // unread body dropped before closing
constexpr auto kDrainTime = std::chrono::seconds(2);

auto with_error(error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
}

std::string_view view(beast::string_view text) {
  return {text.data(), text.size()};
}

bool is_http_error(const error_code& ec) {
  return ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category();
}

// What a response needs from its request, taken before the header parser is moved.
struct Exchange {
  unsigned version = 11;
  bool keep_alive = true;
  std::string request_id = runtime::new_guid();
  std::string client_request_id;
  ODataContext odata;
  bool head = false;  // a HEAD request: the answer's headers (Content-Length included), no body
};

class Connection {
 public:
  Connection(beast::tcp_stream& stream, const SessionContext& context)
      : stream_(stream), context_(context) {}

  // Serves requests until one of them ends the connection.
  asio::awaitable<void> run() {
    for (;;) {
      http::request_parser<http::empty_body> head;
      head.header_limit(kHeaderLimit);
      // Set per route below; Beast checks a Content-Length against it already here. (Not
      // boost::none: Beast 1.74 compares Content-Length > none as true.)
      head.body_limit(kNoBodyLimit);
      error_code ec;
      stream_.expires_after(kIdleTimeout);
      co_await http::async_read_header(stream_, buffer_, head, with_error(ec));
      if (ec) {
        if (is_http_error(ec) && ec != http::error::end_of_stream &&
            ec != http::error::partial_message) {
          Exchange exchange;
          exchange.keep_alive = false;
          co_await send(error_response(http::status::bad_request, "",
                                       "malformed HTTP request: " + ec.message()),
                        exchange);
        }
        co_return;
      }
      if (!co_await serve(head)) co_return;
    }
  }

 private:
  // Answers one request; false when the connection must close afterwards.
  asio::awaitable<bool> serve(http::request_parser<http::empty_body>& head) {
    const auto& header = head.get();
    Exchange exchange;
    exchange.version = header.version();
    exchange.keep_alive = header.keep_alive();
    exchange.head = header.method() == http::verb::head;
    if (const auto id = header["client-request-id"];
        !id.empty() && id.size() <= kMaxClientRequestId)
      exchange.client_request_id = std::string(id);
    exchange.odata.format = format_from_accept(view(header[http::field::accept]));
    const auto host = header[http::field::host];
    exchange.odata.base =
        fmt::format("http://{}/api/", host.empty() ? context_.default_host : std::string(host));

    Response response;
    bool body_read = head.is_done();
    const std::string_view path = path_of(view(header.target()));
    const bool ops_path = context_.ops != nullptr && is_ops_path(path);
    const bool token_needed =
        context_.require_token && (!ops_path || ops_needs_token(*context_.ops, path));
    if (context_.ops != nullptr && context_.ops->ops_only && !ops_path) {
      response = error_response(http::status::not_found, "",
                                "This listener (role worker) serves only /metrics, /healthz and /readyz.");
    } else if (token_needed &&
               !context_.tokens.accepts(view(header[http::field::authorization]))) {
      response = error_response(http::status::unauthorized, "",
                                "Authorization: a valid \"Bearer <token>\" is required.");
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
    } else if (ops_path) {
      response = handle_ops(*context_.ops, header.method(), path);
    } else {
      try {
        Request request;
        request.odata = exchange.odata;
        request.content_type = std::string(view(header[http::field::content_type]));
        request.accept = std::string(view(header[http::field::accept]));
        request.method = method_of(header);
        request.target = parse_target(view(header.target()));
        if (Router::is_upload(request.method, request.target)) {
          response = co_await receive_upload(head, *request.target.key, body_read);
        } else if (co_await read_body(head, request.body, response, body_read)) {
          response = context_.router.handle(request);
        }
      } catch (...) {
        response = Router::current_exception_response();
      }
    }
    if (!body_read) exchange.keep_alive = false;  // the rest of the body is still on the wire
    const bool sent = co_await send(std::move(response), exchange);
    if (sent && !body_read) co_await drain();
    co_return (sent && exchange.keep_alive);
  }

  // Reads and drops what the client still sends of a body we did not read (at most kDrainBytes,
  // for at most kDrainTime), so that closing a socket with unread data does not reset the
  // connection before the client has read our answer.
  asio::awaitable<void> drain() {
    stream_.expires_after(kDrainTime);
    std::vector<char> sink(kChunkSize);
    size_t total = buffer_.size();
    buffer_.consume(buffer_.size());
    error_code ec;
    while (!ec && total < kDrainBytes)
      total += co_await stream_.async_read_some(asio::buffer(sink), with_error(ec));
  }

  // The method, after X-HTTP-Method tunnelling (POST with "X-HTTP-Method: MERGE").
  static http::verb method_of(const http::request<http::empty_body>& header) {
    const auto tunnel = header["X-HTTP-Method"];
    if (header.method() != http::verb::post || tunnel.empty()) return header.method();
    const http::verb verb = http::string_to_verb(tunnel);
    if (verb == http::verb::unknown)
      throw bad_request(fmt::format("X-HTTP-Method: unknown method '{}'", std::string(tunnel)));
    return verb;
  }

  static bool expects_continue(const http::request<http::empty_body>& header) {
    return beast::iequals(header[http::field::expect], "100-continue");
  }

  asio::awaitable<void> send_continue(const http::request<http::empty_body>& header) {
    if (!expects_continue(header)) co_return;
    http::response<http::empty_body> interim{http::status::continue_, header.version()};
    error_code ec;
    stream_.expires_after(kIoTimeout);
    co_await http::async_write(stream_, interim, with_error(ec));
  }

  // Reads a JSON body into `body` (413 beyond max_body_bytes). False, with `response` set,
  // when the request is answered without handling it.
  asio::awaitable<bool> read_body(http::request_parser<http::empty_body>& head, std::string& body,
                                  Response& response, bool& body_read) {
    if (body_read) co_return true;
    if (const auto length = head.content_length(); length && *length > context_.max_body_bytes) {
      response = too_large();
      co_return false;
    }
    co_await send_continue(head.get());
    http::request_parser<http::string_body> parser{std::move(head)};
    parser.body_limit(context_.max_body_bytes);
    error_code ec;
    stream_.expires_after(kIoTimeout);
    co_await http::async_read(stream_, buffer_, parser, with_error(ec));
    if (ec == http::error::body_limit) {
      response = too_large();
      co_return false;
    }
    if (ec)
      throw ApiError(http::status::bad_request, "reading the request body failed: " + ec.message());
    body_read = true;
    body = parser.release().body();
    co_return true;
  }

  Response too_large() const {
    return error_response(http::status::payload_too_large, "",
                          fmt::format("The request body is larger than the limit of {} bytes "
                                      "(api.max_body_bytes).",
                                      context_.max_body_bytes));
  }

  // PUT Files('id')/$value: the body goes in chunks to a temporary file beside the AssetFile's
  // path, renamed into place when complete; never held in memory whole.
  asio::awaitable<Response> receive_upload(http::request_parser<http::empty_body>& head,
                                           const std::string& file_id, bool& body_read) {
    const UploadPlan plan = context_.router.plan_upload(file_id);
    PartialFile file(plan.temp_path);
    co_await send_continue(head.get());
    http::request_parser<http::buffer_body> parser{std::move(head)};
    parser.body_limit(kNoBodyLimit);  // streamed to disk
    std::vector<char> chunk(kChunkSize);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      error_code ec;
      stream_.expires_after(kIoTimeout);
      co_await http::async_read(stream_, buffer_, parser, with_error(ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec)
        throw ApiError(http::status::bad_request, "reading the upload failed: " + ec.message());
      file.write(chunk.data(), chunk.size() - parser.get().body().size);
    }
    body_read = true;
    file.commit(plan.path);
    co_return context_.router.finish_upload(plan, file.size());
  }

  template <typename Body>
  void add_headers(http::response<Body>& message, const Response& response,
                   const Exchange& exchange) {
    message.set(http::field::server, "mediaworker");
    message.set("request-id", exchange.request_id);
    message.set("x-ms-request-id", exchange.request_id);
    if (!exchange.client_request_id.empty())
      message.set("client-request-id", exchange.client_request_id);
    message.set("DataServiceVersion", "3.0;");
    message.set(http::field::cache_control, "no-cache");
    message.set("X-Content-Type-Options", "nosniff");
    if (!response.content_type.empty())
      message.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.keep_alive(exchange.keep_alive);
  }

  // Writes the response; false when the connection broke.
  asio::awaitable<bool> send(Response response, const Exchange& exchange) {
    if (!response.file.empty()) {
      http::response<http::file_body> message{response.status, exchange.version};
      error_code ec;
      message.body().open(response.file.c_str(), beast::file_mode::scan, ec);
      if (!ec) {
        add_headers(message, response, exchange);
        message.prepare_payload();
        http::response_serializer<http::file_body> serializer{message};
        while (!ec && !serializer.is_done()) {
          stream_.expires_after(kIoTimeout);
          co_await http::async_write_some(stream_, serializer, with_error(ec));
        }
        co_return !ec;
      }
      response = error_response(http::status::not_found, "",
                                fmt::format("The file '{}' of this AssetFile is not in storage: {}",
                                            response.file.filename().string(), ec.message()));
    }
    http::response<http::string_body> message{response.status, exchange.version};
    add_headers(message, response, exchange);
    message.body() = std::move(response.body);
    message.prepare_payload();
    error_code ec;
    stream_.expires_after(kIoTimeout);
    if (exchange.head) {  // RFC 9110 section 9.3.2: the GET answer's header fields only
      http::response<http::empty_body> head_only(std::move(message.base()));
      co_await http::async_write(stream_, head_only, with_error(ec));
    } else {
      co_await http::async_write(stream_, message, with_error(ec));
    }
    if (!ec && !exchange.keep_alive)
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    co_return !ec;
  }

  beast::tcp_stream& stream_;
  const SessionContext& context_;
  beast::flat_buffer buffer_;
};

}  // namespace

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket,
                                       const SessionContext& context) {
  beast::tcp_stream stream(std::move(socket));
  const auto id = context.connections.add(stream);
  if (!id) co_return;  // the server is stopping
  const ConnectionRegistration registration(context.connections, *id);
  try {
    Connection connection(stream, context);
    co_await connection.run();
  } catch (...) {
    // A broken connection or an exception the router did not turn into a response (out of
    // memory): the connection ends, the server goes on.
  }
}

}  // namespace mw::api
