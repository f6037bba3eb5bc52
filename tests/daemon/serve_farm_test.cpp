// The transcoding farm of issue 7 ("What it must show"), end to end: one API process
// (`serve --role api`) and several worker processes (`serve --role worker`, each its own
// worker.host_id) of the real binary on one PostgreSQL database (tests/support/pg_server.hpp) and
// one shared storage root, driven over the API process's REST API on real clips. Every wait
// polls the API against a deadline; nothing waits on a sleep.
//
// - 60 short jobs on 3 workers: all Finished, each task scheduled and processed exactly once,
//   the work spread over the workers, job priorities respected, every output asset folder
//   holding exactly its AssetFiles; GET /api/Workers lists the 3 workers alive.
// - SIGKILL of the worker running an encode: the task is requeued when its lease runs out and
//   finishes on the other worker (a second attempt), with one set of output files.
// - The PostgreSQL server restarted under running and queued jobs: none lost, none stuck.
// - CancelJob through the API process reaches the worker process within 2 s.
// - A task needing worker tag 'gpu' waits (with a "Waiting" event saying why) until a worker
//   with that tag joins, which runs it.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/pg_server.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

#if defined(__SANITIZE_ADDRESS__)
constexpr int kSlowdown = 4;  // the daemon under ASan/UBSan (CI's sanitizer job)
#else
constexpr int kSlowdown = 1;
#endif

const std::string kMedia = MW_MEDIA_DIR;
// The smallest real clip with audio and video: 1 s of 1080x720 H.264 (../shared/media/README.md).
const std::string kShortClip = kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4";
// 5 s of 1280x720 H.264: about 5 s to encode at 720p in release on 2 cores.
const std::string kFiveSecondClip = kMedia + "/screen-720p30-h264-aac-rotate180.mp4";
// 6 minutes of 1080p60 AV1: still encoding long after the test is done with it.
const std::string kLongClip = kMedia + "/long-1080p60-av1-aac-6min.mp4";

constexpr const char* kMes = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56";
constexpr const char* kTaskBody =
    "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</"
    "outputAsset></taskBody>";
// An inline preset (a Configuration with a line break) that encodes the 1 s clip in about 0.1 s.
constexpr const char* kTinyPreset =
    "name: farm tiny\n"
    "video:\n"
    "  complexity: speed\n"
    "  layers:\n"
    "    - width: 128\n"
    "      height: 96\n"
    "      bitrate: 100\n"
    "outputs:\n"
    "  - file_name: \"{Basename}_{Width}x{Height}{Extension}\"\n"
    "    format: mp4\n";

// AMS task and job states.
constexpr int kQueued = 0, kProcessing = 2, kFinished = 3, kCanceled = 5;

// Calls `done` every `every` until it returns true or `timeout` passes; returns whether it did.
bool poll_until(const std::function<bool()>& done, milliseconds timeout,
                milliseconds every = 100ms) {
  const auto deadline = steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);  // the poll interval, not a synchronisation
  }
}

// "/Date(1700000000123)/" (verbose JSON) -> milliseconds since the epoch.
int64_t epoch_ms(const json& date) {
  const std::string s = date.get<std::string>();
  return std::stoll(s.substr(s.find('(') + 1));
}

std::vector<json> events(const json& task, const std::string& code) {
  std::vector<json> found;
  for (const auto& e : task["HistoricalEvents"]["results"])
    if (e["Code"] == code) found.push_back(e);
  return found;
}

std::vector<std::string> event_codes(const json& task) {
  std::vector<std::string> codes;
  for (const auto& e : task["HistoricalEvents"]["results"]) codes.push_back(e["Code"]);
  return codes;
}

// The worker id a "Scheduled" event names: its message is "worker '<host id>:<pid>'".
std::string scheduled_worker(const json& event) {
  const std::string m = event["Message"];
  const size_t open = m.find('\'');
  return open == std::string::npos ? m : m.substr(open + 1, m.rfind('\'') - open - 1);
}

// Whether process `pid` (a child not yet waited for) still runs: /proc/<pid>/stat's state is
// not Z (a process that died, e.g. on std::terminate, stays a zombie until waited for).
bool still_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

