#pragma once
// The JobStore contract suite's fixture: value-parameterized over a store factory so that every
// JobStore implementation runs the same scenarios (sqlite_job_store_test.cpp instantiates it as
// "Sqlite"; a PostgreSQL store adds its own INSTANTIATE_TEST_SUITE_P with its factory).
// Times are explicit TimePoints on whole milliseconds (what every store keeps).

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "daemon/store/job_store.hpp"
#include "tests/support/process.hpp"

namespace mw::store::test {

using namespace std::chrono_literals;
using runtime::State;

/// Opens a JobStore whose data lives under `scratch` (a fresh empty folder per test): opening
/// again with the same folder must give the same data (the persistence scenarios reopen).
struct StoreFactory {
  std::string name;  ///< the instantiation's name, e.g. "Sqlite"
  std::function<std::unique_ptr<JobStore>(const std::filesystem::path& scratch)> open;
  /// Why this store cannot run here (e.g. no PostgreSQL server given), printed when the test
  /// is skipped; empty (or no function): it can.
  std::function<std::string()> unavailable = {};
};
/// Names the factory in test output (instead of its bytes).
inline void PrintTo(const StoreFactory& factory, std::ostream* out) {
  *out << factory.name;
}

/// 2024-01-01T00:00:00Z, the scenarios' time origin.
inline const TimePoint kT0{std::chrono::milliseconds(1'704'067'200'000)};
/// kT0 + offset.
inline TimePoint at(std::chrono::milliseconds offset) {
  return kT0 + offset;
}

/// The shape of a job the scenarios create.
struct JobShape {
  int tasks = 1;
  bool chained = false;  ///< task i reads task i-1's output; otherwise all read the input
  int priority = 0;
  TimePoint created = kT0;
  std::vector<int> options = {};  ///< TaskOptions per task (missing ones: none)
};

/// A job on `input_asset`: one output asset per task, created with the job.
NewJob make_job(const std::string& input_asset, const JobShape& shape = {});

/// An asset created at kT0 named `name`.
runtime::Asset make_asset(const std::string& name);

/// An AssetFile of `asset_id` named `name`.
runtime::AssetFile make_file(const std::string& asset_id, const std::string& name,
                             bool is_primary = false);

/// Runs `body` and returns the StoreError it throws (failing the test when it throws none).
template <typename Body>
StoreError store_error(Body body) {
  try {
    body();
  } catch (const StoreError& e) {
    return e;
  }
  ADD_FAILURE() << "no StoreError thrown";
  return StoreError(StoreError::Kind::Unavailable, "none");
}

class JobStoreTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    if (GetParam().unavailable) {
      if (const std::string reason = GetParam().unavailable(); !reason.empty())
        GTEST_SKIP() << reason;
    }
    store_ = GetParam().open(dir_.path());
  }

  JobStore& store() { return *store_; }
  /// Closes the store and opens it again on the same data.
  void reopen();

  /// Creates an asset with a primary "input.mp4" file; returns its Id.
  std::string input_asset();
  /// Creates a job on a new input asset; returns what was created.
  NewJob submit(const JobShape& shape = {});
  /// Claims with a 30 s lease; fails the test when nothing is runnable.
  Claim claim(const std::string& worker, TimePoint now);
  /// Claims and starts (Processing) a task.
  Claim claim_and_start(const std::string& worker, TimePoint now);

  runtime::Job job(const std::string& id);
  runtime::Task task(const std::string& id);
  State task_state(const std::string& id) { return task(id).state; }
  State job_state(const std::string& id) { return job(id).state; }
  /// The Codes of a task's HistoricalEvents, in order.
  std::vector<std::string> event_codes(const std::string& task_id);
  /// The Names of an asset's files, by Name.
  std::vector<std::string> file_names(const std::string& asset_id);

  mw::test::TempDir dir_;
  std::unique_ptr<JobStore> store_;
};

/// A WebHook endpoint named `name` with a 64-byte signing key (NULs included).
runtime::NotificationEndPoint make_endpoint(const std::string& name, TimePoint created = kT0);

/// The notification scenarios (job_store_notification_test.cpp), on the same factories.
class NotificationStoreTest : public JobStoreTest {
 protected:
  /// What expand() saw: "Job Queued->Scheduled", "Task ...", "Progress 40" per event, and the
  /// subscribers' endpoint names ("name*" when not registered yet) per event.
  struct Recorded {
    std::vector<std::string> events;
    std::vector<std::vector<std::string>> subscribers;
  };
  /// Expands every recorded event, queuing one message per subscriber whose body is the
  /// event's description (and ETag "etag-<seq>").
  Recorded expand();
  /// A job on a new input whose job (`target`) and task (All, with progress) subscribe `e`.
  NewJob submit_subscribed(const runtime::NotificationEndPoint& e,
                           runtime::NotificationTarget target = runtime::NotificationTarget::All,
                           const JobShape& shape = {});
};

/// The farm scenarios (job_store_farm_test.cpp), on the same factories.
class FarmStoreTest : public JobStoreTest {
 protected:
  /// A one-task job on a new input whose task needs `requirements`.
  NewJob submit_needing(const runtime::TaskRequirements& requirements, int priority,
                        TimePoint created = kT0);
};

}  // namespace mw::store::test
