#include "daemon/metrics/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <chrono>
#include <sstream>

namespace mw::metrics {

const std::array<const char*, 7> kStateNames = {"Queued", "Scheduled", "Processing", "Finished",
                                                "Error",  "Canceled",  "Canceling"};

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// Task durations, seconds: a thumbnail or a remux takes a second or two, an encode of a feature
// film on one host an hour or more.
const prometheus::Histogram::BucketBoundaries kDurationBuckets = {
    1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};

constexpr const char* kFarmWide =
    " Read from the job store at scrape time: on a farm (PostgreSQL) farm-wide, the same on every host.";
constexpr const char* kPerProcess = " Counted by this process since it started (per host on a farm).";

std::string help(const char* text, const char* scope) { return std::string(text) + scope; }

}  // namespace

Metrics::Metrics(const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()),
      jobs_family_(BuildGauge()
                       .Name("mediaworker_jobs")
                       .Help(help("Jobs by AMS State.", kFarmWide))
                       .Register(*registry_)),
      tasks_family_(BuildGauge()
                        .Name("mediaworker_tasks")
                        .Help(help("Tasks by AMS State.", kFarmWide))
                        .Register(*registry_)),
      queue_depth_(BuildGauge()
                       .Name("mediaworker_queue_depth_tasks")
                       .Help(help("Queued tasks whose inputs are ready: what a free slot could claim now.",
                                  kFarmWide))
                       .Register(*registry_)
                       .Add({})),
      duration_family_(BuildHistogram()
                           .Name("mediaworker_task_duration_seconds")
                           .Help(help("Wall time of the tasks this process ran, from the claim to the end, by "
                                      "outcome (finished, error, canceled); tasks given back at shutdown are "
                                      "not observed.",
                                      kPerProcess))
                           .Register(*registry_)),
      output_bytes_(BuildCounter()
                        .Name("mediaworker_output_bytes_total")
                        .Help(help("Bytes of the output asset files of the tasks this process finished.",
                                   kPerProcess))
                        .Register(*registry_)
                        .Add({})),
      video_frames_(BuildCounter()
                        .Name("mediaworker_video_frames_total")
                        .Help(help("Video frames this process's encodes read into their filter graphs "
                                   "(rate() is the host's encode speed in frames per second).",
                                   kPerProcess))
                        .Register(*registry_)
                        .Add({})),
      slot_fps_family_(BuildGauge()
                           .Name("mediaworker_slot_encode_fps")
                           .Help("Encode speed of each worker slot of this process in video frames per second "
                                 "(over the last heartbeat, about 1 s); 0 while the slot is idle.")
                           .Register(*registry_)),
      tasks_running_(BuildGauge()
                         .Name("mediaworker_tasks_running")
                         .Help("Tasks this process is running (Processing) now.")
                         .Register(*registry_)
                         .Add({})),
      leases_held_(BuildGauge()
                       .Name("mediaworker_leases_held")
                       .Help("Task leases this process holds now (from the claim to the task's end).")
                       .Register(*registry_)
                       .Add({})),
      deliveries_(BuildCounter()
                      .Name("mediaworker_notification_deliveries_total")
                      .Help(help("Webhook notifications acknowledged by their endpoint (2xx).", kPerProcess))
                      .Register(*registry_)
                      .Add({})),
      delivery_failures_(BuildCounter()
                             .Name("mediaworker_notification_failures_total")
                             .Help(help("Failed webhook POSTs (connection error, timeout, non-2xx); each is "
                                        "retried with back-off until notifications.max_age_seconds.",
                                        kPerProcess))
                             .Register(*registry_)
                             .Add({})),
      deliveries_dead_(BuildCounter()
                           .Name("mediaworker_notifications_dead_total")
                           .Help(help("Webhook notifications given up after notifications.max_age_seconds.",
                                      kPerProcess))
                           .Register(*registry_)
                           .Add({})),
      store_errors_family_(BuildCounter()
                               .Name("mediaworker_store_errors_total")
                               .Help(help("Job store failures caught, by component (worker, notify, api; the "
                                          "API counts only those it answered with a 5xx).",
                                          kPerProcess))
                               .Register(*registry_)),
      workers_alive_(BuildGauge()
                         .Name("mediaworker_workers_alive")
                         .Help(help("Worker rows with a heartbeat within their lease.", kFarmWide))
                         .Register(*registry_)
                         .Add({})),
      store_up_(BuildGauge()
                    .Name("mediaworker_store_up")
                    .Help("1 when this scrape read the job store, 0 when it failed (the store-backed gauges "
                          "then keep their last values).")
                    .Register(*registry_)
                    .Add({})),
      worker_leases_family_(BuildGauge()
                                .Name("mediaworker_worker_leases")
                                .Help(help("Task leases held per worker (\"<host id>:<pid>\").", kFarmWide))
                                .Register(*registry_)) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    jobs_[i] = &jobs_family_.Add({{"state", kStateNames[i]}});
    tasks_[i] = &tasks_family_.Add({{"state", kStateNames[i]}});
  }
  const char* outcomes[] = {"finished", "error", "canceled"};
  for (size_t i = 0; i < durations_.size(); ++i)
    durations_[i] = &duration_family_.Add({{"outcome", outcomes[i]}}, kDurationBuckets);
  const char* components[] = {"worker", "notify", "api"};
  for (size_t i = 0; i < store_errors_.size(); ++i)
    store_errors_[i] = &store_errors_family_.Add({{"component", components[i]}});
  BuildGauge()
      .Name("mediaworker_build_info")
      .Help("Always 1; the label says which mediaworker version this process runs.")
      .Register(*registry_)
      .Add({{"version", version}})
      .Set(1);
  const double start =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  BuildGauge()
      .Name("process_start_time_seconds")
      .Help("Start time of the process since the Unix epoch in seconds.")
      .Register(*registry_)
      .Add({})
      .Set(start);
}

