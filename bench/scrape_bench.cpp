// scrape_bench: what one Prometheus scrape of GET /metrics costs as the job store grows (issue
// 8). A scrape reads the store's counts (JobStore::state_counts: jobs and tasks by State, the
// runnable queue) and the worker table, then renders the text format; this times exactly that
// (api::refresh_store_metrics + Metrics::text) on SQLite and, with --pg, PostgreSQL, with 1 000,
// 10 000 and 100 000 one-task jobs in the store, --queued of them (a share) still Queued and the
// rest Finished. Medians of --runs scrapes per size. How to run it: bench/README.md; the numbers: docs/benchmarks.md.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <vector>

#include "bench/bench_jobs.hpp"
#include "daemon/api/ops.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/runtime/model.hpp"
#include "daemon/store/pg_job_store.hpp"
#include "daemon/store/sqlite_job_store.hpp"

namespace {

using mw::runtime::Clock;
namespace fs = std::filesystem;

// Finishes `count` of the Queued tasks (claim, start, finish): the store's history.
void finish(mw::store::JobStore& store, int count) {
  for (int i = 0; i < count; ++i) {
    auto claim = store.claim_task("bench:1", Clock::now(), std::chrono::seconds(60));
    if (!claim) return;
    store.start_task(*claim, Clock::now());
    store.finish_task(*claim, Clock::now(), {}, "");
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median milliseconds of `runs` scrapes, and the rendered size.
std::pair<double, size_t> time_scrapes(mw::store::JobStore& store, int runs) {
  mw::metrics::Metrics metrics("bench");
  metrics.set_slots(2);
  std::vector<double> ms;
  size_t bytes = 0;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    mw::api::refresh_store_metrics(store, metrics, Clock::now());
    const std::string text = metrics.text();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    bytes = text.size();
  }
  return {median(ms), bytes};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"scrape_bench: the cost of one GET /metrics scrape as the job store grows"};
  std::string pg_url;
  int runs = 21;
  std::vector<int> sizes{1000, 10000, 100000};
  app.add_option("--pg", pg_url, "Also PostgreSQL: a database URL the bench may fill (it creates tables there)");
  app.add_option("--runs", runs, "Scrapes timed per size (median reported)")->capture_default_str();
  app.add_option("--sizes", sizes, "Job counts")->capture_default_str();
  double queued = 0.01;
  app.add_option("--queued", queued, "Share of the jobs left Queued (0-1); the rest are Finished")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  bool keep = false;
  app.add_flag("--keep", keep, "Keep the SQLite stores (their folder is printed)");
  CLI11_PARSE(app, argc, argv);

  std::printf("| store | jobs in the store | of them Queued | scrape (ms, median of %d) | text (bytes) |\n"
              "|---|---|---|---|---|\n",
              runs);
  const auto queued_of = [&](int size) { return static_cast<int>(size * queued); };
  const fs::path dir = fs::temp_directory_path() / ("scrape_bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  for (const int size : sizes) {
    mw::store::SqliteJobStore sqlite(dir / ("jobs-" + std::to_string(size) + ".db"));
    mw::bench::create_jobs(sqlite, size);
    finish(sqlite, size - queued_of(size));
    const auto [ms, bytes] = time_scrapes(sqlite, runs);
    std::printf("| SQLite | %d | %d | %.2f | %zu |\n", size, queued_of(size), ms, bytes);
    std::fflush(stdout);
  }
  if (keep)
    std::printf("SQLite stores kept in %s\n", dir.c_str());
  else
    fs::remove_all(dir);
  if (!pg_url.empty()) {
    mw::store::PgJobStore pg(pg_url);
    int filled = 0;
    for (const int size : sizes) {
      mw::bench::create_jobs(pg, size - filled);
      finish(pg, (size - queued_of(size)) - (filled - queued_of(filled)));
      filled = size;
      const auto [ms, bytes] = time_scrapes(pg, runs);
      std::printf("| PostgreSQL | %d | %d | %.2f | %zu |\n", size, queued_of(size), ms, bytes);
      std::fflush(stdout);
    }
  }
  return 0;
}
