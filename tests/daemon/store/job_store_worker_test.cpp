// The JobStore contract, worker side: which task a claim gets, chains between tasks, task
// failure, lease fencing and expiry, release, retried finishes, and concurrent claims. Runs
// against every store factory (see job_store_test_support.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "tests/daemon/store/job_store_test_support.hpp"

namespace mw::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_P(JobStoreTest, HigherPriorityJobIsClaimedFirstThenTheOlderOne) {
  const NewJob low_old = submit({.priority = 0, .created = at(0s)});
  const NewJob high_new = submit({.priority = 10, .created = at(2s)});
  const NewJob high_old = submit({.priority = 10, .created = at(1s)});
  const NewJob low_same_time = submit({.priority = 0, .created = at(0s)});  // inserted later

  EXPECT_EQ(claim("w", at(10s)).job_id, high_old.job.id);
  EXPECT_EQ(claim("w", at(10s)).job_id, high_new.job.id);
  EXPECT_EQ(claim("w", at(10s)).job_id, low_old.job.id);
  EXPECT_EQ(claim("w", at(10s)).job_id, low_same_time.job.id);
  EXPECT_FALSE(store().claim_task("w", at(10s), 30s));
}

TEST_P(JobStoreTest, TasksOfAJobAreClaimedByPosition) {
  const NewJob created = submit({.tasks = 3});
  for (const auto& t : created.tasks) EXPECT_EQ(claim("w", at(1s)).task_id, t.id);
}

TEST_P(JobStoreTest, ChainedTaskWaitsForThePreviousOneToFinish) {
  const NewJob created = submit({.tasks = 2, .chained = true});
  const Claim first = claim_and_start("w1", at(1s));
  EXPECT_EQ(first.task_id, created.tasks[0].id);
  EXPECT_FALSE(store().claim_task("w2", at(2s), 30s)) << "task 2's input is not ready";

  ASSERT_TRUE(store().finish_task(first, at(3s), {make_file("", "video.mp4")}, ""));
  EXPECT_EQ(job_state(created.job.id), State::Processing);
  EXPECT_EQ(claim("w2", at(4s)).task_id, created.tasks[1].id);
}

TEST_P(JobStoreTest, ErrorInATaskCancelsTheRestOfTheJob) {
  const NewJob created = submit({.tasks = 3});
  const Claim failing = claim_and_start("w1", at(1s));
  const Claim running = claim_and_start("w2", at(1s));
  const std::string& output = created.output_assets[0].id;
  store().add_asset_file(make_file(output, "partial.mp4"));  // uploaded before the failure

  ASSERT_TRUE(
      store().fail_task(failing, at(5s), {"ErrorExecutingTaskMalformedContent", "bad NAL unit"}));

  const runtime::Task failed = task(failing.task_id);
  EXPECT_EQ(failed.state, State::Error);
  ASSERT_EQ(failed.error_details.size(), 1u);
  EXPECT_EQ(failed.error_details[0].code, "ErrorExecutingTaskMalformedContent");
  EXPECT_EQ(failed.error_details[0].message, "bad NAL unit");
  EXPECT_EQ(failed.end_time, at(5s));
  EXPECT_DOUBLE_EQ(failed.running_duration_s, 4.0);
  ASSERT_EQ(failed.historical_events.size(), 4u);
  EXPECT_EQ(failed.historical_events[3].code, "Error");
  EXPECT_EQ(failed.historical_events[3].message, "bad NAL unit");
  EXPECT_THAT(file_names(output), IsEmpty()) << "output files of a failed task are removed";

  EXPECT_EQ(task_state(running.task_id), State::Canceling);
  EXPECT_EQ(task_state(created.tasks[2].id), State::Canceled);
  EXPECT_EQ(job_state(created.job.id), State::Canceling);
  EXPECT_EQ(store().renew_lease(running, at(6s), 30s, 10), LeaseStatus::CancelRequested);
  ASSERT_TRUE(store().task_canceled(running, at(7s)));
  EXPECT_EQ(job_state(created.job.id), State::Error);
  EXPECT_EQ(job(created.job.id).end_time, at(7s));
}

TEST_P(JobStoreTest, DoNotDeleteOutputAssetOnFailureKeepsTheFiles) {
  const NewJob created = submit({.options = {runtime::kDoNotDeleteOutputAssetOnFailure}});
  const Claim claimed = claim_and_start("w", at(1s));
  store().add_asset_file(make_file(created.output_assets[0].id, "partial.mp4"));
  ASSERT_TRUE(store().fail_task(claimed, at(2s), {"ErrorProcessingTask", "disk full"}));
  EXPECT_THAT(file_names(created.output_assets[0].id), ElementsAre("partial.mp4"));
  EXPECT_EQ(job_state(created.job.id), State::Error);
}

