#include "daemon/runtime/worker_pool.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "daemon/log/context.hpp"
#include "daemon/runtime/package_task.hpp"
#include "daemon/runtime/task_progress.hpp"
#include "encoders/engine.hpp"
#include "presets/preset_error.hpp"

namespace mw::runtime {

namespace {

using std::chrono::steady_clock;

TimePoint now() { return Clock::now(); }
// steady_clock now in ms since its epoch (for the atomics that hold steady time points).
int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// A worker row with no heartbeat for this long leaves the worker table (it died or was
// unplugged; GET /api/Workers shows it as not alive until then).
constexpr std::chrono::hours kWorkerRowKept{1};

// What a task's processor produced: the output asset's files and what PerfMessage and the
// "Note" HistoricalEvents say of it.
struct TaskOutput {
  std::vector<encoders::OutputAssetFile> files;
  double media_s = 0;             // seconds of media processed
  std::vector<std::string> notes;
  const char* verb = "Encoding";  // "<verb> time is ..."
  std::string label;              // e.g. "preset 'H264 Multiple Bitrate 720p'"
};

// The primary file of an asset: the IsPrimary one, else its only file.
std::optional<AssetFile> primary_file(const std::vector<AssetFile>& files) {
  for (const auto& f : files)
    if (f.is_primary) return f;
  if (files.size() == 1) return files.front();
  return std::nullopt;
}

}  // namespace

WorkerPool::WorkerPool(WorkerOptions options, store::JobStore& store, const Storage& storage,
                       const PresetCatalog& presets, metrics::Metrics& metrics)
    : options_(std::move(options)), store_(store), storage_(storage), presets_(presets), metrics_(metrics) {}

void WorkerPool::count_store_error(const std::exception& e) {
  if (dynamic_cast<const store::StoreError*>(&e) != nullptr) metrics_.store_error(metrics::Component::Worker);
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    claiming_ = false;
    for (auto& [id, r] : running_) r->stop.request_stop();
  }
  for (auto& t : threads_) t.request_stop();
  work_cv_.notify_all();
  threads_.clear();  // joins
}

Worker WorkerPool::worker_row() const {
  Worker w;
  w.id = options_.worker_id;
  w.host_id = options_.host_id;
  w.pid = static_cast<int>(getpid());
  w.version = options_.version;
  w.slots = options_.slots;
  w.lease_seconds = static_cast<int>(options_.lease.count());
  w.capabilities = options_.capabilities;
  w.started = w.last_heartbeat = now();
  return w;
}

void WorkerPool::start() {
  if (options_.slots > 0) {
    // Two processes with one worker id would share leases and one row: refuse the second.
    for (const auto& w : store_.list_workers())
      if (w.id == options_.worker_id && w.last_heartbeat >= now() - std::chrono::seconds(w.lease_seconds))
        throw std::runtime_error(fmt::format(
            "worker {} is already running (its last heartbeat was {} s ago): give each process its own "
            "worker.host_id",
            w.id, std::chrono::duration_cast<std::chrono::seconds>(now() - w.last_heartbeat).count()));
    store_.register_worker(worker_row());
  }
  if (options_.recover_leases_at_start) {
    // Whatever a previous process of this host held is not running any more.
    const auto taken = store_.requeue_expired(now() + options_.lease + std::chrono::seconds(1), options_.max_attempts);
    for (const auto& id : taken) spdlog::warn("task {}: taken back from a previous run of this host", id);
  }
  last_maintenance_ms_ = steady_ms();
  metrics_.set_slots(options_.slots);
  for (int i = 0; i < options_.slots; ++i)
    threads_.emplace_back([this, i](std::stop_token st) { slot_loop(i, st); });
  threads_.emplace_back([this](std::stop_token st) { maintenance_loop(st); });
}

void WorkerPool::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wake_seq_;
  }
  work_cv_.notify_all();
}

void WorkerPool::cancel_job(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  for (auto& [task_id, r] : running_)
    if (r->job_id == job_id) {
      r->canceled = true;
      r->stop.request_stop();
    }
}

int WorkerPool::running() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(running_.size());
}

void WorkerPool::set_running_listener(std::function<void(int)> listener) {
  running_listener_ = std::move(listener);
}

steady_clock::time_point WorkerPool::last_maintenance() const {
  return steady_clock::time_point(std::chrono::milliseconds(last_maintenance_ms_.load()));
}

std::chrono::milliseconds WorkerPool::maintenance_interval() const {
  return std::max<std::chrono::milliseconds>(std::chrono::seconds(1), options_.lease / 3);
}