std::string guid_of(const std::string& id) {
  return id.substr(id.rfind(':') + 1);
}

// One farm in a temp folder: an API process and worker processes, each with a folder of its own
// (config, tokens), all on one PostgreSQL database and one storage root.
class Farm {
 public:
  /// `lease_seconds`: worker.lease_seconds of every process (3, the least, where a lease must run
  /// out soon; longer where a CPU-starved heartbeat must not lose a lease).
  explicit Farm(std::string url, int lease_seconds = 3)
      : url_(std::move(url)), lease_("  lease_seconds: " + std::to_string(lease_seconds) + "\n") {}

  const std::filesystem::path& storage() const { return storage_; }
  DaemonProcess& api() { return *api_; }

  // The API process (role api, no worker slots): the one the test talks to. Its maintenance
  // (requeueing expired leases, noting Waiting tasks) runs too, with the workers' lease.
  DaemonProcess& start_api() {
    api_ =
        std::make_unique<DaemonProcess>(folder("api"), "worker:\n  host_id: api\n" + lease_, url_,
                                        std::vector<std::string>{"--role", "api"}, storage_);
    api_->start();
    return *api_;
  }

  // A worker process (role worker, no API) with worker.host_id `host_id` and 1 slot; its worker
  // id is "<host_id>:<pid>". `extra` is more of the worker section, e.g. "  tags: [gpu]\n".
  DaemonProcess& start_worker(const std::string& host_id, const std::string& extra = {}) {
    auto w = std::make_unique<DaemonProcess>(
        folder(host_id), "worker:\n  host_id: " + host_id + "\n  slots: 1\n" + lease_ + extra, url_,
        std::vector<std::string>{"--role", "worker"}, storage_);
    w->start();
    workers_.push_back(std::move(w));
    return *workers_.back();
  }
  std::vector<std::unique_ptr<DaemonProcess>>& workers() { return workers_; }
  static std::string worker_id(const std::string& host_id, const DaemonProcess& p) {
    return host_id + ":" + std::to_string(p.pid());
  }

  // Every process's log, for a failed assertion.
  std::string logs() const {
    std::string all = "--- api ---\n" + (api_ ? api_->log() : std::string());
    for (const auto& w : workers_)
      all += "--- " + w->dir().filename().string() + " ---\n" + w->log();
    return all;
  }

  // GET through the API process; null unless 200 (the store may be restarting).
  json get(const std::string& target) {
    const HttpResponse r = api_->request("GET", target);
    if (r.status != 200) return nullptr;
    return json::parse(r.body, nullptr, false);
  }
  json job(const std::string& id) { return get("/api/Jobs('" + url_encode(id) + "')")["d"]; }
  json task_of(const std::string& job_id) {
    const json tasks = get("/api/Jobs('" + url_encode(job_id) + "')/Tasks");
    return tasks.is_null() ? json() : tasks["d"]["results"][0];
  }
  json jobs() {
    const json all = get("/api/Jobs");
    return all.is_null() ? json() : all["d"]["results"];
  }

  // POST /api/Jobs with one MES task on `asset`; returns the job Id.
  std::string submit(const std::string& asset, const std::string& configuration, int priority = 0,
                     const std::string& name = "farm", const json& task_extra = json::object()) {
    json task = {
        {"Configuration", configuration}, {"MediaProcessorId", kMes}, {"TaskBody", kTaskBody}};
    task.update(task_extra);
    const json body = {
        {"Name", name},
        {"Priority", priority},
        {"InputMediaAssets",
         {{{"__metadata", {{"uri", "https://x/api/Assets('" + url_encode(asset) + "')"}}}}}},
        {"Tasks", {task}}};
    const HttpResponse r = api_->request("POST", "/api/Jobs", body.dump());
    if (r.status != 201)
      throw std::runtime_error("POST /api/Jobs: " + std::to_string(r.status) + " " + r.body);
    return json::parse(r.body)["d"]["Id"];
  }