TEST_P(JobStoreTest, TaskWithDoNotCancelOnJobFailureRunsOnAfterAnotherFails) {
  const NewJob created = submit({.tasks = 2, .options = {0, runtime::kDoNotCancelOnJobFailure}});
  const Claim failing = claim_and_start("w", at(1s));
  ASSERT_TRUE(store().fail_task(failing, at(2s), {"ErrorProcessingTask", "boom"}));
  EXPECT_EQ(task_state(created.tasks[1].id), State::Queued);
  EXPECT_EQ(job_state(created.job.id), State::Processing);

  const Claim survivor = claim_and_start("w", at(3s));
  EXPECT_EQ(survivor.task_id, created.tasks[1].id);
  ASSERT_TRUE(store().finish_task(survivor, at(4s), {}, ""));
  EXPECT_EQ(task_state(survivor.task_id), State::Finished);
  EXPECT_EQ(job_state(created.job.id), State::Error) << "one failed task makes the job Error";
}

TEST_P(JobStoreTest, ChainedTaskWhoseInputCanNeverBeReadyIsCanceled) {
  // Even DoNotCancelOnJobFailure cannot keep task 2 waiting for an output that will never come.
  const NewJob created =
      submit({.tasks = 2, .chained = true, .options = {0, runtime::kDoNotCancelOnJobFailure}});
  const Claim failing = claim_and_start("w", at(1s));
  ASSERT_TRUE(store().fail_task(failing, at(2s), {"ErrorProcessingTask", "boom"}));
  EXPECT_EQ(task_state(created.tasks[1].id), State::Canceled);
  EXPECT_EQ(job_state(created.job.id), State::Error);
}

TEST_P(JobStoreTest, ExpiredLeaseIsTakenOverAndTheOldWorkerIsFenced) {
  const NewJob created = submit();
  const Claim old_claim = claim_and_start("w1", at(0s));  // lease until 30 s
  EXPECT_THAT(store().requeue_expired(at(29s), 3), IsEmpty());
  EXPECT_THAT(store().requeue_expired(at(31s), 3), ElementsAre(old_claim.task_id));

  const runtime::Task requeued = task(old_claim.task_id);
  EXPECT_EQ(requeued.state, State::Queued);
  EXPECT_EQ(requeued.attempts, 1);
  ASSERT_EQ(requeued.historical_events.back().code, "Requeued");
  EXPECT_THAT(requeued.historical_events.back().message, HasSubstr("attempt 1"));
  EXPECT_EQ(job_state(created.job.id), State::Queued);

  const Claim new_claim = claim("w2", at(32s));
  EXPECT_EQ(new_claim.task_id, old_claim.task_id);
  EXPECT_EQ(new_claim.attempt, 2);
  EXPECT_NE(new_claim.lease_token, old_claim.lease_token);

  const auto events_before = task(old_claim.task_id).historical_events.size();
  EXPECT_EQ(store().start_task(old_claim, at(33s)), LeaseStatus::Lost);
  EXPECT_EQ(store().renew_lease(old_claim, at(33s), 30s, 99), LeaseStatus::Lost);
  EXPECT_FALSE(store().finish_task(old_claim, at(34s), {make_file("", "stale.mp4")}, "stale"));
  EXPECT_FALSE(store().fail_task(old_claim, at(34s), {"Unknown", "stale"}));
  EXPECT_FALSE(store().task_canceled(old_claim, at(34s)));
  store().release_task(old_claim, at(34s));

  const runtime::Task untouched = task(old_claim.task_id);
  EXPECT_EQ(untouched.state, State::Scheduled);
  EXPECT_EQ(untouched.progress, 0);
  EXPECT_EQ(untouched.attempts, 2);
  EXPECT_EQ(untouched.historical_events.size(), events_before);
  EXPECT_THAT(file_names(created.output_assets[0].id), IsEmpty());

  EXPECT_EQ(store().start_task(new_claim, at(35s)), LeaseStatus::Held);
  EXPECT_TRUE(store().finish_task(new_claim, at(36s), {make_file("", "video.mp4")}, ""));
  EXPECT_THAT(event_codes(new_claim.task_id),
              ElementsAre("Queued", "Scheduled", "Processing", "Requeued", "Scheduled",
                          "Processing", "Finished"));
}