void Metrics::set_slots(int slots) {
  std::lock_guard lock(mutex_);
  for (int i = static_cast<int>(slot_fps_.size()); i < slots; ++i)
    slot_fps_.push_back(&slot_fps_family_.Add({{"slot", std::to_string(i)}}));
}

void Metrics::task_ended(Outcome outcome, double seconds) {
  durations_[static_cast<size_t>(outcome)]->Observe(seconds);
}

void Metrics::add_output_bytes(int64_t bytes) {
  if (bytes > 0) output_bytes_.Increment(static_cast<double>(bytes));
}

void Metrics::add_video_frames(int64_t frames) {
  if (frames > 0) video_frames_.Increment(static_cast<double>(frames));
}

void Metrics::set_slot_fps(int slot, double fps) {
  std::lock_guard lock(mutex_);
  if (slot >= 0 && static_cast<size_t>(slot) < slot_fps_.size()) slot_fps_[static_cast<size_t>(slot)]->Set(fps);
}

void Metrics::set_tasks_running(int64_t tasks) { tasks_running_.Set(static_cast<double>(tasks)); }
void Metrics::set_leases_held(int64_t leases) { leases_held_.Set(static_cast<double>(leases)); }
void Metrics::notification_delivered() { deliveries_.Increment(); }
void Metrics::notification_failed() { delivery_failures_.Increment(); }
void Metrics::notification_dead() { deliveries_dead_.Increment(); }
void Metrics::store_error(Component component) { store_errors_[static_cast<size_t>(component)]->Increment(); }

void Metrics::set_store_up(bool up) { store_up_.Set(up ? 1 : 0); }

void Metrics::set_store_snapshot(const StoreSnapshot& snapshot) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    jobs_[i]->Set(static_cast<double>(snapshot.jobs[i]));
    tasks_[i]->Set(static_cast<double>(snapshot.tasks[i]));
  }
  queue_depth_.Set(static_cast<double>(snapshot.runnable));
  workers_alive_.Set(static_cast<double>(snapshot.workers_alive));
  std::lock_guard lock(mutex_);
  for (auto it = worker_leases_.begin(); it != worker_leases_.end();) {
    if (snapshot.leases_per_worker.count(it->first) == 0) {
      worker_leases_family_.Remove(it->second);
      it = worker_leases_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [worker, leases] : snapshot.leases_per_worker) {
    auto& gauge = worker_leases_[worker];
    if (gauge == nullptr) gauge = &worker_leases_family_.Add({{"worker", worker}});
    gauge->Set(static_cast<double>(leases));
  }
}

std::string Metrics::text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace mw::metrics