  // The AssetFile names of the job's output asset, and the entries of its folder on the shared
  // storage (hidden ones too: an attempt folder .mw-attempt-<token> would show), both sorted.
  std::pair<std::vector<std::string>, std::vector<std::string>> output_files_and_folder(
      const std::string& job_id) {
    const json assets = get("/api/Jobs('" + url_encode(job_id) + "')/OutputMediaAssets");
    const std::string asset = assets["d"]["results"].at(0)["Id"];
    const json files = get("/api/Assets('" + url_encode(asset) + "')/Files");
    std::vector<std::string> names;
    for (const auto& f : files["d"]["results"]) names.push_back(f["Name"]);
    std::sort(names.begin(), names.end());
    return {names, TempDir::list(storage_ / ("asset-" + guid_of(asset)))};
  }

 private:
  std::filesystem::path folder(const std::string& name) {
    const auto p = dir_.path() / name;
    std::filesystem::create_directories(p);
    return p;
  }

  TempDir dir_;
  std::string url_;
  std::string lease_;  // the worker section's lease_seconds line
  std::filesystem::path storage_ = dir_.path() / "storage";
  // Declared after dir_: the processes are killed before their folders go.
  std::unique_ptr<DaemonProcess> api_;
  std::vector<std::unique_ptr<DaemonProcess>> workers_;
};

// Polls GET /api/Jobs until every job of `ids` is Finished, or the timeout; false at once when
// one ends otherwise (Error, Canceled).
::testing::AssertionResult all_finished(Farm& farm, const std::vector<std::string>& ids,
                                        milliseconds timeout) {
  std::string ended_badly;
  size_t finished = 0;
  const bool done = poll_until(
      [&] {
        const json jobs = farm.jobs();
        if (jobs.is_null()) return false;  // the store is away for a moment
        finished = 0;
        const std::set<std::string> wanted(ids.begin(), ids.end());
        for (const auto& j : jobs) {
          if (!wanted.count(j["Id"])) continue;
          const int state = j["State"];
          if (state == kFinished) ++finished;
          if (state == 4 || state == kCanceled) ended_badly = j.dump();
        }
        return finished == ids.size() || !ended_badly.empty();
      },
      timeout);
  if (done && ended_badly.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << finished << " of " << ids.size() << " jobs Finished"
         << (ended_badly.empty() ? " before the deadline" : "; one ended: " + ended_badly) << "\n"
         << farm.logs();
}

TEST(ServeFarm, SixtyShortJobsOnThreeWorkersRunOnceEachInPriorityOrder) {
  PgServer& server = PgServer::shared();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server: " << server.reason();
  Farm farm(server.create_database(), 10);
  farm.start_api();
  const std::string asset = farm.api().upload(kShortClip);
  // All 60 are queued before any worker exists, so the claim order alone decides who runs first.
  const int priorities[] = {0, 5, 10};
  std::vector<std::string> ids;
  std::map<std::string, int> priority_of;
  for (int i = 0; i < 60; ++i) {
    const int p = priorities[i % 3];
    ids.push_back(farm.submit(asset, kTinyPreset, p, "short " + std::to_string(i)));
    priority_of[ids.back()] = p;
  }
  const auto started = steady_clock::now();
  std::set<std::string> worker_ids;
  for (const char* host : {"w1", "w2", "w3"})
    worker_ids.insert(Farm::worker_id(host, farm.start_worker(host)));
  ASSERT_TRUE(all_finished(farm, ids, 120s * kSlowdown));
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);

  std::map<std::string, int> tasks_per_worker;
  std::map<int, std::pair<int64_t, int64_t>>
      scheduled_range;  // priority -> first, last Scheduled (ms)
  for (const auto& id : ids) {
    const json task = farm.task_of(id);
    ASSERT_FALSE(task.is_null()) << id;
    // Executed exactly once: one claim, one start, one end, no requeue.
    EXPECT_EQ(event_codes(task),
              (std::vector<std::string>{"Queued", "Scheduled", "Processing", "Finished"}))
        << task["HistoricalEvents"].dump();
    const auto scheduled = events(task, "Scheduled");
    ASSERT_EQ(scheduled.size(), 1u);
    const std::string worker = scheduled_worker(scheduled[0]);
    EXPECT_TRUE(worker_ids.count(worker)) << worker;
    ++tasks_per_worker[worker];
    const int64_t at = epoch_ms(scheduled[0]["TimeStamp"]);
    auto [range, fresh] = scheduled_range.try_emplace(priority_of[id], at, at);
    range->second.first = std::min(range->second.first, at);
    range->second.second = std::max(range->second.second, at);
    // The output asset's folder holds exactly its AssetFiles: no attempt folder, no stray file.
    const auto [files, folder] = farm.output_files_and_folder(id);
    EXPECT_EQ(files.size(), 3u) << ::testing::PrintToString(
        files);  // MP4, _manifest.xml, _metadata.xml
    EXPECT_EQ(folder, files);
  }
  EXPECT_GT(tasks_per_worker.size(), 1u) << "all 60 tasks ran on one worker";
  // Priorities: every task of a higher priority was scheduled no later than every task of a
  // lower one. Each Scheduled time is the claiming worker's clock read just before its claim
  // transaction, so two claims in flight at once (SKIP LOCKED passes over the row the other is
  // taking) may cross by the time a worker waits between reading its clock and its SELECT:
  // kOverlap. Claiming by creation order instead would cross by seconds (the priorities were
  // submitted in turn, the queue takes 3-6 s to empty).
  constexpr int64_t kOverlap = 250 * kSlowdown;  // ms
  EXPECT_LE(scheduled_range.at(10).second, scheduled_range.at(5).first + kOverlap);
  EXPECT_LE(scheduled_range.at(5).second, scheduled_range.at(0).first + kOverlap);

  const json workers = farm.get("/api/Workers");
  ASSERT_FALSE(workers.is_null());
  std::set<std::string> alive;
  for (const auto& w : workers["d"]["results"])
    if (w["Alive"] == true) alive.insert(w["Id"]);
  EXPECT_EQ(alive, worker_ids) << workers.dump();

  std::string spread;
  for (const auto& [w, n] : tasks_per_worker) spread += " " + w + "=" + std::to_string(n);
  const int64_t t0 = scheduled_range.at(10).first;
  auto range = [&](int p) {
    return std::to_string(scheduled_range.at(p).first - t0) + "-" +
           std::to_string(scheduled_range.at(p).second - t0);
  };
  std::cerr << "[ farm ] 60 jobs on 3 workers in " << took.count()
            << " ms; tasks per worker:" << spread << "; Scheduled at (ms) P10 " << range(10)
            << ", P5 " << range(5) << ", P0 " << range(0) << "\n";
}

