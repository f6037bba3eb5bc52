// `mediaworker serve` under a pretend systemd: the test binds the AF_UNIX datagram socket that
// $NOTIFY_SOCKET names (sd_notify(3)) and reads what the real binary sends: READY=1 once the API
// port accepts connections, STATUS= lines, WATCHDOG=1 at half $WATCHDOG_USEC, and STOPPING=1 on
// SIGTERM before the process exits. Every wait is a poll() with a deadline. Datagrams carry the
// kernel's receive time (SO_TIMESTAMPNS), so the watchdog gaps measured are the daemon's, not the
// test thread's scheduling.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "daemon/service/systemd_notify.hpp"
#include "daemon/service/systemd_reporter.hpp"
#include "tests/support/daemon.hpp"

namespace mw::test {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

// One sd_notify message: newline-separated NAME=VALUE assignments.
struct Datagram {
  std::string text;
  std::chrono::nanoseconds at{};  // kernel receive time (CLOCK_REALTIME)

  std::optional<std::string> value(const std::string& name) const {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.rfind(name + "=", 0) == 0) return line.substr(name.size() + 1);
    return std::nullopt;
  }
  bool has(const std::string& assignment) const {
    const auto eq = assignment.find('=');
    return value(assignment.substr(0, eq)) == assignment.substr(eq + 1);
  }
};

