#pragma once
// The daemon's configuration: one YAML file (default /etc/mediaworker/mediaworker.yaml; the
// sample is samples/mediaworker.yaml), parsed once into these plain structs. yaml-cpp is used
// only in config.cpp. Every error names the YAML key at fault.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace mw::config {

/// A configuration problem; what() is one line "FILE: KEY: MESSAGE".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& file, const std::string& key, const std::string& message);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

struct ApiConfig {
  std::string listen = "127.0.0.1:8080";  ///< host:port; port 0 picks a free port
  std::filesystem::path tokens_file;      ///< one bearer token per line; empty = no tokens
  std::vector<std::string> tokens;        ///< read from tokens_file at load time
  int64_t max_body_bytes = 64ll << 20;    ///< JSON/Atom request bodies (uploads are streamed)
  std::string account_name = "mediaworker";  ///< AccountName in notifications, host in URLs
  int threads = 2;                        ///< HTTP I/O threads
  /// api.metrics_public: GET /metrics answers without the bearer token (docs/metrics.md)
  bool metrics_public = false;
};

struct StoreConfig {
  /// "sqlite:///absolute/path.db", "sqlite://relative/path.db" (one host), or a libpq URI
  /// "postgresql://user:password@host:5432/database" (a farm; docs/farm.md)
  std::string url;
  /// Whether url is a postgresql:// (or postgres://) URI.
  bool is_postgresql() const;
  /// The SQLite file of a sqlite: URL. @throws ConfigError (key store.url) for other schemes
  std::filesystem::path sqlite_path() const;
};

struct StorageConfig {
  std::filesystem::path root;  ///< asset folders live here
};

struct WorkerConfig {
  int slots = 1;              ///< tasks run at once
  int lease_seconds = 30;     ///< a claimed task's lease, renewed every lease/3
  int max_attempts = 3;       ///< claims before a task whose worker keeps dying goes to Error
  int drain_seconds = 60;     ///< on SIGTERM: how long running tasks may finish before requeue
  std::string host_id;        ///< default: the host name
  /// worker.max_resolution "WIDTHxHEIGHT": the largest output this host takes (compared by
  /// longer and shorter side, so 1920x1080 also takes 1080x1920); 0x0 (default): no limit
  int max_width = 0, max_height = 0;
  /// worker.tags: what this host offers (e.g. "gpu", "ssd"); it claims only tasks whose
  /// RequiredWorkerTags it has (docs/farm.md)
  std::vector<std::string> tags;
};

/// What a `serve` process does (serve --role, or the config's `role`; docs/farm.md).
enum class Role {
  All,     ///< the REST API and worker slots (one host)
  Api,     ///< the REST API only: no worker slots (claims nothing)
  Worker,  ///< worker slots only: no REST API (its listener serves /metrics, /healthz, /readyz)
};
/// "all", "api", "worker". @throws ConfigError (key `role`) for anything else
Role parse_role(const std::string& name);
const char* role_name(Role role);

/// Whether `tag` is a valid worker tag: 1-64 characters of A-Z a-z 0-9 . _ - (worker.tags and
/// Task.RequiredWorkerTags).
bool valid_worker_tag(const std::string& tag);

/// Webhook notifications (AMS-V2-REFERENCE.md §6): how the dispatcher delivers and retries.
struct NotificationsConfig {
  /// Properties.AccountId and the ms-mediaservices-accountid header (a GUID); default: a GUID
  /// derived from api.account_name, stable across restarts.
  std::string account_id;
  int progress_interval_seconds = 5;    ///< at most one TaskProgress per task per interval
  double retry_initial_seconds = 1;     ///< first back-off after a failed delivery
  double retry_max_seconds = 300;       ///< back-off cap (each wait is jittered 50-100 %)
  int64_t max_age_seconds = 86400;      ///< a message undelivered this long is given up (dead)
  int timeout_seconds = 30;             ///< one POST, connect included
  bool verify_tls = true;               ///< https receivers: verify the certificate and host
  std::filesystem::path ca_file;        ///< extra CA bundle for https receivers (optional)
  int max_in_flight_per_endpoint = 4;   ///< concurrent POSTs to one receiver
};

struct LogConfig {
  std::string level = "info";  ///< trace, debug, info, warn, error
  std::string format = "text"; ///< text or json
};

struct Config {
  std::filesystem::path file;  ///< where it was loaded from
  Role role = Role::All;       ///< `role`; serve --role overrides it
  ApiConfig api;
  StoreConfig store;
  StorageConfig storage;
  WorkerConfig worker;
  /// presets.dirs (alias presets.folders): user preset folders, searched after the system library
  /// in order; reloaded with it on SIGHUP
  std::vector<std::filesystem::path> preset_folders;
  NotificationsConfig notifications;
  LogConfig log;
};

/// The keys whose values differ between two loaded configs, in file order ("api.listen",
/// "store.url", "worker.slots", "presets.dirs", "log.level", ...); "api.tokens_file" when the
/// tokens read from it differ (the tokens themselves are never named). For SIGHUP: what a
/// reload applies and what waits for a restart (service::Daemon::reconfigure).
std::vector<std::string> changed_keys(const Config& before, const Config& after);

/// Loads and validates a config file (relative paths are resolved against its folder).
/// @throws ConfigError naming the key: unknown keys, wrong types, missing store.url or
///         storage.root, unreadable tokens_file, slots < 0, ...
Config load_config(const std::filesystem::path& file);

}  // namespace mw::config