TEST_P(JobStoreTest, PublishRunsOnlyUnderAHeldLeaseAndItsFailureWritesNothing) {
  const NewJob created = submit();
  const Claim old_claim = claim_and_start("w1", at(0s));
  ASSERT_THAT(store().requeue_expired(at(31s), 3), ElementsAre(old_claim.task_id));
  const Claim new_claim = claim_and_start("w2", at(32s));

  int published = 0;
  EXPECT_FALSE(store().finish_task(old_claim, at(33s), {make_file("", "stale.mp4")}, "", {},
                                   [&] { ++published; }));
  EXPECT_EQ(published, 0) << "a worker whose lease was taken over must not move its files in";

  EXPECT_THROW(store().finish_task(new_claim, at(34s), {make_file("", "video.mp4")}, "", {},
                                   [] { throw std::runtime_error("disk full"); }),
               std::runtime_error);
  EXPECT_EQ(task(new_claim.task_id).state, State::Processing) << "nothing written";
  EXPECT_THAT(file_names(created.output_assets[0].id), IsEmpty());

  EXPECT_TRUE(store().finish_task(new_claim, at(35s), {make_file("", "video.mp4")}, "", {},
                                  [&] { ++published; }));
  EXPECT_GE(published, 1);
  EXPECT_EQ(task(new_claim.task_id).state, State::Finished);
  EXPECT_THAT(file_names(created.output_assets[0].id), ElementsAre("video.mp4"));
}

TEST_P(JobStoreTest, ExpiredLeaseNobodyTookBackStillFinishes) {
  const NewJob created = submit();
  const Claim claimed = claim_and_start("w", at(0s));
  EXPECT_TRUE(store().finish_task(claimed, at(5min), {}, ""));
  EXPECT_EQ(job_state(created.job.id), State::Finished);
}

TEST_P(JobStoreTest, TaskErrsWithATransientErrorAfterTheLastAttempt) {
  const NewJob created = submit();
  const Claim first = claim_and_start("w1", at(0s));
  EXPECT_THAT(store().requeue_expired(at(31s), 2), ElementsAre(first.task_id));
  const Claim second = claim("w2", at(40s));
  EXPECT_EQ(second.attempt, 2);
  EXPECT_THAT(store().requeue_expired(at(71s), 2), ElementsAre(first.task_id));

  const runtime::Task failed = task(first.task_id);
  EXPECT_EQ(failed.state, State::Error);
  EXPECT_EQ(failed.attempts, 2);
  ASSERT_EQ(failed.error_details.size(), 1u);
  EXPECT_EQ(failed.error_details[0].code, "TransientError");
  EXPECT_THAT(failed.error_details[0].message, HasSubstr("w2"));
  EXPECT_THAT(event_codes(first.task_id),
              ElementsAre("Queued", "Scheduled", "Processing", "Requeued", "Scheduled", "Error"));
  EXPECT_EQ(job_state(created.job.id), State::Error);
  EXPECT_FALSE(store().claim_task("w3", at(72s), 30s));
}

TEST_P(JobStoreTest, ExpiredLeaseOfACancelingTaskEndsItCanceled) {
  const NewJob created = submit();
  const Claim claimed = claim_and_start("w", at(0s));
  store().cancel_job(created.job.id, at(1s));
  EXPECT_THAT(store().requeue_expired(at(31s), 3), ElementsAre(claimed.task_id));
  EXPECT_EQ(task_state(claimed.task_id), State::Canceled);
  EXPECT_EQ(job_state(created.job.id), State::Canceled);
}

TEST_P(JobStoreTest, ReleasedTaskGoesBackWithoutCountingTheAttempt) {
  const NewJob created = submit();
  const Claim claimed = claim_and_start("w1", at(0s));
  store().renew_lease(claimed, at(1s), 30s, 30);
  store().release_task(claimed, at(2s));

  const runtime::Task released = task(claimed.task_id);
  EXPECT_EQ(released.state, State::Queued);
  EXPECT_EQ(released.attempts, 0);
  EXPECT_EQ(released.progress, 0);
  EXPECT_FALSE(released.start_time);
  EXPECT_EQ(released.historical_events.back().code, "Released");
  EXPECT_EQ(job_state(created.job.id), State::Queued);
  EXPECT_EQ(store().renew_lease(claimed, at(3s), 30s, 30), LeaseStatus::Lost);
  EXPECT_EQ(claim("w2", at(4s)).attempt, 1);
}

TEST_P(JobStoreTest, RetriedFinishLeavesOneSetOfOutputFiles) {
  const NewJob created = submit();
  const std::string& output = created.output_assets[0].id;
  // Attempt 1 registers a file, then its worker dies.
  const Claim first = claim_and_start("w1", at(0s));
  store().add_asset_file(make_file(output, "video.mp4", true));
  store().requeue_expired(at(31s), 3);

  const Claim second = claim_and_start("w2", at(32s));
  const std::vector<runtime::AssetFile> outputs = {make_file("", "video.mp4", true),
                                                   make_file("", "video_manifest.xml")};
  ASSERT_TRUE(store().finish_task(second, at(40s), outputs, ""));
  EXPECT_THAT(file_names(output), ElementsAre("video.mp4", "video_manifest.xml"));
  // The same call again (the answer to the first was lost): no duplicate, no change.
  EXPECT_FALSE(store().finish_task(second, at(41s), outputs, ""));
  EXPECT_THAT(file_names(output), ElementsAre("video.mp4", "video_manifest.xml"));
  EXPECT_EQ(task(second.task_id).end_time, at(40s));
  EXPECT_FALSE(store().finish_task(first, at(42s), outputs, ""));
}

