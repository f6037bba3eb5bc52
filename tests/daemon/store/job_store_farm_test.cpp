// The JobStore contract, farm side (docs/farm.md): capability-aware claiming, the worker table,
// and the "Waiting" HistoricalEvent of a task no live worker can run. Runs against every store
// factory (see job_store_test_support.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/daemon/store/job_store_test_support.hpp"

namespace mw::store::test {

NewJob FarmStoreTest::submit_needing(const runtime::TaskRequirements& requirements, int priority,
                                     TimePoint created) {
  NewJob job = make_job(input_asset(), {.priority = priority, .created = created});
  job.tasks[0].requirements = requirements;
  store().create_job(job);
  return job;
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using runtime::TaskRequirements;
using runtime::WorkerCapabilities;

const TaskRequirements kUhd{3840, 2160, {"aac", "libx264"}, {}};
const TaskRequirements k720{1280, 720, {"aac", "libx264"}, {}};
const TaskRequirements kGpu{0, 0, {}, {"gpu"}};
const WorkerCapabilities kHdWorker{1920, 1080, {"aac", "libx264", "mjpeg"}, {}};

TEST_P(FarmStoreTest, ClaimPassesOverTasksTheWorkerCannotRunAndKeepsPriorityAmongTheRest) {
  const NewJob uhd = submit_needing(kUhd, 10);
  const NewJob gpu = submit_needing(kGpu, 5);
  const NewJob hd_low = submit_needing(k720, 0, at(1s));
  const NewJob hd_high = submit_needing(k720, 1, at(2s));

  const auto first = store().claim_task("hd", at(10s), 30s, &kHdWorker);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->job_id, hd_high.job.id);
  EXPECT_EQ(store().claim_task("hd", at(10s), 30s, &kHdWorker)->job_id, hd_low.job.id);
  EXPECT_FALSE(store().claim_task("hd", at(10s), 30s, &kHdWorker))
      << "the 2160p task and the gpu task stay for other workers";

  const WorkerCapabilities gpu_worker{0, 0, {"aac", "libx264"}, {"gpu", "ssd"}};
  EXPECT_EQ(store().claim_task("gpu", at(11s), 30s, &gpu_worker)->job_id, uhd.job.id)
      << "no max_resolution: any size";
  EXPECT_EQ(store().claim_task("gpu", at(11s), 30s, &gpu_worker)->job_id, gpu.job.id);
}

TEST_P(FarmStoreTest, PortraitOutputFitsAWorkerByItsLongerAndShorterSide) {
  submit_needing({1080, 1920, {}, {}}, 0);  // stored as given: long/short already
  const auto claimed = store().claim_task("hd", at(1s), 30s, &kHdWorker);
  EXPECT_FALSE(claimed) << "short edge 1920 > 1080";
  submit_needing({1920, 1080, {}, {}}, 0);
  EXPECT_TRUE(store().claim_task("hd", at(1s), 30s, &kHdWorker));
}

TEST_P(FarmStoreTest, TaskRequirementsAreKept) {
  const NewJob job = submit_needing(kUhd, 0);
  EXPECT_EQ(task(job.tasks[0].id).requirements, kUhd);
  reopen();
  EXPECT_EQ(store().job_tasks(job.job.id)[0].requirements, kUhd);
}

TEST_P(FarmStoreTest, WorkerTableListsLeasesAndPrunesSilentWorkers) {
  runtime::Worker a{"host-a:10", "host-a", 10, "1.0", 2, 30, kHdWorker, at(0s), at(0s), {}};
  runtime::Worker b{"host-b:20", "host-b", 20, "1.0", 1, 30, {}, at(0s), at(0s), {}};
  store().register_worker(a);
  store().register_worker(b);
  const NewJob job = submit();
  const Claim claim = claim_and_start("host-a:10", at(1s));

  EXPECT_TRUE(store().worker_heartbeat("host-a:10", at(20s)));
  auto workers = store().list_workers();
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_EQ(workers[0].id, "host-a:10");
  EXPECT_EQ(workers[0].capabilities, kHdWorker);
  EXPECT_EQ(workers[0].slots, 2);
  EXPECT_EQ(workers[0].lease_seconds, 30);
  EXPECT_EQ(workers[0].last_heartbeat, at(20s));
  EXPECT_THAT(workers[0].running_task_ids, ElementsAre(claim.task_id));
  EXPECT_THAT(workers[1].running_task_ids, IsEmpty());

  EXPECT_EQ(store().prune_workers(at(10s)), 1) << "host-b missed its heartbeats";
  EXPECT_FALSE(store().worker_heartbeat("host-b:20", at(21s))) << "pruned: it registers again";
  ASSERT_TRUE(store().finish_task(claim, at(22s), {}, ""));
  workers = store().list_workers();
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_THAT(workers[0].running_task_ids, IsEmpty());
  store().remove_worker("host-a:10");
  EXPECT_THAT(store().list_workers(), IsEmpty());
  EXPECT_EQ(job_state(job.job.id), State::Finished);
}

TEST_P(FarmStoreTest, TheFirstStorageIdentityProposedIsKept) {
  EXPECT_EQ(store().storage_identity("first"), "first");
  EXPECT_EQ(store().storage_identity("second"), "first");
  reopen();
  EXPECT_EQ(store().storage_identity("third"), "first");
}

TEST_P(FarmStoreTest, WaitingEventIsWrittenOncePerWait) {
  const NewJob gpu = submit_needing(kGpu, 0);
  const NewJob any = submit_needing({}, 0);
  const auto why = [](const TaskRequirements& r) {
    return r.tags.empty() ? std::string() : "no live worker has tag 'gpu'";
  };
  EXPECT_THAT(store().note_waiting_tasks(why, at(1s), 100), ElementsAre(gpu.tasks[0].id));
  EXPECT_THAT(store().note_waiting_tasks(why, at(2s), 100), IsEmpty()) << "noted once";
  EXPECT_THAT(event_codes(gpu.tasks[0].id), ElementsAre("Queued", "Waiting"));
  EXPECT_EQ(task(gpu.tasks[0].id).historical_events.back().message, "no live worker has tag 'gpu'");
  EXPECT_EQ(task_state(gpu.tasks[0].id), State::Queued);
  EXPECT_THAT(event_codes(any.tasks[0].id), ElementsAre("Queued"));

  // A worker with the tag came, claimed it and died: the next wait is noted again.
  const WorkerCapabilities gpu_worker{0, 0, {}, {"gpu"}};
  ASSERT_TRUE(store().claim_task("gpu", at(3s), 30s, &gpu_worker));
  ASSERT_TRUE(store().claim_task("gpu", at(3s), 30s, &gpu_worker));
  EXPECT_EQ(store().requeue_expired(at(60s), 3).size(), 2u);
  EXPECT_THAT(store().note_waiting_tasks(why, at(61s), 100), ElementsAre(gpu.tasks[0].id));
}

}  // namespace
}  // namespace mw::store::test
