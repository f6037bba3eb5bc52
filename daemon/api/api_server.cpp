#include "daemon/api/api_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <stdexcept>

// GCC 12 pairs Asio's coroutine frame operator new/delete (awaitable_frame_base, which recycles
// frames through thread_info_base) wrongly and warns; the pair is Asio's own and matches.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace mw::api {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

struct ListenAddress {
  std::string host;
  std::string port;
};

// "127.0.0.1:8080", "localhost:0", "[::1]:8080", ":8080" (all interfaces).
ListenAddress parse_listen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error(fmt::format("api.listen: '{}' is not host:port", listen));
  ListenAddress address{listen.substr(0, colon), listen.substr(colon + 1)};
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']')
    address.host = address.host.substr(1, address.host.size() - 2);
  if (address.host.empty()) address.host = "0.0.0.0";
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(address.port.data(), address.port.data() + address.port.size(), port);
  if (address.port.empty() || ec != std::errc() ||
      end != address.port.data() + address.port.size() || port > 65535)
    throw std::runtime_error(fmt::format("api.listen: '{}' has no valid port (0-65535)", listen));
  return address;
}

std::string host_and_port(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return endpoint.address().is_v6() ? fmt::format("[{}]:{}", address, endpoint.port())
                                    : fmt::format("{}:{}", address, endpoint.port());
}

}  // namespace

ApiServer::ApiServer(const config::ApiConfig& config, store::JobStore& store,
                     runtime::JobService& jobs, const runtime::Storage& storage, OpsOptions ops)
    : config_(config),
      ops_{store, ops.metrics, ops.readiness, config_.metrics_public, ops.ops_only, &probe_},
      router_(Services{store, jobs, storage}, ops.metrics),
      tokens_(config_.tokens),
      session_context_{router_,
                       connections_,
                       tokens_,
                       !config_.tokens.empty(),
                       static_cast<uint64_t>(std::max<int64_t>(0, config_.max_body_bytes)),
                       {},
                       &ops_},
      io_(std::max(1, config_.threads)),
      acceptor_(asio::make_strand(io_)) {}

ApiServer::~ApiServer() {
  stop();
}

namespace {
tcp::endpoint resolve_listen(boost::asio::io_context& io, const config::ApiConfig& config, bool ops_only) {
  const ListenAddress address = parse_listen(config.listen);
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(
      address.host, address.port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    throw std::runtime_error(
        fmt::format("api.listen: cannot resolve '{}': {}", address.host, ec.message()));
  const tcp::endpoint endpoint = results.begin()->endpoint();
  // A role worker's listener with api.metrics_public has nothing that needs a token.
  const bool open_by_design = ops_only && config.metrics_public;
  if (config.tokens.empty() && !endpoint.address().is_loopback() && !open_by_design)
    throw std::runtime_error(fmt::format(
        "api.listen: refusing to serve {} without bearer tokens: set api.tokens_file, or listen on "
        "a loopback address (127.0.0.1, [::1])",
        host_and_port(endpoint)));
  return endpoint;
}
}  // namespace

void ApiServer::replace_tokens(std::vector<std::string> tokens) {
  if (!session_context_.require_token)
    throw std::invalid_argument("the API started without tokens (no authentication); a restart is needed to add them");
  if (tokens.empty()) throw std::invalid_argument("the new api.tokens_file holds no token");
  tokens_.replace(std::move(tokens));
}

void check_listen(const config::ApiConfig& config, bool ops_only) {
  boost::asio::io_context io;
  (void)resolve_listen(io, config, ops_only);
}

void ApiServer::start() {
  if (!threads_.empty()) throw std::runtime_error("ApiServer::start: already started");
  const tcp::endpoint endpoint = resolve_listen(io_, config_, ops_.ops_only);
  boost::system::error_code ec;

  auto check = [&](const char* what) {
    if (ec)
      throw std::runtime_error(
          fmt::format("api.listen: cannot {} {}: {}", what, host_and_port(endpoint), ec.message()));
  };
  acceptor_.open(endpoint.protocol(), ec);
  check("open a socket for");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  check("set SO_REUSEADDR on");
  acceptor_.bind(endpoint, ec);
  check("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  check("listen on");
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  check("read the bound address of");
  port_ = bound.port();
  session_context_.default_host = host_and_port(bound);

  asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr) {});
  const int threads = std::max(1, config_.threads);
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          io_.run();
          return;
        } catch (...) {
          // A handler threw past its coroutine (not expected): keep serving the others.
        }
      }
    });
  }
}

void ApiServer::stop() noexcept {
  if (threads_.empty()) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  connections_.close_all();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

void ApiServer::post(std::function<void()> handler) { asio::post(io_, std::move(handler)); }

asio::awaitable<void> ApiServer::accept_loop() {
  for (;;) {
    tcp::socket socket(asio::make_strand(io_));
    boost::system::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (!acceptor_.is_open()) co_return;
    if (ec) {
      // e.g. out of file descriptors: wait a little instead of spinning.
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    const auto strand = socket.get_executor();
    asio::co_spawn(strand, serve_connection(std::move(socket), session_context_),
                   [](std::exception_ptr) {});
  }
}

}  // namespace mw::api
