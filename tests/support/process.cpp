#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace mw::test {

namespace {

struct Spawned {
  pid_t pid = -1;
  int out = -1, err = -1;  // read ends of the child's stdout and stderr pipes
};

Spawned spawn(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Spawned s;
  const int rc = posix_spawn(&s.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  s.out = out[0];
  s.err = err[0];
  if (rc != 0) {
    close(s.out);
    close(s.err);
    throw std::runtime_error("posix_spawn " + args[0] + " failed");
  }
  return s;
}

// Reads both pipes until the child closes them (it exited), then reaps it. `on_err` sees stderr
// as it grows and may signal the child.
template <typename OnErr>
ProcessResult collect(Spawned s, OnErr on_err) {
  ProcessResult r;
  pollfd fds[2] = {{s.out, POLLIN, 0}, {s.err, POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      if (i == 1) on_err(r.err, s.pid);
    }
  }
  int status = 0;
  while (waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

std::string ProcessResult::last_error_line() const {
  std::istringstream in(err);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

ProcessResult run(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  return collect(spawn(args, cwd), [](const std::string&, pid_t) {});
}

ProcessResult run_and_signal(const std::vector<std::string>& args, const std::string& trigger, int sig,
                             const std::filesystem::path& cwd) {
  bool sent = false;
  return collect(spawn(args, cwd), [&](const std::string& err, pid_t pid) {
    if (!sent && err.find(trigger) != std::string::npos) {
      kill(pid, sig);
      sent = true;
    }
  });
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("mwtest-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> TempDir::list(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace mw::test
