#pragma once
// The server's live connections, so that stop() can close them from another thread. Each
// connection runs on its own strand; a close is posted to that strand and only touches a
// connection that is still registered (a connection deregisters on its strand as it ends), so
// no stream is used after it is gone or concurrently with its own coroutine.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

namespace mw::api {

class Connections {
 public:
  using Id = uint64_t;

  /// Registers a connection whose stream's executor is a strand. Returns nullopt once
  /// close_all() has run (the caller then ends the connection itself).
  std::optional<Id> add(boost::beast::tcp_stream& stream);
  /// Deregisters a connection; call on its strand as it ends.
  void remove(Id id);
  /// Refuses new connections and closes every registered one (on its strand, asynchronously).
  void close_all();

 private:
  struct Entry {
    boost::asio::any_io_executor strand;
    boost::beast::tcp_stream* stream;
  };
  /// Closes the connection `id` if it is still registered; runs on its strand.
  void close_one(Id id);

  std::mutex mutex_;
  bool closed_ = false;
  Id next_id_ = 0;
  std::map<Id, Entry> live_;
};

/// Deregisters a connection when its coroutine ends.
class ConnectionRegistration {
 public:
  ConnectionRegistration(Connections& connections, Connections::Id id)
      : connections_(connections), id_(id) {}
  ~ConnectionRegistration() { connections_.remove(id_); }
  ConnectionRegistration(const ConnectionRegistration&) = delete;
  ConnectionRegistration& operator=(const ConnectionRegistration&) = delete;

 private:
  Connections& connections_;
  Connections::Id id_;
};

}  // namespace mw::api