TEST(ServeFarm, KilledWorkersTaskFinishesOnTheOtherWorkerWithOneSetOfFiles) {
  PgServer& server = PgServer::shared();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server: " << server.reason();
  Farm farm(server.create_database());
  farm.start_api();
  DaemonProcess& w1 = farm.start_worker("w1");
  DaemonProcess& w2 = farm.start_worker("w2");
  const std::map<std::string, DaemonProcess*> by_id = {{Farm::worker_id("w1", w1), &w1},
                                                       {Farm::worker_id("w2", w2), &w2}};
  const std::string asset = farm.api().upload(kFiveSecondClip);
  const std::string id = farm.submit(asset, "H264 Single Bitrate 720p");

  // Mid-encode: Processing with some progress (the heartbeat writes Progress each second).
  json task;
  ASSERT_TRUE(poll_until(
      [&] {
        task = farm.task_of(id);
        return !task.is_null() && task["State"] == kProcessing &&
               task["Progress"].get<double>() > 0;
      },
      60s * kSlowdown, 50ms))
      << task.dump() << farm.logs();
  const auto scheduled = events(task, "Scheduled");
  ASSERT_EQ(scheduled.size(), 1u);
  const std::string first = scheduled_worker(scheduled[0]);
  ASSERT_TRUE(by_id.count(first)) << first;
  const json running = farm.get("/api/Workers");  // the worker table agrees
  for (const auto& w : running["d"]["results"]) {
    if (w["Id"] == first) {
      EXPECT_EQ(w["RunningTasks"], json::array({task["Id"]})) << w.dump();
    }
  }
  const double progress_at_kill = task["Progress"];
  const auto killed = steady_clock::now();
  by_id.at(first)->kill_now();

  ASSERT_TRUE(all_finished(farm, {id}, 120s * kSlowdown));
  const auto recovered = std::chrono::duration_cast<milliseconds>(steady_clock::now() - killed);
  task = farm.task_of(id);
  EXPECT_EQ(task["State"], kFinished);
  // Scheduled on the killed worker, requeued when its lease ran out, scheduled on the other.
  const auto codes = event_codes(task);
  EXPECT_EQ(codes, (std::vector<std::string>{"Queued", "Scheduled", "Processing", "Requeued",
                                             "Scheduled", "Processing", "Finished"}))
      << task["HistoricalEvents"].dump();
  const auto both = events(task, "Scheduled");
  ASSERT_EQ(both.size(), 2u);  // two attempts
  const std::string second = scheduled_worker(both[1]);
  EXPECT_NE(second, first);
  EXPECT_TRUE(by_id.count(second)) << second;
  // The worker table still lists the killed worker (rows stay an hour), no longer alive.
  const json table = farm.get("/api/Workers");
  std::map<std::string, bool> alive;
  for (const auto& w : table["d"]["results"]) alive[w["Id"]] = w["Alive"];
  EXPECT_EQ(alive, (std::map<std::string, bool>{{first, false}, {second, true}})) << table.dump();
  // One set of output files, the ones the asset lists; the killed attempt's folder is gone.
  const auto [files, folder] = farm.output_files_and_folder(id);
  EXPECT_EQ(files.size(), 3u) << ::testing::PrintToString(files);
  EXPECT_EQ(folder, files);
  std::cerr << "[ farm ] killed " << first << " at " << progress_at_kill << "%; finished on "
            << second << " " << recovered.count() << " ms later\n";
}