TEST_P(JobStoreTest, FourWorkersClaimEachOf200TasksExactlyOnce) {
  std::vector<NewJob> jobs;
  for (int i = 0; i < 20; ++i) jobs.push_back(submit({.tasks = 10, .priority = i % 3}));

  constexpr int kWorkers = 4;
  std::vector<std::vector<std::string>> claimed(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([this, w, &claimed] {
      const std::string worker = "worker-" + std::to_string(w);
      while (auto got = store().claim_task(worker, at(1s), 30s)) {
        claimed[static_cast<size_t>(w)].push_back(got->task_id);
        if (store().start_task(*got, at(2s)) != LeaseStatus::Held) break;
        if (!store().finish_task(*got, at(3s), {}, "")) break;
      }
    });
  }
  for (auto& worker : workers) worker.join();

  std::multiset<std::string> all;
  for (const auto& ids : claimed) all.insert(ids.begin(), ids.end());
  std::set<std::string> expected;
  for (const auto& j : jobs)
    for (const auto& t : j.tasks) expected.insert(t.id);
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), expected);
  for (const auto& j : jobs) EXPECT_EQ(job_state(j.job.id), State::Finished);
}


TEST_P(JobStoreTest, StateCountsCountJobsAndTasksByStateAndTheRunnableQueue) {
  EXPECT_EQ(store().state_counts().runnable, 0) << "an empty store";
  const NewJob chain = submit({.tasks = 2, .chained = true});  // task 2 waits for task 1
  const NewJob single = submit({.tasks = 1});
  const NewJob failing = submit({.tasks = 1});
  auto index = [](State s) { return static_cast<size_t>(s); };

  StateCounts counts = store().state_counts();
  EXPECT_EQ(counts.jobs[index(State::Queued)], 3);
  EXPECT_EQ(counts.tasks[index(State::Queued)], 4);
  EXPECT_EQ(counts.runnable, 3) << "the chain's second task is not runnable yet";

  const Claim first = claim_and_start("w", at(1s));  // the chain's first task
  ASSERT_EQ(first.task_id, chain.tasks[0].id);
  const Claim second = claim("w", at(1s));  // the single job's task: Scheduled
  ASSERT_EQ(second.task_id, single.tasks[0].id);
  counts = store().state_counts();
  EXPECT_EQ(counts.tasks[index(State::Processing)], 1);
  EXPECT_EQ(counts.tasks[index(State::Scheduled)], 1);
  EXPECT_EQ(counts.tasks[index(State::Queued)], 2);
  EXPECT_EQ(counts.runnable, 1) << "only the failing job's task";

  ASSERT_TRUE(store().finish_task(first, at(2s), {make_file("", "video.mp4")}, ""));
  const Claim third = claim_and_start("w", at(3s));  // the chain's second task, now runnable
  ASSERT_EQ(third.task_id, chain.tasks[1].id);
  ASSERT_TRUE(store().finish_task(third, at(4s), {make_file("", "video2.mp4")}, ""));
  const Claim doomed = claim_and_start("w", at(5s));
  ASSERT_EQ(doomed.task_id, failing.tasks[0].id);
  ASSERT_TRUE(store().fail_task(doomed, at(6s), {"ErrorProcessingTask", "boom"}));
  store().cancel_job(single.job.id, at(7s));  // its task is Scheduled: Canceled at once or Canceling

  counts = store().state_counts();
  EXPECT_EQ(counts.jobs[index(State::Finished)], 1);
  EXPECT_EQ(counts.jobs[index(State::Error)], 1);
  EXPECT_EQ(counts.tasks[index(State::Finished)], 2);
  EXPECT_EQ(counts.tasks[index(State::Error)], 1);
  const auto single_state = task_state(single.tasks[0].id);
  EXPECT_EQ(counts.tasks[index(single_state)], 1);
  EXPECT_EQ(counts.jobs[index(job_state(single.job.id))], 1);
  EXPECT_EQ(counts.tasks[index(State::Queued)], 0);
  EXPECT_EQ(counts.runnable, 0);
  int64_t jobs = 0, tasks = 0;
  for (size_t i = 0; i < counts.jobs.size(); ++i) {
    jobs += counts.jobs[i];
    tasks += counts.tasks[i];
  }
  EXPECT_EQ(jobs, 3);
  EXPECT_EQ(tasks, 4);
}

}  // namespace
}  // namespace mw::store::test
