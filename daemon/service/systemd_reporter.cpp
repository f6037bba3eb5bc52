#include "daemon/service/systemd_reporter.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace mw::service {

namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace {
int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

SystemdReporter::SystemdReporter(const SystemdNotify& notify, ReporterProbes probes)
    : notify_(notify), probes_(std::move(probes)), timer_(io_) {
  if (const auto interval = notify_.watchdog_interval()) interval_ = *interval;
  api_running_ = static_cast<bool>(probes_.post_to_api);
}

SystemdReporter::~SystemdReporter() {
  stop();
}

void SystemdReporter::start() {
  api_answered_ns_ = steady_ns();
  if (interval_ > steady_clock::duration::zero()) {
    spdlog::info("systemd: watchdog every {} ms (WatchdogSec {} ms)",
                 std::chrono::duration_cast<std::chrono::milliseconds>(interval_ / 2).count(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(interval_).count());
    asio::post(io_, [this] {
      timer_.expires_at(steady_clock::now());
      tick();
    });
  }
  thread_ = std::thread([this] {
    auto work = asio::make_work_guard(io_);  // run() waits for posts even with no timer armed
    io_.run();
  });
}

void SystemdReporter::status_changed() {
  if (status_pending_.exchange(true)) return;  // one already queued: it sends the newest line
  asio::post(io_, [this] { send_status(); });
}

void SystemdReporter::api_stopped() {
  api_running_ = false;
}

void SystemdReporter::stop() noexcept {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void SystemdReporter::send_status() {
  status_pending_ = false;  // before reading: a change from now on queues another send
  try {
    notify_.status(probes_.status());
  } catch (const std::exception& e) {
    spdlog::debug("systemd: STATUS not sent: {}", e.what());
  }
}

void SystemdReporter::tick() {
  std::string why;
  try {
    if (auto reason = probes_.why_not_alive(); reason && !reason->empty()) why = *reason;
  } catch (const std::exception& e) {
    why = e.what();
  }
  const bool api = api_running_.load();
  if (why.empty() && api) {
    const auto silent = std::chrono::nanoseconds(steady_ns() - api_answered_ns_.load());
    if (silent > interval_)
      why = fmt::format("the API's I/O threads have not run a posted handler for {} ms",
                        std::chrono::duration_cast<std::chrono::milliseconds>(silent).count());
  }
  if (why.empty()) {
    notify_.watchdog();
    if (!pinging_) spdlog::info("systemd: watchdog pings resume");
    pinging_ = true;
  } else if (pinging_) {
    spdlog::error(
        "systemd: watchdog not pinged: {}; systemd restarts the service unless this ends "
        "within WatchdogSec",
        why);
    pinging_ = false;
  }
  if (api) probes_.post_to_api([this] { api_answered_ns_ = steady_ns(); });
  // From the previous expiry, not from now: the pings keep their pace when a tick runs late.
  // But never a burst of catch-up ticks after the process stood still (SIGSTOP, a suspended
  // VM): more than a period late, the next ping is one period from now.
  const auto period = interval_ / 2;
  const auto now = steady_clock::now();
  timer_.expires_at(timer_.expiry() + period < now ? now + period : timer_.expiry() + period);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace mw::service
