#pragma once
// The REST API server: AMS v2 (OData v3 JSON) over HTTP/1.1 with Boost.Beast, on `threads` I/O
// threads (config::ApiConfig). Routes and formats: router.hpp, odata.hpp; per-connection
// behaviour (auth, limits, headers, streaming): session.hpp.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/api/awaitable.hpp"
#include "daemon/api/connections.hpp"
#include "daemon/api/ops.hpp"
#include "daemon/api/router.hpp"
#include "daemon/api/session.hpp"
#include "daemon/config/config.hpp"
#include "daemon/runtime/job_service.hpp"
#include "daemon/runtime/storage.hpp"
#include "daemon/store/job_store.hpp"

namespace mw::api {

/// What ApiServer::start checks of api.listen before binding (for `serve --check-config`): the
/// host resolves, and a non-loopback address has bearer tokens (api.tokens_file), except for an
/// `ops_only` listener (role worker) with api.metrics_public, where nothing needs a token.
/// @throws std::runtime_error "api.listen: ..." naming the address
void check_listen(const config::ApiConfig& config, bool ops_only = false);

/// The operator endpoints' side of a server (ops.hpp); the defaults serve /healthz and /readyz
/// (ready whenever the store answers) and answer /metrics 404.
struct OpsOptions {
  metrics::Metrics* metrics = nullptr;   ///< the process's metrics (outliving the server)
  const Readiness* readiness = nullptr;  ///< the daemon's phase for /readyz (outliving the server)
  /// Role worker: only /metrics, /healthz and /readyz; every other path is 404.
  bool ops_only = false;
};

class ApiServer {
 public:
  /// Keeps references to `store`, `jobs` and `storage` (they must outlive the server) and a
  /// copy of `config`. Does not listen yet.
  ApiServer(const config::ApiConfig& config, store::JobStore& store, runtime::JobService& jobs,
            const runtime::Storage& storage, OpsOptions ops = {});
  /// stop(); never throws.
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Binds api.listen ("host:port", "[v6]:port"; port 0 picks a free port) and starts the I/O
  /// threads. Once it returns, connections are accepted. Call once.
  /// @throws std::runtime_error naming api.listen when the address does not parse or resolve
  ///         or cannot be bound, and when no tokens are configured and the address is not
  ///         loopback (an open API must not be reachable from other hosts)
  void start();
  /// Stops accepting, closes every connection (a request being handled finishes, its response
  /// is dropped; a half-received upload's temporary file is removed) and joins the I/O
  /// threads. Idempotent; must not be called from an I/O thread.
  void stop() noexcept;
  /// The bound port (after start()).
  uint16_t port() const { return port_; }
  /// Replaces the accepted bearer tokens (SIGHUP with a changed api.tokens_file). Only a server
  /// that started with tokens checks them: an empty `tokens`, or tokens for a server that
  /// started without any (loopback, no auth), need a restart.
  /// @throws std::invalid_argument in those two cases; the tokens in force stay
  void replace_tokens(std::vector<std::string> tokens);
  /// Queues `handler` to run on one of the I/O threads: a liveness probe (it runs only while
  /// those threads are not stuck; the systemd watchdog uses it). Thread-safe; a handler queued
  /// after stop() never runs (it is destroyed with the server).
  void post(std::function<void()> handler);

 private:
  boost::asio::awaitable<void> accept_loop();

  // Members are destroyed in reverse order: the io_context (with anything still pending in it)
  // before the router and the session context it references.
  config::ApiConfig config_;
  StoreProbe probe_;  // before ops_, which points at it; its thread outlives the I/O threads
  Ops ops_;
  Router router_;
  Connections connections_;
  TokenSet tokens_;
  SessionContext session_context_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
};

}  // namespace mw::api
