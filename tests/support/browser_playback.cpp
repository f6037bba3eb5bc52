#include "tests/support/browser_playback.hpp"
#include "tests/support/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/playback_server.hpp"
#include "tests/support/process.hpp"

extern "C" {
#include <libavutil/base64.h>
}

extern char** environ;

namespace mw::test {

namespace {

constexpr size_t kStderrTail = 4000;  // characters of Chromium's stderr quoted in errors

std::filesystem::path default_page_dir() {
#ifdef MW_PLAYBACK_DIR
  return MW_PLAYBACK_DIR;
#else
  return {};
#endif
}

void require_file(const std::filesystem::path& file, const std::string& what) {
  if (!std::filesystem::is_regular_file(file))
    throw std::runtime_error("browser playback: " + what + " not found at " + file.string() +
                             " (scripts/install-deps.sh installs it)");
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string read_tail(const std::filesystem::path& file, size_t limit) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > limit ? "..." + text.substr(text.size() - limit) : text;
}

// What play_in_chromium waits for: the page's report (set on the server's thread) or Chromium's
// exit (set on the ChromiumProcess's waiter thread).
struct Outcome {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<std::string> report;  // the first one posted
  bool exited = false;
};

// Headless Chromium in its own process group, so that killing the group ends its helper
// processes (zygote, renderer, utility) too. stdout goes to /dev/null, stderr to `stderr_file`.
// A thread reaps it and marks `outcome` exited.
class ChromiumProcess {
 public:
  ChromiumProcess(const std::vector<std::string>& args, const std::filesystem::path& stderr_file,
                  Outcome& outcome) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
      throw std::runtime_error("browser playback: cannot start " + args[0] + ": " +
                               std::strerror(rc));
    // WNOWAIT leaves Chromium a zombie until the destructor: its pid, and so its process group
    // id, cannot be reused by another process before the group is killed.
    waiter_ = std::thread([this, &outcome] {
      siginfo_t info{};
      while (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 &&
             errno == EINTR) {
      }
      std::lock_guard lock(outcome.mutex);
      outcome.exited = true;
      outcome.changed.notify_all();
    });
  }

  /// Kills the whole process group (Chromium and its helpers) and reaps Chromium.
  ~ChromiumProcess() {
    kill(-pid_, SIGKILL);
    waiter_.join();
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }

  ChromiumProcess(const ChromiumProcess&) = delete;
  ChromiumProcess& operator=(const ChromiumProcess&) = delete;

 private:
  pid_t pid_ = -1;
  std::thread waiter_;
};

std::vector<uint8_t> rgb_of_base64_rgba(const std::string& base64, int width, int height) {
  std::vector<uint8_t> rgba(AV_BASE64_DECODE_SIZE(base64.size()) + 1);
  const int n = av_base64_decode(rgba.data(), base64.c_str(), static_cast<int>(rgba.size()));
  const size_t pixels = static_cast<size_t>(width) * static_cast<size_t>(height);
  if (n < 0 || static_cast<size_t>(n) != pixels * 4)
    throw std::runtime_error("browser playback: the snapshot has " + std::to_string(n) +
                             " bytes of RGBA, not " + std::to_string(pixels * 4) + " for " +
                             std::to_string(width) + "x" + std::to_string(height));
  std::vector<uint8_t> rgb(pixels * 3);
  for (size_t i = 0; i < pixels; ++i) {
    rgb[i * 3] = rgba[i * 4];
    rgb[i * 3 + 1] = rgba[i * 4 + 1];
    rgb[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return rgb;
}

}  // namespace

PlaybackReport parse_playback_report(const std::string& json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("browser playback: the page's report is not JSON: ") +
                             e.what());
  }
  PlaybackReport r;
  r.ended = j.value("ended", false);
  r.error = j.value("error", "");
  r.video_width = j.value("videoWidth", 0);
  r.video_height = j.value("videoHeight", 0);
  r.duration_s = j.value("duration", 0.0);
  r.current_time_s = j.value("currentTime", 0.0);
  r.log = j.value("log", "");
  if (j.contains("snapshot") && j["snapshot"].is_object()) {
    const auto& s = j["snapshot"];
    PlaybackSnapshot snapshot;
    snapshot.width = s.value("width", 0);
    snapshot.height = s.value("height", 0);
    snapshot.time_s = s.value("time", 0.0);
    snapshot.rgb = rgb_of_base64_rgba(s.value("rgba", ""), snapshot.width, snapshot.height);
    r.snapshot = std::move(snapshot);
  }
  return r;
}

