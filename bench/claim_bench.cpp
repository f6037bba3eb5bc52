// claim_bench: how many empty tasks per second the job store hands out to 1, 2 and 4 workers
// (issue 7, "What it must show"). Each PostgreSQL worker is a thread with a PgJobStore of its own
// (its own connection, as separate hosts have); each loops claim_task -> start_task ->
// finish_task (no outputs) until nothing is runnable. SQLite runs for comparison with one
// SqliteJobStore shared by the threads (one host). The runs are interleaved over several rounds
// and the medians reported; every run checks that each task was claimed exactly once (one
// worker's claim, attempts 1, Finished). How to run it: bench/README.md; the numbers:
// docs/benchmarks.md "Claim throughput".

#include <pqxx/pqxx>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"
#include "daemon/store/pg_job_store.hpp"
#include "daemon/store/sqlite_job_store.hpp"
#include "bench/bench_jobs.hpp"

namespace {

using mw::runtime::Clock;
using mw::store::JobStore;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace runtime = mw::runtime;
namespace store = mw::store;

/// One timed run of `workers` workers over `tasks` tasks.
struct Run {
  std::string store;  ///< "PostgreSQL" or "SQLite"
  int workers = 0;
  int tasks = 0;
  double seconds = 0;    ///< from the start signal until the last worker found nothing runnable
  double cpu_busy = 0;   ///< fraction of the machine's CPU time busy meanwhile (/proc/stat), 0-1
  double bench_cpu = 0;  ///< this process's CPU time meanwhile (s): the workers' client side
  double server_cpu = -1;  ///< the workers' server backends' CPU time meanwhile (s); -1: unknown
  double load = 0;         ///< the 1-minute load average at the end
  double tasks_per_s() const { return seconds > 0 ? tasks / seconds : 0; }
};

/// The machine's busy and total jiffies so far (the first line of /proc/stat).
std::pair<long long, long long> cpu_jiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const long long busy = user + nice + system + irq + softirq + steal;
  return {busy, busy + idle + iowait};
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// The CPU time (s) that the processes `pids` have used so far (/proc/<pid>/stat utime + stime);
/// -1 when one cannot be read (a server on another machine).
double processes_cpu_seconds(const std::vector<int>& pids) {
  if (pids.empty()) return -1;
  long long ticks = 0;
  for (const int pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');  // the command name may hold spaces
    if (paren == std::string::npos) return -1;
    std::istringstream fields(stat.substr(paren + 1));
    std::string skip;
    long long utime = 0, stime = 0;
    for (int i = 0; i < 11; ++i) fields >> skip;  // state ... cmajflt
    if (!(fields >> utime >> stime)) return -1;
    ticks += utime + stime;
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}


/// Runs one worker per store in `stores` (the same store may appear several times) until
/// nothing is runnable, then checks that each of `task_ids` was claimed exactly once and is
/// Finished after one attempt (read through `check`). `server_pids`: the server processes whose
/// CPU time to count (none: unknown). @throws std::runtime_error on a failed check
Run run_workers(const std::string& name, const std::vector<JobStore*>& stores, JobStore& check,
                const std::set<std::string>& task_ids, const std::vector<int>& server_pids = {}) {
  const int workers = static_cast<int>(stores.size());
  std::vector<std::vector<std::string>> claimed(stores.size());
  std::vector<std::string> errors(stores.size());
  std::latch go(1);
  std::vector<std::thread> threads;
  for (size_t w = 0; w < stores.size(); ++w) {
    threads.emplace_back([&, w] {
      const std::string worker = "claim_bench-" + std::to_string(w);
      go.wait();
      try {
        JobStore& jobs = *stores[w];
        while (const auto claim = jobs.claim_task(worker, Clock::now(), 60s)) {
          if (jobs.start_task(*claim, Clock::now()) != store::LeaseStatus::Held)
            throw std::runtime_error("start_task: lease not held for " + claim->task_id);
          if (!jobs.finish_task(*claim, Clock::now(), {}, ""))
            throw std::runtime_error("finish_task: lease lost for " + claim->task_id);
          claimed[w].push_back(claim->task_id);
        }
      } catch (const std::exception& e) {
        errors[w] = e.what();
      }
    });
  }
  const auto cpu_before = cpu_jiffies();
  const double bench_cpu_before = process_cpu_seconds();
  const double server_cpu_before = processes_cpu_seconds(server_pids);
  const auto begun = std::chrono::steady_clock::now();
  go.count_down();
  for (auto& t : threads) t.join();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - begun;
  const double bench_cpu = process_cpu_seconds() - bench_cpu_before;
  const double server_cpu_after = processes_cpu_seconds(server_pids);
  const auto cpu_after = cpu_jiffies();

  for (size_t w = 0; w < errors.size(); ++w)
    if (!errors[w].empty())
      throw std::runtime_error(name + " worker " + std::to_string(w) + ": " + errors[w]);
  std::map<std::string, int> claims;
  for (const auto& ids : claimed)
    for (const auto& id : ids) ++claims[id];
  for (const auto& [id, n] : claims)
    if (n != 1 || !task_ids.count(id))
      throw std::runtime_error(name + ": task " + id + " claimed " + std::to_string(n) + " times");
  if (claims.size() != task_ids.size())
    throw std::runtime_error(name + ": " + std::to_string(claims.size()) + " of " +
                             std::to_string(task_ids.size()) + " tasks claimed");
  size_t finished = 0;
  for (int skip = 0;; skip += 1000) {
    const auto page = check.list_tasks({.skip = skip, .top = 1000});
    for (const auto& task : page) {
      if (task.state != runtime::State::Finished || task.attempts != 1)
        throw std::runtime_error(name + ": task " + task.id + " is " +
                                 runtime::state_name(task.state) + " after " +
                                 std::to_string(task.attempts) + " attempts");
      ++finished;
    }
    if (page.size() < 1000) break;
  }
  if (finished != task_ids.size())
    throw std::runtime_error(name + ": " + std::to_string(finished) + " tasks listed, expected " +
                             std::to_string(task_ids.size()));

  Run run;
  run.store = name;
  run.workers = workers;
  run.tasks = static_cast<int>(task_ids.size());
  run.seconds = took.count();
  const double total = static_cast<double>(cpu_after.second - cpu_before.second);
  run.cpu_busy = total > 0 ? static_cast<double>(cpu_after.first - cpu_before.first) / total : 0;
  run.bench_cpu = bench_cpu;
  if (server_cpu_before >= 0 && server_cpu_after >= 0)
    run.server_cpu = server_cpu_after - server_cpu_before;
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) run.load = load[0];
  return run;
}

/// `url` with its search_path set to `schema` (a URI gets options=...; a key=value string too).
std::string url_with_schema(const std::string& url, const std::string& schema) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return url + (url.find('?') == std::string::npos ? '?' : '&') + "options=-csearch_path%3D" +
           schema + "&application_name=" + schema;
  return url + " options='-csearch_path=" + schema + "' application_name=" + schema;
}

