#include "daemon/service/daemon.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "daemon/config/redact.hpp"
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
}

Daemon::~Daemon() {
  if (api_) api_->stop();
  store_->set_change_listener({});  // before the dispatcher and the workers it wakes go
}

void Daemon::start() {
  notifications_->start();
  workers_->start();
  const int slots = config_.role == config::Role::Api ? 0 : config_.worker.slots;
  api_->start();
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
  readiness_.set(api::Readiness::Phase::Ready);
  spdlog::info("mediaworker: {} presets from {} folders (SIGHUP reloads them)", presets_.current()->all().size(),
               preset_folders(config_).size());
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

void Daemon::run_until(std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;
  {
    std::unique_lock lock(m);
    cv.wait(lock, stop, [] { return false; });  // returns when stop is requested
  }
  if (config_.role == config::Role::Api)
    spdlog::info("mediaworker: stopping (role api: no tasks to drain)");
  else
    spdlog::info("mediaworker: stopping: no new tasks; draining up to {} s", config_.worker.drain_seconds);
  readiness_.set(api::Readiness::Phase::Draining);
  if (config_.role != config::Role::Worker) api_->stop();  // a worker's /metrics stays up while it drains
  const int given_back =
      workers_->drain(std::chrono::steady_clock::now() + std::chrono::seconds(config_.worker.drain_seconds));
  notifications_->stop();
  api_->stop();
  const auto counts = store_->notification_counts();
  spdlog::info("mediaworker: stopped ({} running task(s) given back to the queue; {} notification(s) "
               "still queued)",
               given_back, counts.pending);
}

unsigned short Daemon::port() const { return api_->port(); }

}  // namespace mw::service