PlaybackReport play_in_chromium(const std::filesystem::path& folder, const std::string& manifest,
                                Player player, double snapshot_at_s, std::chrono::seconds timeout,
                                const PlaybackOptions& options) {
  const std::filesystem::path page_dir =
      options.page_dir.empty() ? default_page_dir() : options.page_dir;
  if (access(options.chromium.c_str(), X_OK) != 0)
    throw std::runtime_error("browser playback: no Chromium at " + options.chromium.string() +
                             " (Debian's chromium package; scripts/install-deps.sh installs it)");
  require_file(page_dir / "player.html", "the player page");
  require_file(page_dir / "node_modules/hls.js/dist/hls.min.js",
               "hls.js (tests/playback/node_modules)");
  require_file(page_dir / "node_modules/dashjs/dist/modern/umd/dash.all.min.js",
               "dash.js (tests/playback/node_modules)");
  require_file(folder / manifest, "the manifest");

  TempDir scratch;
  const std::filesystem::path stderr_file = scratch.path() / "chromium-stderr.txt";
  Outcome outcome;  // outlives the server and the process, which write to it
  PlaybackServer server(page_dir, folder, [&outcome](std::string report) {
    std::lock_guard lock(outcome.mutex);
    if (!outcome.report) outcome.report = std::move(report);
    outcome.changed.notify_all();
  });

  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) +
                          "/player.html?player=" + (player == Player::Hls ? "hls" : "dash") +
                          "&manifest=" + url_encode("/media/" + manifest) +
                          "&snapshot=" + format_number(snapshot_at_s) +
                          "&rate=" + format_number(options.rate) +
                          "&stall=" + std::to_string(options.stall.count());
  std::vector<std::string> args = {
      options.chromium.string(),
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--mute-audio",
      "--autoplay-policy=no-user-gesture-required",
      "--user-data-dir=" + (scratch.path() / "profile-1").string(),  // a fresh one per launch
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // A loaded machine must not make Chromium throttle the page's timers or renderer.
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
      "--window-size=1280,720",
      url,
  };

  auto started = std::chrono::steady_clock::now();
  std::optional<std::string> received;
  bool exited = false;
  // A page that never reports at all (headless Chromium hung on a loaded machine: seen once in
  // a cold CI run, while the same test passed before and after) gets one more Chromium; a
  // player's own failure is a report, and a second silence fails the test.
  for (int launch = 1; launch <= 2 && !received && !exited; ++launch) {
    if (launch == 2) {
      std::fprintf(stderr, "browser playback: no report within %lld s; launching Chromium once more\n",
                   static_cast<long long>(timeout.count()));
      std::lock_guard lock(outcome.mutex);
      outcome.exited = false;  // set when the first one was killed
    }
    started = std::chrono::steady_clock::now();
    for (auto& arg : args)
      if (arg.starts_with("--user-data-dir="))
        arg = "--user-data-dir=" + (scratch.path() / ("profile-" + std::to_string(launch))).string();
    ChromiumProcess process(args, stderr_file, outcome);
    std::unique_lock lock(outcome.mutex);
    outcome.changed.wait_for(lock, timeout, [&] { return outcome.report || outcome.exited; });
    received = outcome.report;
    exited = outcome.exited;
  }  // each iteration kills its Chromium

  if (!received) {
    std::string not_found;
    for (const auto& target : server.not_found()) not_found += " " + target;
    throw std::runtime_error(std::string("browser playback: ") +
                             (exited
                                  ? "Chromium exited without a report"
                                  : "no report within " + std::to_string(timeout.count()) + " s") +
                             " from " + url + (not_found.empty() ? "" : "; 404:" + not_found) +
                             "; Chromium's stderr:\n" + read_tail(stderr_file, kStderrTail));
  }
  PlaybackReport report = parse_playback_report(*received);
  report.not_found = server.not_found();
  report.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::vector<uint8_t> luma_of(const PlaybackSnapshot& snapshot, int width, int height) {
  if (snapshot.width <= 0 || snapshot.height <= 0 || width <= 0 || height <= 0 ||
      snapshot.rgb.size() !=
          static_cast<size_t>(snapshot.width) * static_cast<size_t>(snapshot.height) * 3)
    throw std::invalid_argument("luma_of: a " + std::to_string(snapshot.width) + "x" +
                                std::to_string(snapshot.height) + " snapshot with " +
                                std::to_string(snapshot.rgb.size()) + " bytes of RGB");
  // Each source pixel falls in one output cell; a cell's luma is the mean of its pixels'.
  std::vector<double> sum(static_cast<size_t>(width) * height, 0.0);
  std::vector<int> count(sum.size(), 0);
  for (int y = 0; y < snapshot.height; ++y) {
    const size_t row =
        static_cast<size_t>(y) * static_cast<size_t>(height) / static_cast<size_t>(snapshot.height);
    for (int x = 0; x < snapshot.width; ++x) {
      const size_t col =
          static_cast<size_t>(x) * static_cast<size_t>(width) / static_cast<size_t>(snapshot.width);
      const uint8_t* p = &snapshot.rgb[(static_cast<size_t>(y) * snapshot.width + x) * 3];
      sum[row * width + col] += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
      ++count[row * width + col];
    }
  }
  std::vector<uint8_t> out(sum.size(), 0);
  for (size_t i = 0; i < sum.size(); ++i)
    if (count[i] > 0)
      out[i] = static_cast<uint8_t>(std::lround(std::clamp(sum[i] / count[i], 0.0, 255.0)));
  return out;
}

double mean_luma(const PlaybackSnapshot& snapshot) {
  const std::vector<uint8_t> luma = luma_of(snapshot, snapshot.width, snapshot.height);
  double sum = 0;
  for (uint8_t v : luma) sum += v;
  return luma.empty() ? 0 : sum / static_cast<double>(luma.size());
}

double mean_abs_luma_difference(const PlaybackSnapshot& a, const PlaybackSnapshot& b) {
  constexpr int kWidth = 64, kHeight = 36;
  const std::vector<uint8_t> la = luma_of(a, kWidth, kHeight), lb = luma_of(b, kWidth, kHeight);
  double sum = 0;
  for (size_t i = 0; i < la.size(); ++i)
    sum += std::abs(static_cast<int>(la[i]) - static_cast<int>(lb[i]));
  return sum / static_cast<double>(la.size());
}

}  // namespace mw::test
