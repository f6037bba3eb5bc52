#pragma once
// Wake-ups from other hosts (docs/farm.md): a dedicated PostgreSQL connection LISTENs on the
// channels the migrations' triggers NOTIFY ("mw_work": a task became claimable or freed a
// chained one; "mw_outbox": the notification outbox recorded an event) and calls a function for
// each notification. Internal to mw_store.

#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace mw::store::pg {

class Listener {
 public:
  /// Starts the listening thread on its own connection to `url`. `on_notify` runs on that
  /// thread, for every notification and once after each reconnection (notifications sent
  /// while it was disconnected are lost; the callers then look for work once). It must be quick.
  /// When the connection breaks the thread reconnects with back-off (100 ms doubling to 5 s),
  /// logging the first failure and the recovery.
  Listener(std::string url, std::string name, std::function<void()> on_notify);
  /// Stops the thread (within about 200 ms).
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

 private:
  void run(std::stop_token stop);

  std::string url_;
  std::string name_;  // the database as logged (no password)
  std::function<void()> on_notify_;
  std::jthread thread_;  // last: joined before the members it uses go
};

}  // namespace mw::store::pg