/// One PostgreSQL run: a fresh schema, the jobs, `workers` stores of their own, the run, the
/// schema dropped.
Run postgres_run(const std::string& url, int workers, int jobs) {
  static int runs = 0;
  const std::string schema =
      "claim_bench_" + std::to_string(getpid()) + "_" + std::to_string(++runs);
  pqxx::connection admin(url);
  pqxx::nontransaction(admin).exec0("CREATE SCHEMA " + admin.quote_name(schema));
  struct Drop {
    pqxx::connection& admin;
    const std::string& schema;
    ~Drop() {
      try {
        pqxx::nontransaction(admin).exec0("DROP SCHEMA " + admin.quote_name(schema) + " CASCADE");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "claim_bench: could not drop schema %s: %s\n", schema.c_str(),
                     e.what());
      }
    }
  } drop{admin, schema};

  const std::string schema_url = url_with_schema(url, schema);
  store::PgJobStore setup(schema_url);
  const auto task_ids = mw::bench::create_jobs(setup, jobs);
  std::vector<std::unique_ptr<store::PgJobStore>> own;
  std::vector<JobStore*> stores;
  for (int w = 0; w < workers; ++w) {
    own.push_back(std::make_unique<store::PgJobStore>(schema_url));
    stores.push_back(own.back().get());
  }
  // The workers' server processes (their connections carry the schema as application_name).
  std::vector<int> pids;
  for (const auto& row : pqxx::nontransaction(admin).exec_params(
           "SELECT pid FROM pg_stat_activity WHERE application_name = $1", schema))
    pids.push_back(row[0].as<int>());
  return run_workers("PostgreSQL", stores, setup, task_ids, pids);
}

