#pragma once
// The sd_notify protocol (sd_notify(3), sd_watchdog_enabled(3), systemd.service(5)): how a
// Type=notify service tells systemd that it is ready, what it is doing (STATUS=, shown by
// `systemctl status`), that it is alive (WATCHDOG=1) and that it is stopping. A thin wrapper over
// libsystemd; every call is a no-op when the process was not started with $NOTIFY_SOCKET (not
// under systemd, or Type= is not notify).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mw::service {

class SystemdNotify {
 public:
  /// Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID once; leaves them set (the daemon
  /// starts no child that could misuse them: WATCHDOG_PID names this process only).
  SystemdNotify();

  /// Whether $NOTIFY_SOCKET is set: the messages below go somewhere.
  bool enabled() const { return enabled_; }
  /// WatchdogSec= of the unit (sd_watchdog_enabled(3): $WATCHDOG_USEC, when $WATCHDOG_PID is
  /// unset or this process), in microseconds; nullopt when the watchdog is off. The service must
  /// send WATCHDOG=1 more often than that (systemd.service(5) suggests every half interval).
  /// Bounded by watchdog_bounds(): a tiny or huge $WATCHDOG_USEC never makes the pings spin or
  /// overflow.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  /// "READY=1", "MAINPID=<this pid>" and "STATUS=<status>" in one datagram: start-up is complete.
  void ready(std::string_view status) const;
  /// "STATUS=<status>": one line for `systemctl status` (newlines become spaces).
  void status(std::string_view status) const;
  /// "WATCHDOG=1": the service is alive; only when watchdog_interval() is set.
  void watchdog() const;
  /// "RELOADING=1" and "STATUS=<status>": a reload (SIGHUP) began; ready() ends it
  /// (systemd.service(5), Type=notify: `systemctl reload` waits for the READY=1).
  void reloading(std::string_view status) const;
  /// "STOPPING=1" and "STATUS=<status>": the service began to stop.
  void stopping(std::string_view status) const;
  /// "EXTEND_TIMEOUT_USEC=<usec>": the current phase (here: stopping) may take `more` from now,
  /// even beyond TimeoutStopSec= (systemd.service(5); systemd 236 or later).
  void extend_timeout(std::chrono::microseconds more) const;

 private:
  // Sends `state` (newline-separated assignments); a failure (e.g. the socket went away) is
  // logged once at debug level and otherwise ignored: systemd's supervision must never stop
  // the daemon.
  void send(const std::string& state) const;

  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

/// The shortest watchdog interval used: pings every 10 ms at most. A smaller WatchdogSec= (e.g.
/// WATCHDOG_USEC=1) would otherwise make the ping timer spin a CPU core; systemd restarts such a
/// service anyway, as it cannot answer within microseconds.
inline constexpr std::chrono::microseconds kMinWatchdogInterval{20'000};
/// The longest: one day. A larger $WATCHDOG_USEC (up to 2^64-2 µs) would overflow the steady
/// clock's nanoseconds; pinging more often than asked is always allowed.
inline constexpr std::chrono::microseconds kMaxWatchdogInterval{86'400'000'000};

/// `usec` ($WATCHDOG_USEC, microseconds, > 0) within [kMinWatchdogInterval, kMaxWatchdogInterval].
std::chrono::microseconds watchdog_bounds(uint64_t usec);

/// `text` as one STATUS= value: newlines (which would end the assignment) become spaces.
std::string status_line(std::string_view text);

}  // namespace mw::service
