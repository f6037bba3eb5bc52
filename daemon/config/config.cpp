#include "daemon/config/config.hpp"
#include "daemon/config/redact.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

namespace mw::config {

ConfigError::ConfigError(const std::string& file, const std::string& key, const std::string& message)
    : std::runtime_error(key.empty() ? fmt::format("{}: {}", file, message)
                                     : fmt::format("{}: {}: {}", file, key, message)),
      key_(key) {}

namespace {

// A wrongly typed value as an error message shows it: on one line (a block sequence dumps over
// several), at most 100 characters, and with any password masked (a store.url given as a list
// must not print the database password to the terminal or the journal).
std::string shown_value(const YAML::Node& v) {
  std::string text = YAML::Dump(v);
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  text = without_password(text);
  if (text.size() > 100) text = text.substr(0, 100) + "...";
  return text;
}

// Reads one mapping, refusing keys it does not know (a typo must not be silently ignored).
class Section {
 public:
  Section(const YAML::Node& node, std::string path, const std::string& file)
      : node_(node), path_(std::move(path)), file_(file) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) fail(path_, "must be a mapping");
  }
  ~Section() = default;

  template <typename T>
  void read(const char* key, T& out) {
    known_.insert(key);
    if (!node_ || node_.IsNull()) return;
    const YAML::Node v = node_[key];
    if (!v || v.IsNull()) return;
    try {
      out = v.as<T>();
    } catch (const YAML::Exception&) {
      fail(name(key), fmt::format("'{}' is not a valid {}", shown_value(v), type_name<T>()));
    }
  }
  void read_path(const char* key, std::filesystem::path& out, const std::filesystem::path& base) {
    std::string s;
    read(key, s);
    if (!s.empty()) out = std::filesystem::path(s).is_absolute() ? std::filesystem::path(s) : base / s;
  }
  YAML::Node child(const char* key) {
    known_.insert(key);
    return node_ && node_.IsMap() ? node_[key] : YAML::Node();
  }
  /// Call after the reads: any key left is unknown.
  void finish() {
    if (!node_ || !node_.IsMap()) return;
    for (const auto& kv : node_) {
      const auto key = kv.first.as<std::string>();
      if (!known_.count(key)) {
        std::string allowed;
        for (const auto& k : known_) allowed += (allowed.empty() ? "" : ", ") + k;
        fail(name(key.c_str()), "unknown key (allowed: " + allowed + ")");
      }
    }
  }
  std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw ConfigError(file_, key, message);
  }

 private:
  template <typename T>
  static const char* type_name() {
    if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t>) return "whole number";
    if constexpr (std::is_same_v<T, bool>) return "true/false";
    if constexpr (std::is_same_v<T, double>) return "number";
    if constexpr (std::is_same_v<T, std::vector<std::string>>) return "list of strings";
    return "string";
  }
  YAML::Node node_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> known_;
};

std::vector<std::string> read_tokens(const std::filesystem::path& path, const std::string& file) {
  std::ifstream in(path);
  if (!in) throw ConfigError(file, "api.tokens_file", fmt::format("cannot read '{}'", path.string()));
  // A tokens file is a few lines; a device or a huge file named by mistake is refused rather than
  // read without end.
  constexpr std::uintmax_t kMaxTokensFileBytes = 1 << 20;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw ConfigError(file, "api.tokens_file", fmt::format("'{}' is not a regular file", path.string()));
  if (std::filesystem::file_size(path, ec) > kMaxTokensFileBytes)
    throw ConfigError(file, "api.tokens_file", fmt::format("'{}' is larger than 1 MiB", path.string()));
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    const auto b = line.find_first_not_of(" \t\r");
    const auto e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    tokens.push_back(line.substr(b, e - b + 1));
  }
  if (tokens.empty()) throw ConfigError(file, "api.tokens_file", fmt::format("'{}' holds no token", path.string()));
  return tokens;
}

}  // namespace

Role parse_role(const std::string& name) {
  if (name == "all") return Role::All;
  if (name == "api") return Role::Api;
  if (name == "worker") return Role::Worker;
  throw ConfigError("", "role", "'" + name + "' is not a role (all, api or worker)");
}

const char* role_name(Role role) {
  switch (role) {
    case Role::Api: return "api";
    case Role::Worker: return "worker";
    case Role::All: break;
  }
  return "all";
}

bool valid_worker_tag(const std::string& tag) {
  if (tag.empty() || tag.size() > 64) return false;
  return std::all_of(tag.begin(), tag.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
           ch == '_' || ch == '-';
  });
}

