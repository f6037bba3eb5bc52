#include "daemon/service/systemd_notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace mw::service {

std::string status_line(std::string_view text) {
  std::string line(text);
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line;
}

std::chrono::microseconds watchdog_bounds(uint64_t usec) {
  if (usec < static_cast<uint64_t>(kMinWatchdogInterval.count())) return kMinWatchdogInterval;
  if (usec > static_cast<uint64_t>(kMaxWatchdogInterval.count())) return kMaxWatchdogInterval;
  return std::chrono::microseconds(static_cast<int64_t>(usec));
}

SystemdNotify::SystemdNotify() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  // > 0: WATCHDOG_USEC is set and WATCHDOG_PID is unset or ours; 0: no watchdog; < 0: malformed.
  const int r = sd_watchdog_enabled(0, &usec);
  if (r > 0 && usec > 0) {
    watchdog_ = watchdog_bounds(usec);
    if (watchdog_->count() != static_cast<int64_t>(usec))
      spdlog::warn("systemd: WATCHDOG_USEC {} is outside {}..{} µs; pinging as for {} µs", usec,
                   kMinWatchdogInterval.count(), kMaxWatchdogInterval.count(), watchdog_->count());
  }
  if (r < 0) spdlog::warn("systemd: ignoring WATCHDOG_USEC/WATCHDOG_PID: {}", std::strerror(-r));
}

void SystemdNotify::send(const std::string& state) const {
  if (!enabled_) return;
  // unset_environment 0: later messages (STATUS, WATCHDOG, STOPPING) need $NOTIFY_SOCKET too.
  const int r = sd_notify(0, state.c_str());
  if (r < 0) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) spdlog::debug("systemd: sd_notify failed: {}", std::strerror(-r));
  }
}

void SystemdNotify::ready(std::string_view status) const {
  send("READY=1\nMAINPID=" + std::to_string(getpid()) + "\nSTATUS=" + status_line(status));
}

void SystemdNotify::status(std::string_view status) const {
  send("STATUS=" + status_line(status));
}

void SystemdNotify::watchdog() const {
  if (watchdog_) send("WATCHDOG=1");
}

void SystemdNotify::reloading(std::string_view status) const {
  send("RELOADING=1\nSTATUS=" + status_line(status));
}

void SystemdNotify::stopping(std::string_view status) const {
  send("STOPPING=1\nSTATUS=" + status_line(status));
}

void SystemdNotify::extend_timeout(std::chrono::microseconds more) const {
  send("EXTEND_TIMEOUT_USEC=" + std::to_string(more.count()));
}

}  // namespace mw::service