// The socket systemd would listen on.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path)
      throw std::runtime_error("socket path too long: " + path.string());
    std::strcpy(addr.sun_path, path.c_str());
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot bind " + path.string() + ": " + std::strerror(errno));
    const int on = 1;
    setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  }
  ~NotifySocket() { close(fd_); }

  std::string env() const { return "NOTIFY_SOCKET=" + path_.string(); }

  /// The next datagram, or nullopt once `deadline` passed without one.
  std::optional<Datagram> receive(steady_clock::time_point deadline) {
    pollfd p{fd_, POLLIN, 0};
    for (;;) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - steady_clock::now());
      const int r = poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return std::nullopt;
      break;
    }
    char buf[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(fd_, &msg, 0);
    if (n < 0) return std::nullopt;
    Datagram d{std::string(buf, static_cast<size_t>(n)), {}};
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        d.at = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
      }
    return d;
  }
  /// Datagrams up to and including the first with `assignment` (e.g. "READY=1"); the last one
  /// lacks it when `deadline` passed first.
  std::vector<Datagram> until(const std::string& assignment, steady_clock::time_point deadline) {
    std::vector<Datagram> got;
    while (auto d = receive(deadline)) {
      got.push_back(*d);
      if (d->has(assignment)) break;
    }
    return got;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

namespace {

const std::string kMedia = MW_MEDIA_DIR;

bool tcp_connects(unsigned short port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// The longest gap between consecutive WATCHDOG=1 datagrams in `got`, starting from `from`.
std::chrono::nanoseconds longest_watchdog_gap(const std::vector<Datagram>& got,
                                              std::chrono::nanoseconds from, int* pings) {
  std::chrono::nanoseconds longest{0}, last = from;
  *pings = 0;
  for (const auto& d : got) {
    if (!d.has("WATCHDOG=1")) continue;
    longest = std::max(longest, d.at - last);
    last = d.at;
    ++*pings;
  }
  return longest;
}

constexpr auto kWatchdog = 400ms;

TEST(ServeSystemd, ReadyOnlyOnceThePortAcceptsThenStatusWatchdogPingsAndStoppingBeforeExit) {
  TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  DaemonProcess daemon(dir.path(), "worker:\n  slots: 2\n  drain_seconds: 5\n");
  daemon.set_environment({notify.env(), "WATCHDOG_USEC=400000"}, /*watchdog_pid=*/true);
  daemon.spawn();  // no waiting for the log: READY=1 alone must say that the API is up

  const auto before_ready = notify.until("READY=1", steady_clock::now() + 60s);
  ASSERT_FALSE(before_ready.empty()) << "no datagram within 60 s; log:\n" << daemon.log();
  const Datagram ready = before_ready.back();
  ASSERT_TRUE(ready.has("READY=1")) << ready.text << "\nlog:\n" << daemon.log();
  EXPECT_EQ(before_ready.size(), 1u)
      << "something came before READY=1: " << before_ready.front().text;
  // The STATUS line of READY names the port; it must accept a connection at once.
  const std::string status = ready.value("STATUS").value_or("");
  const std::string api_on = "Running 0 of 2 slot(s); API on 127.0.0.1:";
  ASSERT_EQ(status.rfind(api_on, 0), 0u) << status;
  const auto port = static_cast<unsigned short>(std::stoi(status.substr(api_on.size())));
  EXPECT_TRUE(tcp_connects(port)) << "READY=1 came before port " << port << " accepted connections";
  EXPECT_EQ(ready.value("MAINPID"), std::to_string(daemon.pid()));

  // Ten pings, none more than WatchdogSec after the one before (or after READY=1).
  std::vector<Datagram> running;
  int pings = 0;
  const auto deadline = steady_clock::now() + 30s;
  while (pings < 10) {
    auto d = notify.receive(deadline);
    ASSERT_TRUE(d) << "only " << pings << " WATCHDOG=1 within 30 s; log:\n" << daemon.log();
    running.push_back(*d);
    if (d->has("WATCHDOG=1")) ++pings;
  }
  EXPECT_LE(longest_watchdog_gap(running, ready.at, &pings), kWatchdog);

  // SIGTERM: everything the daemon sent is in the socket once it exited.
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  std::vector<Datagram> stopping;
  while (auto d = notify.receive(steady_clock::now())) stopping.push_back(*d);
  const auto at = std::find_if(stopping.begin(), stopping.end(),
                               [](const Datagram& d) { return d.has("STOPPING=1"); });
  ASSERT_NE(at, stopping.end()) << "no STOPPING=1 before the exit; log:\n" << daemon.log();
  EXPECT_EQ(at->value("STATUS"), "Draining 0 task(s) for at most 5 s more; no new tasks");
  // The stop timeout covers the drain plus 30 s, whatever TimeoutStopSec says.
  EXPECT_TRUE(std::any_of(at, stopping.end(),
                          [](const Datagram& d) { return d.has("EXTEND_TIMEOUT_USEC=35000000"); }));
  EXPECT_EQ(stopping.back().value("STATUS"), "Stopped; 0 running task(s) given back to the queue");
  // The pings went on at their pace until the stop.
  std::vector<Datagram> all = running;
  all.insert(all.end(), stopping.begin(), at);
  EXPECT_LE(longest_watchdog_gap(all, ready.at, &pings), kWatchdog);
}

TEST(ServeSystemd, StatusFollowsTheRunningTask) {
  TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  DaemonProcess daemon(dir.path(), "worker:\n  slots: 1\n");
  daemon.set_environment({notify.env()});
  daemon.start();
  ASSERT_TRUE(notify.until("READY=1", steady_clock::now() + 30s).back().has("READY=1"));

  const std::string asset = daemon.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  const std::string body =
      nlohmann::json{{"Name", "status"},
                     {"InputMediaAssets",
                      {{{"__metadata",
                         {{"uri", "https://myaccount.restv2.westus.media.azure.net/api/Assets('" +
                                      url_encode(asset) + "')"}}}}}},
                     {"Tasks",
                      {{{"Configuration", "H264 Single Bitrate 720p"},
                        {"MediaProcessorId", "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"},
                        {"TaskBody",
                         "<?xml version=\"1.0\" "
                         "encoding=\"utf-8\"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
                         "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"}}}}}
          .dump();
  const HttpResponse created = daemon.request("POST", "/api/Jobs", body);
  ASSERT_EQ(created.status, 201) << created.body;

  const std::string api_on = "; API on 127.0.0.1:" + std::to_string(daemon.port());
  const auto busy =
      notify.until("STATUS=Running 1 of 1 slot(s)" + api_on, steady_clock::now() + 60s);
  ASSERT_TRUE(!busy.empty() && busy.back().has("STATUS=Running 1 of 1 slot(s)" + api_on))
      << daemon.log();
  const auto idle =
      notify.until("STATUS=Running 0 of 1 slot(s)" + api_on, steady_clock::now() + 120s);
  ASSERT_TRUE(!idle.empty() && idle.back().has("STATUS=Running 0 of 1 slot(s)" + api_on))
      << daemon.log();
  EXPECT_TRUE(daemon.wait_for_log(": finished: ", 10s)) << daemon.log();
  EXPECT_EQ(daemon.stop(), 0);
}

TEST(ServeSystemd, WorkerRoleIsReadyOnceItsSlotsRun) {
  TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  DaemonProcess daemon(dir.path(), "worker:\n  slots: 1\n", {}, {"--role", "worker"});
  daemon.set_environment({notify.env(), "WATCHDOG_USEC=400000"}, /*watchdog_pid=*/true);
  daemon.spawn();
  const auto got = notify.until("READY=1", steady_clock::now() + 60s);
  ASSERT_TRUE(!got.empty() && got.back().has("READY=1")) << daemon.log();
  EXPECT_EQ(got.back().value("STATUS").value_or("").rfind("Running 0 of 1 slot(s); role worker, metrics on 127.0.0.1:", 0),
            0u)
      << got.back().text;
  const auto ping = notify.until("WATCHDOG=1", steady_clock::now() + 10s);
  ASSERT_TRUE(!ping.empty() && ping.back().has("WATCHDOG=1")) << daemon.log();
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  const auto stopping = notify.until("STOPPING=1", steady_clock::now());
  ASSERT_TRUE(!stopping.empty() && stopping.back().has("STOPPING=1")) << daemon.log();
}

TEST(ServeSystemd, SighupIsFramedByReloadingAndReadyAlsoWhenTheFileIsBroken) {
  TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  DaemonProcess daemon(dir.path());
  daemon.set_environment({notify.env()}, /*watchdog_pid=*/false);
  daemon.spawn();
  auto got = notify.until("READY=1", steady_clock::now() + 60s);
  ASSERT_TRUE(!got.empty() && got.back().has("READY=1")) << daemon.log();

  // `systemctl reload` waits from RELOADING=1 until READY=1: both come for a good file...
  daemon.send_signal(SIGHUP);
  got = notify.until("RELOADING=1", steady_clock::now() + 30s);
  ASSERT_TRUE(!got.empty() && got.back().has("RELOADING=1")) << daemon.log();
  got = notify.until("READY=1", steady_clock::now() + 30s);
  ASSERT_TRUE(!got.empty() && got.back().has("READY=1")) << daemon.log();
  EXPECT_TRUE(daemon.wait_for_log("presets reloaded: ", 10s)) << "no reload line:\n"
                                                               << daemon.log();

  // ...and for a broken one, which changes nothing (the daemon keeps running).
  std::ofstream(dir.path() / "config.yaml", std::ios::app) << "log:\n  level: loud\n";
  daemon.send_signal(SIGHUP);
  got = notify.until("RELOADING=1", steady_clock::now() + 30s);
  ASSERT_TRUE(!got.empty() && got.back().has("RELOADING=1")) << daemon.log();
  got = notify.until("READY=1", steady_clock::now() + 30s);
  ASSERT_TRUE(!got.empty() && got.back().has("READY=1")) << daemon.log();
  EXPECT_TRUE(daemon.wait_for_log("config reload failed: ", 10s)) << daemon.log();
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

TEST(ServeSystemd, NoWatchdogPingsWhenWatchdogPidNamesAnotherProcess) {
  // sd_watchdog_enabled(3): WATCHDOG_USEC is for the process WATCHDOG_PID names only.
  TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  DaemonProcess daemon(dir.path());
  daemon.set_environment({notify.env(), "WATCHDOG_USEC=400000", "WATCHDOG_PID=1"});
  daemon.start();
  ASSERT_TRUE(notify.until("READY=1", steady_clock::now() + 30s).back().has("READY=1"));
  // Three watchdog intervals without a ping (a wait on the socket, not a sleep).
  const auto later = notify.until("WATCHDOG=1", steady_clock::now() + 3 * kWatchdog);
  EXPECT_TRUE(later.empty() || !later.back().has("WATCHDOG=1")) << later.back().text;
  EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace mw::test

namespace mw::service {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;
using test::Datagram;
using test::NotifySocket;

// $NOTIFY_SOCKET and $WATCHDOG_USEC for this process while it lives (SystemdNotify reads them at
// construction), removed after so the daemons other tests start do not inherit them.
struct SystemdEnvironment {
  SystemdEnvironment(const std::filesystem::path& socket, const std::string& watchdog_usec) {
    setenv("NOTIFY_SOCKET", socket.c_str(), 1);
    setenv("WATCHDOG_USEC", watchdog_usec.c_str(), 1);
    unsetenv("WATCHDOG_PID");
  }
  ~SystemdEnvironment() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
  }
};

int count_pings(NotifySocket& socket, std::chrono::milliseconds during) {
  int pings = 0;
  for (const auto& d : socket.until("NEVER=1", steady_clock::now() + during))
    pings += d.has("WATCHDOG=1");
  return pings;
}

// The reporter alone, with probes the test controls: the watchdog's liveness rule.
TEST(SystemdReporter, StopsPingingWhileALoopIsStuckAndResumesAfter) {
  test::TempDir dir;
  NotifySocket socket(dir.path() / "notify.sock");
  SystemdEnvironment env(dir.path() / "notify.sock", "200000");  // pings every 100 ms
  const SystemdNotify notify;
  ASSERT_EQ(notify.watchdog_interval(), std::chrono::microseconds(200000));
  std::atomic<bool> stuck{false};
  ReporterProbes probes;
  probes.status = [] { return "Running 0 of 1 slot(s)"; };
  probes.why_not_alive = [&]() -> std::optional<std::string> {
    if (stuck) return "the maintenance thread is stuck";
    return std::nullopt;
  };
  SystemdReporter reporter(notify, probes);
  reporter.start();
  EXPECT_GE(count_pings(socket, 500ms), 3);
  stuck = true;
  (void)count_pings(socket, 150ms);  // a tick that read `stuck` before it changed
  EXPECT_EQ(count_pings(socket, 500ms), 0);
  stuck = false;
  EXPECT_GE(count_pings(socket, 500ms), 3);
  reporter.status_changed();
  const auto status = socket.until("STATUS=Running 0 of 1 slot(s)", steady_clock::now() + 5s);
  ASSERT_FALSE(status.empty());
  EXPECT_TRUE(status.back().has("STATUS=Running 0 of 1 slot(s)"));
}

TEST(SystemdReporter, StopsPingingWhenTheApiThreadsDoNotRunThePostedHandler) {
  test::TempDir dir;
  NotifySocket socket(dir.path() / "notify.sock");
  SystemdEnvironment env(dir.path() / "notify.sock", "200000");
  const SystemdNotify notify;
  std::mutex m;
  bool api_hangs = false;
  std::vector<std::function<void()>> held;  // what a hung API never runs
  ReporterProbes probes;
  probes.status = [] { return ""; };
  probes.why_not_alive = [] { return std::nullopt; };
  probes.post_to_api = [&](std::function<void()> handler) {
    std::unique_lock lock(m);
    if (api_hangs) {
      held.push_back(std::move(handler));
      return;
    }
    lock.unlock();
    handler();  // a healthy API runs it soon
  };
  SystemdReporter reporter(notify, probes);
  reporter.start();
  EXPECT_GE(count_pings(socket, 500ms), 3);
  {
    std::lock_guard lock(m);
    api_hangs = true;
  }
  // The last answer is at most 200 ms old when the API hangs: at most two more pings.
  (void)count_pings(socket, 350ms);
  EXPECT_EQ(count_pings(socket, 500ms), 0);
  // The drain stops the API: its silence no longer counts.
  reporter.api_stopped();
  EXPECT_GE(count_pings(socket, 500ms), 3);
  reporter.stop();
}

TEST(SystemdNotify, TinyAndHugeWatchdogUsecAreBoundedNotSpunOrOverflowed) {
  test::TempDir dir;
  for (const auto& [usec, expected] :
       std::vector<std::pair<std::string, std::chrono::microseconds>>{
           {"1", kMinWatchdogInterval},
           {"19999", kMinWatchdogInterval},
           {"400000", std::chrono::microseconds(400000)},
           {"9223372036854775807", kMaxWatchdogInterval},  // was a negative interval: no pings
           {"18446744073709551614", kMaxWatchdogInterval}}) {
    SystemdEnvironment env(dir.path() / "notify.sock", usec);
    const SystemdNotify notify;
    EXPECT_EQ(notify.watchdog_interval(), expected) << "WATCHDOG_USEC=" << usec;
  }
}

TEST(SystemdReporter, WatchdogUsecOfOneMicrosecondPingsEveryTenMillisecondsNotInABusyLoop) {
  test::TempDir dir;
  NotifySocket socket(dir.path() / "notify.sock");
  SystemdEnvironment env(dir.path() / "notify.sock", "1");  // WatchdogSec=1us
  const SystemdNotify notify;
  ReporterProbes probes;
  probes.status = [] { return ""; };
  probes.why_not_alive = [] { return std::nullopt; };
  probes.post_to_api = [](std::function<void()> handler) { handler(); };
  SystemdReporter reporter(notify, probes);
  const auto cpu_before = std::clock();
  reporter.start();
  // Before the bound: a timer every 0.5 µs, tens of thousands of datagrams and a full core.
  const int pings = count_pings(socket, 500ms);
  reporter.stop();
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_before) / CLOCKS_PER_SEC;
  EXPECT_GE(pings, 10);
  EXPECT_LE(pings, 60);  // 500 ms / 10 ms, with slack for a late first tick
  EXPECT_LT(cpu_seconds, 0.25) << "the reporter spins";
}

}  // namespace
}  // namespace mw::service