/// One SQLite run: a fresh database file in a temporary folder, one store shared by `workers`
/// threads.
Run sqlite_run(int workers, int jobs) {
  std::string pattern = (fs::temp_directory_path() / "claim_bench-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern);
  const fs::path dir = pattern;
  struct Remove {
    const fs::path& dir;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove{dir};
  store::SqliteJobStore shared(dir / "jobs.db");
  const auto task_ids = mw::bench::create_jobs(shared, jobs);
  return run_workers("SQLite", std::vector<JobStore*>(static_cast<size_t>(workers), &shared),
                     shared, task_ids);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Claim throughput of the job store: workers looping claim_task -> start_task -> "
      "finish_task on empty one-task jobs (issue 7)."};
  std::string url;
  int jobs = 2000;
  int rounds = 5;
  std::vector<int> pg_workers = {1, 2, 4};
  std::vector<int> sqlite_workers = {1, 2};
  app.add_option("--url", url,
                 "PostgreSQL URL (libpq URI or key=value; the role needs CREATE on the database). "
                 "Default: $MW_TEST_PG_URL; start one with `scripts/test-postgres.sh start`");
  app.add_option("--jobs", jobs, "jobs (of one empty task each) per run")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--rounds", rounds, "rounds; each runs every worker count once")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--workers", pg_workers, "PostgreSQL worker counts (each its own connection)")
      ->check(CLI::Range(1, 64))
      ->delimiter(',');
  app.add_option("--sqlite-workers", sqlite_workers,
                 "SQLite worker counts (threads on one store); 0 for none")
      ->check(CLI::Range(0, 64))
      ->delimiter(',');
  CLI11_PARSE(app, argc, argv);
  if (url.empty())
    if (const char* env = std::getenv("MW_TEST_PG_URL")) url = env;
  if (url.empty()) {
    std::fprintf(stderr,
                 "claim_bench: no PostgreSQL server: give --url or MW_TEST_PG_URL, e.g.\n"
                 "  export MW_TEST_PG_URL=$(scripts/test-postgres.sh start)\n");
    return 2;
  }
  sqlite_workers.erase(std::remove(sqlite_workers.begin(), sqlite_workers.end(), 0),
                       sqlite_workers.end());

  std::map<std::pair<std::string, int>, std::vector<Run>> runs;
  try {
    for (int round = 1; round <= rounds; ++round) {
      std::vector<Run> these;
      for (const int k : pg_workers) these.push_back(postgres_run(url, k, jobs));
      for (const int k : sqlite_workers) these.push_back(sqlite_run(k, jobs));
      for (const auto& r : these) {
        const std::string server =
            r.server_cpu >= 0 ? ", server " + std::to_string(r.server_cpu).substr(0, 4) + " s" : "";
        std::printf("round %d: %-10s %d worker(s): %5d tasks in %6.3f s = %6.0f tasks/s "
                    "(machine CPU %3.0f %% busy, load %.1f; CPU: bench %.2f s%s)\n",
                    round, r.store.c_str(), r.workers, r.tasks, r.seconds, r.tasks_per_s(),
                    100 * r.cpu_busy, r.load, r.bench_cpu, server.c_str());
        runs[{r.store, r.workers}].push_back(r);
      }
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "claim_bench: %s\n", e.what());
    return 1;
  }

  std::printf("\n%d jobs of one empty task per run, %d rounds, medians; every task claimed once, "
              "Finished after 1 attempt\n\n",
              jobs, rounds);
  std::printf("| store | workers | tasks/s | min-max | vs 1 worker | ms per task per worker | "
              "machine CPU busy | client CPU per task | server CPU per task |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::map<std::string, double> one_worker;
  for (const auto& [key, list] : runs) {
    std::vector<double> rates, busy, cpu, server;
    for (const auto& r : list) {
      rates.push_back(r.tasks_per_s());
      busy.push_back(r.cpu_busy);
      cpu.push_back(r.bench_cpu / r.tasks);
      if (r.server_cpu >= 0) server.push_back(r.server_cpu / r.tasks);
    }
    const std::string server_per_task =
        server.empty() ? "-" : std::to_string(static_cast<int>(1e6 * median(server))) + " µs";
    const double rate = median(rates);
    if (key.second == 1) one_worker[key.first] = rate;
    const double base = one_worker.count(key.first) ? one_worker[key.first] : 0;
    std::printf("| %s | %d | %.0f | %.0f-%.0f | %s | %.2f | %.0f %% | %.0f µs | %s |\n",
                key.first.c_str(), key.second, rate,
                *std::min_element(rates.begin(), rates.end()),
                *std::max_element(rates.begin(), rates.end()),
                base > 0 ? (std::to_string(rate / base).substr(0, 4) + "×").c_str() : "-",
                rate > 0 ? 1000.0 * key.second / rate : 0, 100 * median(busy), 1e6 * median(cpu),
                server_per_task.c_str());
  }
  std::printf("\nclaim_bench: done\n");
  return 0;
}
