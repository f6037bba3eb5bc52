#include "daemon/service/daemon.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "daemon/config/redact.hpp"
#include "daemon/log/logging.hpp"
#include "daemon/store/pg_job_store.hpp"
#include "daemon/store/sqlite_job_store.hpp"
#include "daemon/runtime/capabilities.hpp"
#include "presets/preset_error.hpp"

#ifndef MW_VERSION
#define MW_VERSION "0.0.0"
#endif

namespace mw::service {

namespace {
constexpr const char* kVersion = MW_VERSION;

std::vector<std::filesystem::path> preset_folders(const config::Config& c) {
  std::vector<std::filesystem::path> folders{presets::default_preset_dir()};
  folders.insert(folders.end(), c.preset_folders.begin(), c.preset_folders.end());
  return folders;
}
// The JobStore of store.url: PostgreSQL for a farm, else the SQLite file of one host.
std::unique_ptr<store::JobStore> open_store(const config::StoreConfig& store) {
  if (store.is_postgresql()) return std::make_unique<store::PgJobStore>(store.url);
  return std::make_unique<store::SqliteJobStore>(store.sqlite_path());
}

// A farm's host checks that its storage.root is the farm's shared storage (the identity in the
// root's marker file is the one the store records), so that a host whose shared storage is not
// mounted refuses to start instead of failing every task it claims.
void check_shared_storage(store::JobStore& store, const runtime::Storage& storage) {
  const std::string marker = storage.identity();
  const std::string proposed = marker.empty() ? runtime::new_guid() : marker;
  const std::string recorded = store.storage_identity(proposed);
  if (marker == recorded) return;
  if (!marker.empty())
    throw std::runtime_error(fmt::format(
        "storage.root {} is another storage (identity {} in its .mediaworker-storage) than this farm's ({}): "
        "is the right shared storage mounted there?",
        storage.root().string(), marker, recorded));
  if (recorded != proposed)
    throw std::runtime_error(fmt::format(
        "storage.root {} has no .mediaworker-storage marker, but this farm's shared storage has one (identity "
        "{}): is the shared storage mounted there?",
        storage.root().string(), recorded));
  storage.write_identity(recorded);  // the farm's first host: this is the shared storage
}

}  // namespace

Daemon::Daemon(config::Config config)
    : config_(std::move(config)),
      metrics_(kVersion),
      store_(open_store(config_.store)),
      storage_(config_.storage.root),
      presets_(presets::PresetLibrary::load(preset_folders(config_))),
      jobs_(*store_, storage_, presets_) {
  if (config_.store.is_postgresql()) check_shared_storage(*store_, storage_);
  notifications_ = std::make_unique<notify::Dispatcher>(*store_, config_.notifications,
                                                        config_.api.account_name, metrics_);
  runtime::WorkerOptions w;
  w.slots = config_.role == config::Role::Api ? 0 : config_.worker.slots;
  w.lease = std::chrono::seconds(config_.worker.lease_seconds);
  w.max_attempts = config_.worker.max_attempts;
  w.worker_id = config_.worker.host_id + ":" + std::to_string(getpid());
  w.host_id = config_.worker.host_id;
  w.version = kVersion;
  w.capabilities =
      runtime::local_capabilities(config_.worker.max_width, config_.worker.max_height, config_.worker.tags);
  // On a shared store a previous process of this host id may not be this host's (two daemons
  // with one host id): its tasks are taken back when their leases run out, not at start.
  w.recover_leases_at_start = !config_.store.is_postgresql();
  workers_ = std::make_unique<runtime::WorkerPool>(w, *store_, storage_, presets_, metrics_);
  // A change committed here or (PostgreSQL) on another host: deliver it, look for work.
  store_->set_change_listener([this] {
    notifications_->wake();
    workers_->wake();
  });
  jobs_.set_created_listener([this](const std::string&) { workers_->wake(); });
  jobs_.set_cancel_listener([this](const std::string& job_id) { workers_->cancel_job(job_id); });
  // Role worker listens too, for /metrics, /healthz and /readyz only (docs/farm.md).
  api_ = std::make_unique<api::ApiServer>(config_.api, *store_, jobs_, storage_,
                                          api::OpsOptions{&metrics_, &readiness_, config_.role == config::Role::Worker});
  if (systemd_.enabled()) {
    ReporterProbes probes;
    probes.status = [this] { return status_text(); };
    probes.why_not_alive = [this] { return why_not_alive(); };
    probes.post_to_api = [this](std::function<void()> handler) { api_->post(std::move(handler)); };
    reporter_ = std::make_unique<SystemdReporter>(systemd_, std::move(probes));
    workers_->set_running_listener([this](int) { reporter_->status_changed(); });
  }
}

Daemon::~Daemon() {
  if (reporter_) reporter_->stop();  // its probes use the workers and the API
  if (api_) api_->stop();
  store_->set_change_listener({});  // before the dispatcher and the workers it wakes go
}

void Daemon::start() {
  notifications_->start();
  workers_->start();
  const int slots = config_.role == config::Role::Api ? 0 : config_.worker.slots;
  api_->start();
  // Ready before the line announcing the port: who reads that line may ask /readyz at once.
  readiness_.set(api::Readiness::Phase::Ready);
  if (config_.role != config::Role::Worker) {
    spdlog::info("mediaworker: listening on http://{}:{}/api/ with {} worker slot(s) (role {}); store {}; storage {}",
                 config_.api.listen.substr(0, config_.api.listen.rfind(':')), api_->port(), slots,
                 config::role_name(config_.role), config::without_password(config_.store.url),
                 config_.storage.root.string());
  } else {
    spdlog::info("mediaworker: worker {}:{} running {} worker slot(s) (role worker, no API); metrics on "
                 "http://{}:{}/metrics; store {}; storage {}",
                 config_.worker.host_id, getpid(), slots, config_.api.listen.substr(0, config_.api.listen.rfind(':')),
                 api_->port(), config::without_password(config_.store.url), config_.storage.root.string());
  }
  spdlog::info("mediaworker: {} presets from {} folders (SIGHUP reloads them and the config)", presets_.current()->all().size(),
               preset_folders(config_).size());
  phase_ = Phase::Running;
  // The store is open, the slots run and the port accepts connections: systemd may order
  // dependent units after us now.
  systemd_.ready(status_text());
  if (reporter_) reporter_->start();
}

std::string Daemon::status_text() const {
  const int slots = config_.role == config::Role::Api ? 0 : config_.worker.slots;
  const std::string api = fmt::format("{}:{}", config_.api.listen.substr(0, config_.api.listen.rfind(':')), api_->port());
  switch (phase_.load()) {
    case Phase::Starting:
      return "Starting";
    case Phase::Running:
      if (config_.role == config::Role::Api) return fmt::format("API only on {} (role api, no worker slots)", api);
      return fmt::format("Running {} of {} slot(s); {}", workers_->running(), slots,
                         config_.role == config::Role::Worker ? "role worker, metrics on " + api : "API on " + api);
    case Phase::Draining: {
      if (config_.role == config::Role::Api) return "Stopping (role api: no tasks to drain)";
      const auto left = std::chrono::ceil<std::chrono::seconds>(drain_deadline_ - std::chrono::steady_clock::now());
      return fmt::format("Draining {} task(s) for at most {} s more; no new tasks", workers_->running(),
                         std::max<int64_t>(0, left.count()));
    }
    case Phase::Stopped:
      return fmt::format("Stopped; {} running task(s) given back to the queue", given_back_.load());
  }
  return "";
}

std::optional<std::string> Daemon::why_not_alive() const {
  (void)workers_->running();  // takes the pool's lock: a deadlock there blocks the pings
  // One maintenance round may take a while (a slow store); allow one watchdog interval on top.
  const auto allowed = workers_->maintenance_interval() +
                       systemd_.watchdog_interval().value_or(std::chrono::microseconds::zero());
  const auto age = std::chrono::steady_clock::now() - workers_->last_maintenance();
  if (age <= allowed) return std::nullopt;
  return fmt::format("the worker pool's maintenance thread last ran {} ms ago (allowed {} ms): a store call hangs?",
                     std::chrono::duration_cast<std::chrono::milliseconds>(age).count(),
                     std::chrono::duration_cast<std::chrono::milliseconds>(allowed).count());
}

bool Daemon::reload_presets() {
  const auto folders = preset_folders(config_);
  try {
    presets::PresetLibrary library = presets::PresetLibrary::load(folders);
    const size_t count = library.all().size();
    presets_.replace(std::move(library));
    spdlog::info("presets reloaded: {} presets from {} folders", count, folders.size());
    return true;
  } catch (const presets::PresetError& e) {
    spdlog::error("presets reload failed: {}; keeping the previous {} presets", e.what(),
                  presets_.current()->all().size());
  } catch (const std::exception& e) {  // e.g. bad_alloc: the old set stays all the same
    spdlog::error("presets reload failed: {}; keeping the previous {} presets", e.what(),
                  presets_.current()->all().size());
  }
  return false;
}

void Daemon::reload(const std::string& role_override) {
  systemd_.reloading("Reloading the config and presets");
  try {
    config::Config fresh = config::load_config(config_.file);
    if (!role_override.empty()) fresh.role = config::parse_role(role_override);
    reconfigure(std::move(fresh));
  } catch (const config::ConfigError& e) {
    spdlog::error("config reload failed: {}; keeping the running configuration and presets", e.what());
  } catch (const std::exception& e) {  // e.g. bad_alloc: the running configuration stays all the same
    spdlog::error("config reload failed: {}; keeping the running configuration and presets", e.what());
  }
  systemd_.ready(status_text());
}

void Daemon::reconfigure(config::Config fresh) {
  std::vector<std::string> applied, at_restart;
  const auto previous_folders = config_.preset_folders;
  for (const std::string& key : config::changed_keys(config_, fresh)) {
    if (key == "log.level") {
      log::set_level(fresh.log.level);
      config_.log.level = fresh.log.level;
    } else if (key == "api.tokens_file") {
      try {
        api_->replace_tokens(fresh.api.tokens);
        config_.api.tokens = fresh.api.tokens;
      } catch (const std::invalid_argument& e) {
        at_restart.push_back(fmt::format("{} ({})", key, e.what()));
        continue;
      }
    } else if (key == "presets.dirs") {
      config_.preset_folders = fresh.preset_folders;
    } else {
      at_restart.push_back(key);
      continue;
    }
    applied.push_back(key);
  }
  spdlog::info("config reloaded from {}: {}", fresh.file.string(),
               applied.empty() ? std::string("nothing to apply") : "applied " + fmt::format("{}", fmt::join(applied, ", ")));
  if (!at_restart.empty())
    spdlog::warn("config reload: {} changed: takes effect at the next restart (systemctl restart mediaworker); "
                 "the running value stays until then",
                 fmt::join(at_restart, ", "));
  if (!reload_presets() && config_.preset_folders != previous_folders) {
    config_.preset_folders = previous_folders;
    spdlog::warn("config reload: presets.dirs stays as it was (its presets did not load)");
  }
}

void Daemon::run_until(std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;
  {
    std::unique_lock lock(m);
    cv.wait(lock, stop, [] { return false; });  // returns when stop is requested
  }
  const auto drain = std::chrono::seconds(config_.worker.drain_seconds);
  drain_deadline_ = std::chrono::steady_clock::now() + drain;
  phase_ = Phase::Draining;
  systemd_.stopping(status_text());
  // The drain, giving back what still runs and closing the store, even when TimeoutStopSec= is
  // shorter than worker.drain_seconds.
  if (config_.role != config::Role::Api) systemd_.extend_timeout(drain + std::chrono::seconds(30));
  if (config_.role == config::Role::Api)
    spdlog::info("mediaworker: stopping (role api: no tasks to drain)");
  else
    spdlog::info("mediaworker: stopping: no new tasks; draining up to {} s", config_.worker.drain_seconds);
  readiness_.set(api::Readiness::Phase::Draining);
  if (config_.role != config::Role::Worker) {  // a worker's /metrics stays up while it drains
    if (reporter_) reporter_->api_stopped();
    api_->stop();
  }
  const int given_back = workers_->drain(drain_deadline_);
  notifications_->stop();
  if (reporter_) reporter_->api_stopped();
  api_->stop();
  given_back_ = given_back;
  phase_ = Phase::Stopped;
  systemd_.status(status_text());
  // A store that is down now must not turn a requested stop into a failure (exit 1 and no
  // "stopped" line): the count is only for the line.
  std::string queued;
  try {
    queued = fmt::format("{}", store_->notification_counts().pending);
  } catch (const std::exception& e) {
    queued = "an unknown number of";
    spdlog::warn("mediaworker: the store did not say how many notifications are still queued: {}",
                 e.what());
  }
  spdlog::info("mediaworker: stopped ({} running task(s) given back to the queue; {} notification(s) "
               "still queued)",
               given_back, queued);
}

unsigned short Daemon::port() const { return api_->port(); }

}  // namespace mw::service