TEST(ServeFarm, JobsOutliveThePostgresServerRestartingUnderThem) {
  // A server this process may restart (always an own cluster); with only an external one, its
  // sessions are ended and it is not restarted.
  PgServer& restartable = PgServer::restartable();
  PgServer& server = restartable.available() ? restartable : PgServer::shared();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server: " << server.reason();
  const std::string url = server.create_database();
  Farm farm(url);
  farm.start_api();
  const std::string asset = farm.api().upload(kShortClip);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i)
    ids.push_back(farm.submit(asset, "H264 Single Bitrate 720p", 0, "r" + std::to_string(i)));
  for (const char* host : {"w1", "w2", "w3"}) farm.start_worker(host);

  // Waits until tasks are Processing, others still Queued and at least `finished` Finished.
  int processing = 0, queued = 0;
  auto mid_run = [&](int finished) {
    return poll_until(
        [&] {
          const json jobs = farm.jobs();
          int done = 0;
          processing = queued = 0;
          for (const auto& j : jobs) {
            processing += j["State"] == kProcessing;
            queued += j["State"] == kQueued;
            done += j["State"] == kFinished;
          }
          return processing > 0 && queued > 0 && done >= finished;
        },
        60s * kSlowdown, 20ms);
  };
  // First every session of the database is ended (as a lost connection or a failover does) ...
  ASSERT_TRUE(mid_run(0)) << farm.logs();
  const auto broken = steady_clock::now();
  EXPECT_GE(server.terminate_connections(url), 4) << "each process has a session";
  std::cerr << "[ farm ] ended the sessions with " << processing << " Processing, " << queued
            << " Queued\n";
  // ... then, a few tasks later, the server itself goes down and comes back.
  if (server.owns_cluster()) {
    ASSERT_TRUE(mid_run(3)) << farm.logs();
    server.restart();
    std::cerr << "[ farm ] restarted the server with " << processing << " Processing, " << queued
              << " Queued\n";
  }

  ASSERT_TRUE(all_finished(farm, ids, 120s * kSlowdown));
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - broken);
  // No process died of it (a store error escaping a worker's slot thread ends the process).
  EXPECT_TRUE(still_running(farm.api().pid())) << farm.logs();
  for (const auto& w : farm.workers())
    EXPECT_TRUE(still_running(w->pid())) << w->dir().filename() << "\n" << farm.logs();
  const json jobs = farm.jobs();
  EXPECT_EQ(jobs.size(), ids.size());  // none lost, none duplicated
  int attempts = 0;
  for (const auto& id : ids) {
    const json task = farm.task_of(id);
    EXPECT_EQ(task["State"], kFinished);
    EXPECT_EQ(events(task, "Finished").size(), 1u) << task["HistoricalEvents"].dump();
    attempts += static_cast<int>(events(task, "Scheduled").size());
    const auto [files, folder] = farm.output_files_and_folder(id);
    EXPECT_EQ(files.size(), 3u) << ::testing::PrintToString(files);
    EXPECT_EQ(folder, files);
  }
  std::cerr << "[ farm ] all " << ids.size() << " jobs Finished " << took.count()
            << " ms after the break, in " << attempts << " attempts\n";
}

