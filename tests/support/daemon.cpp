#include "tests/support/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

extern char** environ;

namespace mw::test {

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

DaemonProcess::DaemonProcess(const std::filesystem::path& dir, const std::string& extra_yaml,
                             const std::string& store_url, std::vector<std::string> serve_args,
                             const std::filesystem::path& storage_root)
    : dir_(dir), serve_args_(std::move(serve_args)) {
  const std::filesystem::path storage = storage_root.empty() ? dir_ / "assets" : storage_root;
  std::random_device rd;
  token_ = "test-" + std::to_string(rd()) + std::to_string(rd());
  std::filesystem::create_directories(storage);
  std::ofstream(dir_ / "tokens") << token_ << "\n";
  std::ofstream(dir_ / "config.yaml") << "api:\n  listen: 127.0.0.1:0\n  tokens_file: " << (dir_ / "tokens").string()
                                      << "\nstore:\n  url: \""
                                      << (store_url.empty() ? "sqlite://" + (dir_ / "jobs.db").string() : store_url)
                                      << "\""
                                      << "\nstorage:\n  root: " << storage.string() << "\n"
                                      << extra_yaml;
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill_now();
  if (reader_.joinable()) reader_.join();
}

void DaemonProcess::set_environment(std::vector<std::string> env, bool watchdog_pid) {
  env_ = std::move(env);
  watchdog_pid_ = watchdog_pid;
}

void DaemonProcess::launch() {
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  const std::string binary = MW_BINARY, config = (dir_ / "config.yaml").string();
  std::vector<std::string> args{binary, "serve", "--config", config};
  args.insert(args.end(), serve_args_.begin(), serve_args_.end());
  if (watchdog_pid_)  // $0 is the daemon, "$@" its arguments; exec keeps the shell's pid
    args.insert(args.begin(), {"/bin/sh", "-c", "export WATCHDOG_PID=$$; exec \"$0\" \"$@\""});
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // This process's environment, then env_ (a NAME= of env_ replaces the inherited one).
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('=') + 1);
    bool replaced = false;
    for (const auto& extra : env_) replaced = replaced || extra.rfind(name, 0) == 0;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), env_.begin(), env_.end());
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + argv[0]);
  err_fd_ = err[0];
}

void DaemonProcess::collect_log() {
  reader_ = std::thread([this] {
    char b[4096];
    for (ssize_t n; (n = read(err_fd_, b, sizeof b)) > 0;) {
      std::lock_guard lock(log_mutex_);
      log_.append(b, static_cast<size_t>(n));
      log_cv_.notify_all();
    }
    close(err_fd_);
    std::lock_guard lock(log_mutex_);
    log_cv_.notify_all();
  });
}

void DaemonProcess::spawn() {
  launch();
  collect_log();
}

void DaemonProcess::start() {
  launch();
  // Read until the "listening on" line, or a worker's "(role worker, no API); metrics on" one
  // (or the end: the daemon exited), then keep draining.
  const std::string listening = "listening on http://127.0.0.1:";
  const std::string worker_metrics = "metrics on http://127.0.0.1:";
  std::string seen;
  char buf[4096];
  size_t at = std::string::npos, prefix = listening.size();
  for (;;) {
    const ssize_t n = read(err_fd_, buf, sizeof buf);
    if (n <= 0) {
      close(err_fd_);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
      throw std::runtime_error("mediaworker serve exited before listening:\n" + seen);
    }
    seen.append(buf, static_cast<size_t>(n));
    at = seen.find(listening);
    if (at != std::string::npos && seen.find("/api/", at) != std::string::npos) break;
    at = seen.find(worker_metrics);
    if (at != std::string::npos && seen.find("/metrics", at) != std::string::npos) {
      prefix = worker_metrics.size();
      break;
    }
  }
  port_ = static_cast<unsigned short>(std::stoi(seen.substr(at + prefix)));
  {
    std::lock_guard lock(log_mutex_);
    log_ = seen;
  }
  collect_log();
}

int DaemonProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void DaemonProcess::send_signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

void DaemonProcess::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
}

std::string DaemonProcess::log() const {
  std::lock_guard lock(log_mutex_);
  return log_;
}

bool DaemonProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout, int count) const {
  std::unique_lock lock(log_mutex_);
  return log_cv_.wait_for(lock, timeout, [&] {
    int found = 0;
    for (size_t at = log_.find(text); at != std::string::npos; at = log_.find(text, at + text.size())) ++found;
    return found >= count;
  });
}

HttpResponse DaemonProcess::request(const std::string& method, const std::string& target, const std::string& body,
                                    const std::map<std::string, std::string>& headers) const {
  std::map<std::string, std::string> h = {{"Authorization", "Bearer " + token_},
                                          {"Accept", "application/json;odata=verbose"},
                                          {"DataServiceVersion", "3.0"},
                                          {"MaxDataServiceVersion", "3.0"},
                                          {"x-ms-version", "2.19"}};
  if (!body.empty()) h["Content-Type"] = "application/json;odata=verbose";
  for (const auto& [k, v] : headers) h[k] = v;
  return http_request(port_, method, target, body, h);
}

std::string DaemonProcess::upload(const std::filesystem::path& file) const {
  return upload(std::vector<std::filesystem::path>{file});
}

std::string DaemonProcess::upload(const std::vector<std::filesystem::path>& files) const {
  auto asset = request("POST", "/api/Assets", nlohmann::json{{"Name", files.at(0).filename().string()}}.dump());
  if (asset.status != 201) throw std::runtime_error("POST /api/Assets: " + std::to_string(asset.status) + " " + asset.body);
  const std::string asset_id = nlohmann::json::parse(asset.body)["d"]["Id"];
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string name = files[i].filename().string();
    auto f = request("POST", "/api/Files",
                     nlohmann::json{{"Name", name}, {"ParentAssetId", asset_id}, {"IsPrimary", i == 0}}.dump());
    if (f.status != 201) throw std::runtime_error("POST /api/Files: " + std::to_string(f.status) + " " + f.body);
    const std::string file_id = nlohmann::json::parse(f.body)["d"]["Id"];
    std::ifstream in(files[i], std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto put = request("PUT", "/api/Files('" + url_encode(file_id) + "')/$value", bytes,
                       {{"Content-Type", "application/octet-stream"}});
    if (put.status / 100 != 2) throw std::runtime_error("PUT $value: " + std::to_string(put.status) + " " + put.body);
  }
  return asset_id;
}

}  // namespace mw::test