int WorkerPool::drain(steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  claiming_ = false;
  work_cv_.notify_all();
  drained_cv_.wait_until(lock, deadline, [&] { return running_.empty(); });
  const int given_back = static_cast<int>(running_.size());
  for (auto& [id, r] : running_) r->stop.request_stop();  // not canceled: released to the queue
  drained_cv_.wait(lock, [&] { return running_.empty(); });
  lock.unlock();  // the store's commit hook calls wake(), which takes mutex_
  if (options_.slots > 0) {
    try {
      store_.remove_worker(options_.worker_id);
    } catch (const std::exception& e) {
      spdlog::warn("removing worker {} from the worker table failed: {}", options_.worker_id, e.what());
    }
  }
  return given_back;
}

void WorkerPool::slot_loop(int slot, std::stop_token stop) {
  while (!stop.stop_requested()) {
    uint64_t seq;
    {
      std::lock_guard lock(mutex_);
      if (!claiming_) return;
      seq = wake_seq_;
    }
    std::optional<store::Claim> claim;
    try {
      claim = store_.claim_task(options_.worker_id, now(), options_.lease, &options_.capabilities);
    } catch (const std::exception& e) {
      count_store_error(e);
      spdlog::error("claiming a task failed: {}", e.what());
    }
    if (!claim) {
      std::unique_lock lock(mutex_);
      // Sleep until a wake-up that came after our look at the queue, or the poll interval.
      work_cv_.wait_for(lock, stop, options_.idle_poll, [&] { return wake_seq_ != seq || !claiming_; });
      continue;
    }
    try {
      const log::Scope about_task({claim->job_id, claim->task_id, {}});
      run_task(*claim, slot);
    } catch (const std::exception& e) {
      count_store_error(e);
      // The store was unreachable (e.g. the connection broke during a COMMIT): the outcome is
      // not recorded, so the lease runs out and the task runs again. Escaping this thread
      // would end the process and every other slot's encode with it.
      spdlog::error("task {} of job {}: {}; it runs again when its lease expires", claim->task_id,
                    claim->job_id, e.what());
    }
    wake();  // a finished task can make a chained task runnable
  }
}

void WorkerPool::maintenance_loop(std::stop_token stop) {
  const auto interval = maintenance_interval();
  const auto started = steady_clock::now();
  std::mutex m;
  std::condition_variable_any cv;
  while (!stop.stop_requested()) {
    last_maintenance_ms_ = steady_ms();
    maintain(started);
    last_maintenance_ms_ = steady_ms();
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, interval, [] { return false; });
  }
}

void WorkerPool::store_failed() {
  last_store_failure_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                               steady_clock::now().time_since_epoch())
                               .count();
}

bool WorkerPool::store_recently_failed() const {
  const auto failed = steady_clock::time_point(std::chrono::milliseconds(last_store_failure_ms_.load()));
  return last_store_failure_ms_.load() != 0 && steady_clock::now() - failed < options_.lease;
}

void WorkerPool::maintain(steady_clock::time_point started) {
  try {
    // After the store was unreachable, live workers' leases look expired only because their
    // renewals failed too: give them one lease period to renew before taking anything back.
    if (store_recently_failed()) throw std::runtime_error("waiting one lease period after a store failure");
    const auto taken = store_.requeue_expired(now(), options_.max_attempts);
    for (const auto& id : taken) {
      spdlog::warn("task {}: its worker's lease expired; taken back", id);
      remove_partial_outputs(id);
    }
    if (!taken.empty()) wake();
  } catch (const store::StoreError& e) {
    store_failed();
    metrics_.store_error(metrics::Component::Worker);
    spdlog::error("requeueing expired tasks failed: {}", e.what());
  } catch (const std::exception& e) {
    spdlog::debug("requeueing expired tasks skipped: {}", e.what());
  }
  try {
    if (options_.slots > 0 && !store_.worker_heartbeat(options_.worker_id, now())) {
      spdlog::warn("worker {}: its row was pruned from the worker table (no heartbeat for {} s); registering again",
                   options_.worker_id, std::chrono::duration_cast<std::chrono::seconds>(kWorkerRowKept).count());
      store_.register_worker(worker_row());
    }
    store_.prune_workers(now() - kWorkerRowKept);
    // Waiting tasks, once every worker had a lease period to register after a farm restart.
    if (steady_clock::now() - started < options_.lease) return;
    std::vector<Worker> live;
    for (auto& w : store_.list_workers())
      if (w.last_heartbeat >= now() - std::chrono::seconds(w.lease_seconds)) live.push_back(std::move(w));
    const auto noted = store_.note_waiting_tasks(
        [&](const TaskRequirements& r) { return why_waiting(live, r); }, now(), 1000);
    for (const auto& id : noted) spdlog::warn("task {}: no live worker can run it; it waits", id);
  } catch (const std::exception& e) {
    store_failed();
    count_store_error(e);
    spdlog::error("worker table maintenance failed: {}", e.what());
  }
}