TEST(ServeFarm, CancelThroughTheApiProcessStopsTheWorkersEncodeWithinTwoSeconds) {
  PgServer& server = PgServer::shared();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server: " << server.reason();
  Farm farm(server.create_database(), 10);
  farm.start_api();
  farm.start_worker("w1");
  const std::string asset = farm.api().upload(kLongClip);
  const std::string id = farm.submit(asset, "H264 Single Bitrate 720p");
  json task;
  ASSERT_TRUE(poll_until(
      [&] {
        task = farm.task_of(id);
        return !task.is_null() && task["State"] == kProcessing;
      },
      60s * kSlowdown, 50ms))
      << task.dump() << farm.logs();

  const auto asked = steady_clock::now();
  ASSERT_EQ(farm.api().request("GET", "/api/CancelJob?jobid='" + url_encode(id) + "'").status, 204);
  // The worker learns of it at its next heartbeat (each second) and stops the encode.
  const bool canceled = poll_until(
      [&] {
        task = farm.task_of(id);
        return !task.is_null() && task["State"] == kCanceled;
      },
      10s * kSlowdown, 50ms);
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - asked);
  ASSERT_TRUE(canceled) << task.dump() << farm.logs();
  EXPECT_LE(took, 2s) << farm.logs();
  EXPECT_EQ(farm.job(id)["State"], kCanceled);
  const auto [files, folder] = farm.output_files_and_folder(id);
  EXPECT_TRUE(files.empty()) << ::testing::PrintToString(files);
  EXPECT_TRUE(folder.empty()) << ::testing::PrintToString(folder);
  std::cerr << "[ farm ] canceled on the worker process " << took.count()
            << " ms after CancelJob\n";
}

TEST(ServeFarm, TaskNeedingATagNoWorkerHasWaitsThenRunsOnAWorkerWithIt) {
  PgServer& server = PgServer::shared();
  if (!server.available()) GTEST_SKIP() << "no PostgreSQL server: " << server.reason();
  Farm farm(server.create_database());
  farm.start_api();
  const std::string plain = Farm::worker_id("w1", farm.start_worker("w1"));
  const std::string asset = farm.api().upload(kShortClip);
  const std::string id =
      farm.submit(asset, kTinyPreset, 0, "needs gpu", {{"RequiredWorkerTags", {"gpu"}}});

  // Once the processes had a lease period to register, maintenance notes why it waits.
  json task;
  ASSERT_TRUE(poll_until(
      [&] {
        task = farm.task_of(id);
        return !task.is_null() && !events(task, "Waiting").empty();
      },
      30s * kSlowdown))
      << task.dump() << farm.logs();
  EXPECT_EQ(task["State"], kQueued);
  EXPECT_EQ(task["RequiredWorkerTags"], json::array({"gpu"}));
  const std::string why = events(task, "Waiting")[0]["Message"];
  EXPECT_NE(why.find("worker '" + plain + "'"), std::string::npos) << why;
  EXPECT_NE(why.find("lacks tag 'gpu'"), std::string::npos) << why;
  EXPECT_TRUE(events(task, "Scheduled").empty());

  const std::string gpu = Farm::worker_id("w2", farm.start_worker("w2", "  tags: [gpu]\n"));
  ASSERT_TRUE(all_finished(farm, {id}, 60s * kSlowdown));
  task = farm.task_of(id);
  const auto scheduled = events(task, "Scheduled");
  ASSERT_EQ(scheduled.size(), 1u) << task["HistoricalEvents"].dump();
  EXPECT_EQ(scheduled_worker(scheduled[0]), gpu);
}

}  // namespace
}  // namespace mw::test
