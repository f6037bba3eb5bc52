#pragma once
// One HTTP/1.1 connection: reads requests (keep-alive) with Boost.Beast, checks the bearer
// token (not for /healthz and /readyz, nor /metrics with api.metrics_public: ops.hpp), reads
// JSON bodies up to max_body_bytes (413 beyond), streams uploads to disk and downloads from disk
// in chunks, and adds the headers every AMS response carries: request-id and
// x-ms-request-id (a fresh GUID), the client's client-request-id, DataServiceVersion: 3.0;.
// Answers "Expect: 100-continue" (the Job page's request sends it) before reading a body.

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/api/auth.hpp"
#include "daemon/api/awaitable.hpp"
#include "daemon/api/connections.hpp"
#include "daemon/api/ops.hpp"
#include "daemon/api/router.hpp"

namespace mw::api {

/// What every connection of a server shares (owned by ApiServer, outliving the connections).
struct SessionContext {
  const Router& router;
  Connections& connections;
  const TokenSet& tokens;                  ///< accepted bearer tokens
  bool require_token = true;               ///< false only without tokens on a loopback address
  uint64_t max_body_bytes = 64ull << 20;   ///< request bodies other than uploads
  std::string default_host;                ///< "127.0.0.1:8080", for requests without Host
  /// /metrics, /healthz and /readyz (ops.hpp); null: those paths go to the router like any other
  const Ops* ops = nullptr;
};

/// Serves one accepted connection until the client closes it, it times out (120 s idle),
/// a request asks to close, or Connections::close_all() runs. `socket`'s executor must be a
/// strand. Never throws.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              const SessionContext& context);

}  // namespace mw::api
