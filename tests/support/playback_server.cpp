#include "tests/support/playback_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <string_view>

#include "daemon/api/awaitable.hpp"

// GCC 12 pairs Asio's coroutine frame operator new/delete (awaitable_frame_base, which recycles
// frames through thread_info_base) wrongly and warns; the pair is Asio's own and matches.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace mw::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIoTimeout = std::chrono::seconds(120);  // idle keep-alive or one read/write
constexpr uint64_t kReportLimit = 256ull << 20;  // bytes; a 4K RGBA snapshot is 45 MB in base64

std::string content_type(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> types = {
      {".m3u8", "application/vnd.apple.mpegurl"},
      {".mpd", "application/dash+xml"},
      {".m4s", "video/mp4"},
      {".mp4", "video/mp4"},
      {".m4v", "video/mp4"},
      {".m4a", "audio/mp4"},
      {".cmfv", "video/mp4"},
      {".cmfa", "audio/mp4"},
      {".ts", "video/mp2t"},
      {".aac", "audio/aac"},
      {".vtt", "text/vtt"},
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript"},
      {".mjs", "text/javascript"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".css", "text/css"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
  };
  const auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path of a request target: the query dropped, %XX decoded. Empty when malformed.
std::string target_path(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  std::string out;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] != '%') {
      out += target[i];
      continue;
    }
    if (i + 2 >= target.size()) return {};
    const int hi = hex_value(target[i + 1]), lo = hex_value(target[i + 2]);
    if (hi < 0 || lo < 0) return {};
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

auto with_error(beast::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
}

}  // namespace

// Serves the requests of one connection until the peer closes it or asks to.
class PlaybackConnection {
 public:
  PlaybackConnection(tcp::socket socket, PlaybackServer& server)
      : stream_(std::move(socket)), server_(server) {}

  asio::awaitable<void> run() {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kReportLimit);
      beast::error_code ec;
      stream_.expires_after(kIoTimeout);
      co_await http::async_read(stream_, buffer_, parser, with_error(ec));
      if (ec) break;
      const auto& request = parser.get();
      const bool keep_alive = request.keep_alive();
      const unsigned version = request.version();
      if (request.method() == http::verb::post &&
          target_path(std::string(request.target())) == "/report") {
        server_.on_report_(std::move(parser.release().body()));
        http::response<http::empty_body> res{http::status::no_content, version};
        res.keep_alive(keep_alive);
        co_await http::async_write(stream_, res, with_error(ec));
      } else if (request.method() == http::verb::get || request.method() == http::verb::head) {
        co_await serve_file(std::string(request.target()), request.method() == http::verb::head,
                            version, keep_alive, ec);
      } else {
        http::response<http::string_body> res{http::status::method_not_allowed, version};
        res.keep_alive(keep_alive);
        res.prepare_payload();
        co_await http::async_write(stream_, res, with_error(ec));
      }
      if (ec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

 private:
  asio::awaitable<void> serve_file(const std::string& target, bool head, unsigned version,
                                   bool keep_alive, beast::error_code& ec) {
    const std::filesystem::path file = server_.resolve(target);
    http::file_body::value_type body;
    if (!file.empty()) body.open(file.c_str(), beast::file_mode::scan, ec);
    if (file.empty() || ec) {
      ec = {};
      server_.record_not_found(target);
      http::response<http::string_body> res{http::status::not_found, version};
      res.set(http::field::content_type, "text/plain");
      res.body() = "not found: " + target + "\n";
      res.keep_alive(keep_alive);
      res.prepare_payload();
      co_await http::async_write(stream_, res, with_error(ec));
      co_return;
    }
    const auto size = body.size();
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, version)};
    res.set(http::field::content_type, content_type(file));
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.content_length(size);
    if (head) {
      http::response<http::empty_body> head_res{http::status::ok, version};
      head_res.base() = res.base();
      co_await http::async_write(stream_, head_res, with_error(ec));
    } else {
      co_await http::async_write(stream_, res, with_error(ec));
    }
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  PlaybackServer& server_;
};

namespace {

// The connection lives in the coroutine's frame (a parameter), for as long as it is served.
asio::awaitable<void> serve(PlaybackConnection connection) {
  co_await connection.run();
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, PlaybackServer& server) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(with_error(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(PlaybackConnection(std::move(socket), server)), asio::detached);
  }
}

}  // namespace

PlaybackServer::PlaybackServer(std::filesystem::path page_root, std::filesystem::path media_root,
                               std::function<void(std::string)> on_report)
    : page_root_(std::move(page_root)),
      media_root_(std::move(media_root)),
      on_report_(std::move(on_report)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(acceptor_, *this), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

PlaybackServer::~PlaybackServer() {
  io_.stop();
  thread_.join();
}

std::vector<std::string> PlaybackServer::not_found() const {
  std::lock_guard lock(mutex_);
  return not_found_;
}

void PlaybackServer::record_not_found(std::string target) {
  std::lock_guard lock(mutex_);
  not_found_.push_back(std::move(target));
}

std::filesystem::path PlaybackServer::resolve(const std::string& target) const {
  const std::string path = target_path(target);
  if (path.empty() || path.front() != '/') return {};
  const std::string_view media_prefix = "/media/";
  const bool media = path.starts_with(media_prefix);
  const std::filesystem::path relative =
      std::filesystem::path(path.substr(media ? media_prefix.size() : 1)).lexically_normal();
  if (relative.empty() || relative.is_absolute()) return {};
  for (const auto& part : relative)
    if (part == "..") return {};
  return (media ? media_root_ : page_root_) / relative;
}

}  // namespace mw::test
