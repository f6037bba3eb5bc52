#include "daemon/store/pg_listener.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <pqxx/pqxx>

#include "daemon/store/pg_db.hpp"

namespace mw::store::pg {

namespace {

constexpr long kAwaitMicroseconds = 200'000;  // how often the thread checks for stop
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
constexpr const char* kChannels[] = {"mw_work", "mw_outbox"};

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::string& channel, const std::function<void()>& f)
      : pqxx::notification_receiver(c, channel), f_(f) {}
  void operator()(const std::string&, int) override { f_(); }

 private:
  const std::function<void()>& f_;
};

}  // namespace

Listener::Listener(std::string url, std::string name, std::function<void()> on_notify)
    : url_(with_connection_defaults(url)), name_(std::move(name)), on_notify_(std::move(on_notify)),
      thread_([this](std::stop_token stop) { run(stop); }) {}

Listener::~Listener() {
  thread_.request_stop();
}

void Listener::run(std::stop_token stop) {
  auto backoff = kFirstBackoff;
  bool failing = false;
  std::mutex m;
  std::condition_variable_any cv;
  while (!stop.stop_requested()) {
    try {
      pqxx::connection connection(url_);
      std::vector<std::unique_ptr<Receiver>> receivers;
      for (const char* channel : kChannels)
        receivers.push_back(std::make_unique<Receiver>(connection, channel, on_notify_));
      connection.get_notifs();  // runs the LISTENs
      if (failing) spdlog::info("store: listening for other hosts' changes on {} again", name_);
      failing = false;
      backoff = kFirstBackoff;
      on_notify_();  // whatever was sent while not listening
      while (!stop.stop_requested()) connection.await_notification(0, kAwaitMicroseconds);
    } catch (const std::exception& e) {
      if (!failing)
        spdlog::warn("store: listening for other hosts' changes on {} failed: {}; retrying (workers poll meanwhile)",
                     name_, e.what());
      failing = true;
      std::unique_lock lock(m);
      cv.wait_for(lock, stop, backoff, [] { return false; });
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

}  // namespace mw::store::pg