bool StoreConfig::is_postgresql() const {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::filesystem::path StoreConfig::sqlite_path() const {
  constexpr std::string_view scheme = "sqlite://";
  if (url.rfind(scheme, 0) != 0) throw ConfigError("", "store.url", fmt::format("'{}' is not a sqlite:// URL", url));
  return std::filesystem::path(url.substr(scheme.size()));
}

Config load_config(const std::filesystem::path& file) {
  const std::string name = file.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(name);
  } catch (const YAML::BadFile&) {
    throw ConfigError(name, "", "cannot read the file");
  } catch (const YAML::ParserException& e) {
    throw ConfigError(name, "", fmt::format("not valid YAML: line {}: {}", e.mark.line + 1, e.msg));
  }
  const std::filesystem::path base = std::filesystem::absolute(file).parent_path();
  Config c;
  c.file = file;
  Section top(root, "", name);

  std::string role;
  top.read("role", role);
  if (root.IsMap() && root["role"] && !root["role"].IsNull()) {  // given, even as ""
    if (role != "all" && role != "api" && role != "worker")
      top.fail("role", "'" + role + "' is not a role (all, api or worker)");
    c.role = parse_role(role);
  }

  Section api(top.child("api"), "api", name);
  api.read("listen", c.api.listen);
  api.read_path("tokens_file", c.api.tokens_file, base);
  api.read("max_body_bytes", c.api.max_body_bytes);
  api.read("account_name", c.api.account_name);
  api.read("threads", c.api.threads);
  api.read("metrics_public", c.api.metrics_public);
  api.finish();
  if (c.api.listen.rfind(':') == std::string::npos) api.fail("api.listen", "'" + c.api.listen + "' must be host:port");
  if (c.api.threads < 1) api.fail("api.threads", "must be at least 1");
  if (!c.api.tokens_file.empty()) c.api.tokens = read_tokens(c.api.tokens_file, name);

  Section store(top.child("store"), "store", name);
  store.read("url", c.store.url);
  store.finish();
  if (c.store.url.empty()) store.fail("store.url", "is required (e.g. sqlite:///var/lib/mediaworker/jobs.db)");
  if (c.store.is_postgresql()) {
    // A libpq URI, given to the server as it is (its password is never logged).
  } else if (c.store.url.rfind("sqlite://", 0) != 0) {
    store.fail("store.url", fmt::format("'{}' is neither sqlite:///path/to/jobs.db nor "
                                        "postgresql://user@host/database",
                                        without_password(c.store.url)));
  } else if (const auto p = std::filesystem::path(c.store.url.substr(9)); p.is_relative()) {
    c.store.url = "sqlite://" + (base / p).string();
  }

  Section storage(top.child("storage"), "storage", name);
  storage.read_path("root", c.storage.root, base);
  storage.finish();
  if (c.storage.root.empty()) storage.fail("storage.root", "is required (the folder that holds the assets)");

  Section worker(top.child("worker"), "worker", name);
  worker.read("slots", c.worker.slots);
  worker.read("lease_seconds", c.worker.lease_seconds);
  worker.read("max_attempts", c.worker.max_attempts);
  worker.read("drain_seconds", c.worker.drain_seconds);
  worker.read("host_id", c.worker.host_id);
  std::string max_resolution;
  worker.read("max_resolution", max_resolution);
  worker.read("tags", c.worker.tags);
  worker.finish();
  if (!max_resolution.empty()) {
    char x = 0, rest = 0;
    if (std::sscanf(max_resolution.c_str(), "%d%c%d%c", &c.worker.max_width, &x, &c.worker.max_height, &rest) != 3 ||
        (x != 'x' && x != 'X') || c.worker.max_width < 0 || c.worker.max_height < 0 ||
        (c.worker.max_width == 0) != (c.worker.max_height == 0) || c.worker.max_width > 65535 ||
        c.worker.max_height > 65535)
      worker.fail("worker.max_resolution", "'" + max_resolution + "' must be WIDTHxHEIGHT, e.g. 1920x1080 (0x0: no limit)");
  }
  for (const auto& tag : c.worker.tags)
    if (!valid_worker_tag(tag))
      worker.fail("worker.tags", "'" + tag + "' is not a worker tag (1-64 characters of A-Z a-z 0-9 . _ -)");
  if (c.worker.slots < 0) worker.fail("worker.slots", "must be 0 or more");
  if (c.role == Role::Worker && c.worker.slots == 0)
    worker.fail("worker.slots", "is 0 with role worker: such a process would run nothing (give 1 or more)");
  if (c.worker.lease_seconds < 3) worker.fail("worker.lease_seconds", "must be at least 3");
  if (c.worker.max_attempts < 1) worker.fail("worker.max_attempts", "must be at least 1");
  if (c.worker.drain_seconds < 0) worker.fail("worker.drain_seconds", "must be 0 or more");
  if (c.worker.host_id.find_first_of(": \t\r\n/") != std::string::npos)
    worker.fail("worker.host_id", "'" + c.worker.host_id +
                                      "' may not contain ':', '/' or white space (the worker id is <host_id>:<pid>)");
  if (c.worker.host_id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    c.worker.host_id = host;
  }

  // presets.dirs (the documented key) or its alias presets.folders (the first releases' key).
  Section presets(top.child("presets"), "presets", name);
  std::vector<std::string> folders, folders_alias;
  presets.read("dirs", folders);
  presets.read("folders", folders_alias);
  presets.finish();
  if (!folders.empty() && !folders_alias.empty())
    presets.fail("presets.folders", "is an alias of presets.dirs; give one of them, not both");
  if (folders.empty()) folders = std::move(folders_alias);
  for (const auto& f : folders) c.preset_folders.push_back(std::filesystem::path(f).is_absolute() ? std::filesystem::path(f) : base / f);

  Section notifications(top.child("notifications"), "notifications", name);
  auto& n = c.notifications;
  notifications.read("account_id", n.account_id);
  notifications.read("progress_interval_seconds", n.progress_interval_seconds);
  notifications.read("retry_initial_seconds", n.retry_initial_seconds);
  notifications.read("retry_max_seconds", n.retry_max_seconds);
  notifications.read("max_age_seconds", n.max_age_seconds);
  notifications.read("timeout_seconds", n.timeout_seconds);
  notifications.read("verify_tls", n.verify_tls);
  notifications.read_path("ca_file", n.ca_file, base);
  notifications.read("max_in_flight_per_endpoint", n.max_in_flight_per_endpoint);
  notifications.finish();
  if (n.progress_interval_seconds < 0) notifications.fail("notifications.progress_interval_seconds", "must be 0 or more");
  if (!(n.retry_initial_seconds > 0)) notifications.fail("notifications.retry_initial_seconds", "must be more than 0");
  if (!(n.retry_max_seconds >= n.retry_initial_seconds))
    notifications.fail("notifications.retry_max_seconds", "must be at least retry_initial_seconds");
  if (n.max_age_seconds < 1) notifications.fail("notifications.max_age_seconds", "must be at least 1");
  if (n.timeout_seconds < 1) notifications.fail("notifications.timeout_seconds", "must be at least 1");
  if (n.max_in_flight_per_endpoint < 1) notifications.fail("notifications.max_in_flight_per_endpoint", "must be at least 1");

  Section log(top.child("log"), "log", name);
  log.read("level", c.log.level);
  log.read("format", c.log.format);
  log.finish();
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
  if (!levels.count(c.log.level)) log.fail("log.level", "'" + c.log.level + "' (allowed: trace, debug, info, warn, error)");
  if (c.log.format != "text" && c.log.format != "json") log.fail("log.format", "'" + c.log.format + "' (allowed: text, json)");
  top.finish();
  return c;
}

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::string> keys;
  const auto check = [&keys](const char* key, bool same) {
    if (!same) keys.emplace_back(key);
  };
  check("role", a.role == b.role);
  check("api.listen", a.api.listen == b.api.listen);
  check("api.tokens_file", a.api.tokens == b.api.tokens);
  check("api.max_body_bytes", a.api.max_body_bytes == b.api.max_body_bytes);
  check("api.account_name", a.api.account_name == b.api.account_name);
  check("api.threads", a.api.threads == b.api.threads);
  check("api.metrics_public", a.api.metrics_public == b.api.metrics_public);
  check("store.url", a.store.url == b.store.url);
  check("storage.root", a.storage.root == b.storage.root);
  check("worker.slots", a.worker.slots == b.worker.slots);
  check("worker.lease_seconds", a.worker.lease_seconds == b.worker.lease_seconds);
  check("worker.max_attempts", a.worker.max_attempts == b.worker.max_attempts);
  check("worker.drain_seconds", a.worker.drain_seconds == b.worker.drain_seconds);
  check("worker.host_id", a.worker.host_id == b.worker.host_id);
  check("worker.max_resolution", a.worker.max_width == b.worker.max_width && a.worker.max_height == b.worker.max_height);
  check("worker.tags", a.worker.tags == b.worker.tags);
  check("presets.dirs", a.preset_folders == b.preset_folders);
  const NotificationsConfig& n = a.notifications;
  const NotificationsConfig& m = b.notifications;
  check("notifications.account_id", n.account_id == m.account_id);
  check("notifications.progress_interval_seconds", n.progress_interval_seconds == m.progress_interval_seconds);
  check("notifications.retry_initial_seconds", n.retry_initial_seconds == m.retry_initial_seconds);
  check("notifications.retry_max_seconds", n.retry_max_seconds == m.retry_max_seconds);
  check("notifications.max_age_seconds", n.max_age_seconds == m.max_age_seconds);
  check("notifications.timeout_seconds", n.timeout_seconds == m.timeout_seconds);
  check("notifications.verify_tls", n.verify_tls == m.verify_tls);
  check("notifications.ca_file", n.ca_file == m.ca_file);
  check("notifications.max_in_flight_per_endpoint", n.max_in_flight_per_endpoint == m.max_in_flight_per_endpoint);
  check("log.level", a.log.level == b.log.level);
  check("log.format", a.log.format == b.log.format);
  return keys;
}

}  // namespace mw::config
