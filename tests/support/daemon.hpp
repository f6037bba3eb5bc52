#pragma once
// A real `mediaworker serve` for integration tests: a temp folder with a config (API on
// 127.0.0.1 port 0, a token, SQLite store, asset storage), the process started and its port read
// from the "listening on" log line; the log is collected by a thread so the daemon never blocks.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http.hpp"
#include "tests/support/process.hpp"

namespace mw::test {

class DaemonProcess {
 public:
  /// Writes the config (extra_yaml is appended, e.g. "worker:\n  slots: 2\n") into `dir`.
  /// `store_url`: the store.url (default: a SQLite file in `dir`). `serve_args`: more arguments
  /// of `mediaworker serve`, e.g. {"--role", "worker"}. `storage_root`: storage.root (default
  /// `dir`/assets; a farm's processes share one).
  DaemonProcess(const std::filesystem::path& dir, const std::string& extra_yaml = "worker:\n  slots: 1\n",
                const std::string& store_url = {}, std::vector<std::string> serve_args = {},
                const std::filesystem::path& storage_root = {});
  ~DaemonProcess();  ///< SIGKILL if still running

  /// More environment for the daemon ("NAME=VALUE", added to or replacing this process's), e.g.
  /// NOTIFY_SOCKET. `watchdog_pid`: also WATCHDOG_PID=<the daemon's own pid>, as systemd sets it
  /// (a /bin/sh exports it and execs the daemon, which keeps the shell's pid). Before start().
  void set_environment(std::vector<std::string> env, bool watchdog_pid = false);
  /// Starts the daemon and waits for its "listening on" line (role worker: its "metrics on" line;
  /// port() is then the listener serving only /metrics, /healthz and /readyz). Throws with the
  /// log if it exits.
  void start();
  /// Starts the daemon without waiting for any line (port() stays 0; pid() is set); its log is
  /// collected from then on.
  void spawn();
  /// SIGTERM and wait; returns the exit code.
  int stop();
  /// SIGKILL and wait (a crash).
  void kill_now();
  /// Sends `sig` (e.g. SIGHUP) to the running daemon without waiting.
  void send_signal(int sig) const;

  unsigned short port() const { return port_; }
  /// The daemon's process id (-1 when not running).
  pid_t pid() const { return pid_; }
  const std::string& token() const { return token_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string log() const;
  /// Waits until the log (from its start) contains `text` `count` times, or the timeout.
  /// Returns whether it did.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout, int count = 1) const;

  /// An HTTP request to the daemon with the token and Accept: application/json;odata=verbose.
  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {}) const;
  /// Uploads a file as a new asset (POST Assets, POST Files, PUT $value); returns the asset Id.
  std::string upload(const std::filesystem::path& file) const;
  /// Uploads several files as one new asset named after the first, which is IsPrimary;
  /// returns the asset Id.
  std::string upload(const std::vector<std::filesystem::path>& files) const;

 private:
  void launch();       // spawns the process with its stdout and stderr on err_fd_
  void collect_log();  // the reader thread: err_fd_ into log_ until the process closes it

  std::filesystem::path dir_;
  std::vector<std::string> serve_args_;
  std::vector<std::string> env_;
  bool watchdog_pid_ = false;
  std::string token_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
  int err_fd_ = -1;
  mutable std::mutex log_mutex_;
  mutable std::condition_variable log_cv_;
  std::string log_;
  std::thread reader_;
};

/// Percent-encodes an entity Id for a URL (':' -> %3A).
std::string url_encode(const std::string& s);

}  // namespace mw::test