std::string WorkerPool::why_waiting(const std::vector<Worker>& live, const TaskRequirements& requirements) const {
  if (live.empty())
    return "no live worker: no worker has sent a heartbeat within its lease (GET /api/Workers)";
  std::string reasons;
  for (const auto& w : live) {
    const std::string why = cannot_run(w.capabilities, requirements);
    if (why.empty()) return "";
    reasons += fmt::format("{}worker '{}': {}", reasons.empty() ? "" : "; ", w.id, why);
  }
  return "no live worker can run this task: " + reasons;
}

void WorkerPool::run_task(const store::Claim& claim, int slot) {
  Running running;
  running.job_id = claim.job_id;
  size_t now_running;
  {
    std::lock_guard lock(mutex_);
    running_[claim.task_id] = &running;
    now_running = running_.size();
    metrics_.set_leases_held(static_cast<int64_t>(running_.size()));
  }
  if (running_listener_) running_listener_(static_cast<int>(now_running));
  struct Unregister {
    WorkerPool& pool;
    const std::string& id;
    ~Unregister() {
      size_t left;
      {
        std::lock_guard lock(pool.mutex_);
        pool.running_.erase(id);
        left = pool.running_.size();
        pool.metrics_.set_leases_held(static_cast<int64_t>(left));
        pool.drained_cv_.notify_all();
      }
      if (pool.running_listener_) pool.running_listener_(static_cast<int>(left));
    }
  } unregister{*this, claim.task_id};
  // The outcome this process recorded in the store (none when the lease was lost, the task was
  // given back or the store failed), observed with the time since the claim as it is recorded.
  struct Outcome {
    explicit Outcome(metrics::Metrics& m) : metrics(m) {}
    void record(metrics::Outcome ended, int64_t output_bytes = 0) {
      metrics.task_ended(ended, std::chrono::duration<double>(steady_clock::now() - claimed).count());
      if (ended == metrics::Outcome::Finished) metrics.add_output_bytes(output_bytes);
    }
    metrics::Metrics& metrics;
    steady_clock::time_point claimed = steady_clock::now();
  } outcome(metrics_);

  const auto task = store_.find_task(claim.task_id);
  if (!task) return;
  const std::string& output_asset = task->output_asset_ids.front();
  const log::Scope about_output({claim.job_id, claim.task_id, output_asset});
  const bool keep_outputs = task->options & kDoNotDeleteOutputAssetOnFailure;
  // This attempt writes here; only finish_task's fenced publish moves files into the asset.
  const auto attempt_dir = storage_.attempt_dir(output_asset, claim.lease_token);
  auto remove_attempt = [&] {
    std::error_code ec;
    std::filesystem::remove_all(attempt_dir, ec);
  };
  auto lost_lease = [&] {
    spdlog::warn("task {} of job {}: worker {} lost its lease (taken back or the job ended meanwhile); "
                 "stopping without writing anything",
                 claim.task_id, claim.job_id, options_.worker_id);
    remove_attempt();
  };
  auto fail = [&](const char* code, const std::string& message) {
    if (!store_.fail_task(claim, now(), {code, message})) return lost_lease();  // not ours to record
    outcome.record(metrics::Outcome::Error);
    if (keep_outputs)
      keep_attempt_files(output_asset, claim.lease_token);  // DoNotDeleteOutputAssetOnFailure
    else
      storage_.clear_asset_dir(output_asset);
    spdlog::error("task {} of job {}: {}: {}", task->id, task->job_id, code, message);
  };

  // What runs once the task is Processing: its processor's engine call, prepared and checked
  // here (a bad Configuration or input fails the task before it starts).
  std::function<TaskOutput(encoders::ProgressListener*, std::stop_token)> work;
  std::string what;  // for the log: what the task does
  presets::Preset preset;
  encoders::EncodeRequest request;
  const std::string& input_asset = task->input_asset_ids.front();
  if (is_media_packager(task->media_processor_id)) {
    PackagerConfiguration config;
    try {
      config = parse_packager_configuration(task->configuration);
    } catch (const PackagerConfigurationError& e) {
      return fail("ErrorParsingConfiguration", e.what());
    }
    what = fmt::format("packaging asset {} as '{}'", input_asset, config.description);
    work = [this, config, &input_asset, &attempt_dir](encoders::ProgressListener* listener, std::stop_token stop) {
      auto packaged = run_package_task(config, store_.asset_files(input_asset), storage_, input_asset, attempt_dir,
                                       listener, stop);
      return TaskOutput{std::move(packaged.asset.files), packaged.asset.duration_s, std::move(packaged.notes),
                        "Packaging", fmt::format("configuration '{}'", config.description)};
    };
  } else {
    try {
      preset = presets_.current()->resolve(task->configuration);
    } catch (const presets::PresetError& e) {
      return fail("ErrorParsingConfiguration", e.what());
    }
    const auto input = primary_file(store_.asset_files(input_asset));
    if (!input)
      return fail("ErrorDownloadingInputAssetMalformedContent",
                  fmt::format("input asset {} has no primary file", input_asset));
    const auto input_path = storage_.file_path(input_asset, input->name);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(input_path, ec))
      return fail("ErrorDownloadingInputAssetMalformedContent",
                  fmt::format("input asset {}: file '{}' is missing from storage", input_asset, input->name));
    request.input = input_path.string();
    // MES Sources naming assets: every input asset, in the task's order (concatenation). The
    // input metadata file stays the primary (first) input's.
    bool all_inputs = false;
    for (const auto& s : preset.sources) all_inputs |= !s.asset_id.empty();
    if (all_inputs) {
      for (const auto& asset : task->input_asset_ids) {
        const auto file = primary_file(store_.asset_files(asset));
        if (!file)
          return fail("ErrorDownloadingInputAssetMalformedContent",
                      fmt::format("input asset {} has no primary file", asset));
        request.inputs.push_back({storage_.file_path(asset, file->name).string(), asset});
      }
    }
    request.preset = &preset;
    request.output_dir = attempt_dir;
    request.input_metadata_name = guid_of(input_asset) + "_metadata.xml";
    what = fmt::format("processing '{}' with preset '{}'", input->name, preset.name);
    work = [&](encoders::ProgressListener* listener, std::stop_token stop) {
      encoders::EncodeResult result = encoders::encode(request, listener, stop);
      return TaskOutput{std::move(result.files), result.plan.duration_s, std::move(result.plan.notes), "Encoding",
                        fmt::format("preset '{}'", preset.name)};
    };
  }
  // What earlier attempts left goes before this one starts: the attempt folders of workers that
  // died or lost their lease, and files an attempt published whose Finished was never committed
  // (the task is not Finished, so no AssetFile of its output asset is registered).
  if (storage_.clear_asset_dir(output_asset) > 0)
    spdlog::info("task {}: removed what earlier attempts left in output asset {}", task->id, output_asset);
  try {
    std::filesystem::create_directories(attempt_dir);
  } catch (const std::exception& e) {
    return fail("ErrorUploadingOutputAsset", fmt::format("output asset {}: {}", output_asset, e.what()));
  }

  switch (store_.start_task(claim, now())) {
    case store::LeaseStatus::Lost: return lost_lease();
    case store::LeaseStatus::CancelRequested:
      storage_.clear_asset_dir(output_asset);
      if (store_.task_canceled(claim, now())) outcome.record(metrics::Outcome::Canceled);
      return;
    case store::LeaseStatus::Held: break;
  }
  // Processing from here until run_task returns.
  struct Processing {
    WorkerPool& pool;
    explicit Processing(WorkerPool& p) : pool(p) { pool.metrics_.set_tasks_running(++pool.processing_); }
    ~Processing() { pool.metrics_.set_tasks_running(--pool.processing_); }
  } processing{*this};
  spdlog::info("task {} of job {}: {} (attempt {})", task->id, task->job_id, what, claim.attempt);

  // Heartbeat: lease renewal and Progress, at least once a second; learns of cancellation.
  ProgressSink progress;
  FrameMeter frames(metrics_, progress, slot);
  std::atomic<bool> lost{false};
  const auto beat = std::min<std::chrono::milliseconds>(std::chrono::seconds(1), options_.lease / 3);
  std::jthread heartbeat([&](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(m);
        cv.wait_for(lock, stop, beat, [] { return false; });  // wakes early only when stopped
      }
      if (stop.stop_requested()) return;
      frames.tick();
      try {
        switch (store_.renew_lease(claim, now(), options_.lease, progress.value())) {
          case store::LeaseStatus::Held: break;
          case store::LeaseStatus::CancelRequested:
            running.canceled = true;
            running.stop.request_stop();
            break;
          case store::LeaseStatus::Lost:
            lost = true;
            running.stop.request_stop();
            return;
        }
      } catch (const std::exception& e) {
        store_failed();
        count_store_error(e);
        spdlog::warn("task {}: renewing the lease failed: {}", claim.task_id, e.what());
      }
    }
  });

  const auto started = steady_clock::now();
  TaskOutput result;
  try {
    result = work(&progress, running.stop.get_token());
  } catch (const encoders::EncodeError& e) {
    heartbeat.request_stop();
    heartbeat.join();
    frames.tick(true);
    if (lost) return lost_lease();  // another worker owns the task now: touch nothing else
    if (e.category() == encoders::ErrorCategory::Canceled) {
      if (running.canceled)
        storage_.clear_asset_dir(output_asset);  // what a dead earlier attempt published goes too
      else
        remove_attempt();
      if (running.canceled) {
        if (store_.task_canceled(claim, now())) outcome.record(metrics::Outcome::Canceled);
        spdlog::info("task {} of job {}: canceled", task->id, task->job_id);
      } else {
        store_.release_task(claim, now());
        spdlog::info("task {} of job {}: given back to the queue (shutting down)", task->id, task->job_id);
      }
      return;
    }
    return fail(encoders::ams_error_code(e.category()), e.what());
  } catch (const std::exception& e) {
    heartbeat.request_stop();
    heartbeat.join();
    frames.tick(true);
    if (lost) return lost_lease();
    return fail("ErrorProcessingTask", e.what());
  }
  heartbeat.request_stop();
  heartbeat.join();
  frames.tick(true);
  if (lost) return lost_lease();

  const double seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  std::vector<AssetFile> files;
  int64_t bytes = 0;
  for (const auto& f : result.files) {
    AssetFile a;
    a.id = new_id(kAssetIdPrefix);
    a.name = f.name;
    a.parent_asset_id = output_asset;
    a.content_file_size = f.size_bytes;
    a.mime_type = f.mime_type;
    a.is_primary = f.is_primary;
    a.created = a.last_modified = now();
    bytes += f.size_bytes;
    files.push_back(std::move(a));
  }
  const double media = result.media_s;
  const std::string perf = fmt::format(
      "{} time is {:.2f} s for {:.2f} s of media ({:.2f}x real time); {} output files, {} bytes; {}", result.verb,
      seconds, media, media > 0 ? media / seconds : 0.0, files.size(), bytes, result.label);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.name);
  try {
    const bool finished = store_.finish_task(claim, now(), files, perf, result.notes, [&] {
      storage_.publish_attempt(output_asset, claim.lease_token, names);
    });
    if (finished) {
      outcome.record(metrics::Outcome::Finished, bytes);
      spdlog::info("task {} of job {}: finished: {}", task->id, task->job_id, perf);
    } else {
      lost_lease();  // taken over before the outputs were published
    }
  } catch (const store::StoreError& e) {
    // The outcome is not recorded: the lease runs out and the task runs again.
    metrics_.store_error(metrics::Component::Worker);
    spdlog::error("task {} of job {}: recording its outcome failed: {}", task->id, task->job_id, e.what());
  } catch (const std::exception& e) {
    fail("ErrorUploadingOutputAsset", fmt::format("output asset {}: {}", output_asset, e.what()));
  }
}

void WorkerPool::remove_partial_outputs(const std::string& task_id) const {
  // Only a task that ended: a requeued one may already be claimed by a worker writing its own
  // attempt folder (that worker removes the earlier attempts' folders itself).
  const auto task = store_.find_task(task_id);
  if (!task || !is_final(task->state)) return;
  const bool keep = task->options & kDoNotDeleteOutputAssetOnFailure;
  for (const auto& asset : task->output_asset_ids)
    if (keep)
      storage_.remove_attempt_dirs(asset);
    else
      storage_.clear_asset_dir(asset);
}

void WorkerPool::keep_attempt_files(const std::string& asset_id, int64_t lease_token) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(storage_.attempt_dir(asset_id, lease_token), ec))
    if (entry.is_regular_file(ec) && Storage::valid_file_name(entry.path().filename().string()))
      names.push_back(entry.path().filename().string());
  try {
    storage_.publish_attempt(asset_id, lease_token, names);
  } catch (const std::exception& e) {
    spdlog::warn("output asset {}: keeping the failed task's files: {}", asset_id, e.what());
  }
}

}  // namespace mw::runtime
