// aggregate_job_state: the Job State from its tasks' states (AMS-V2-REFERENCE.md §3).

#include "daemon/store/job_state.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mw::store {
namespace {

using runtime::State;

State of(std::vector<State> tasks) {
  return aggregate_job_state(tasks);
}

TEST(JobStateTest, CancelingWinsOverEverything) {
  EXPECT_EQ(of({State::Error, State::Canceling, State::Processing}), State::Canceling);
}

TEST(JobStateTest, FinalJobIsErrorThenCanceledThenFinished) {
  EXPECT_EQ(of({State::Finished, State::Canceled, State::Error}), State::Error);
  EXPECT_EQ(of({State::Finished, State::Canceled}), State::Canceled);
  EXPECT_EQ(of({State::Finished, State::Finished}), State::Finished);
}

TEST(JobStateTest, RunningJobIsProcessingThenScheduled) {
  EXPECT_EQ(of({State::Scheduled, State::Processing, State::Queued}), State::Processing);
  EXPECT_EQ(of({State::Scheduled, State::Queued}), State::Scheduled);
}

TEST(JobStateTest, StartedJobNeverGoesBackToScheduled) {
  // Task 1 finished, task 2 (its successor) claimed: the job stays Processing, so that
  // JobStateChange subscribers do not get Processing -> Scheduled -> Processing between tasks.
  EXPECT_EQ(of({State::Finished, State::Scheduled}), State::Processing);
  EXPECT_EQ(of({State::Error, State::Scheduled}), State::Processing);
}

TEST(JobStateTest, FinishedTaskWithQueuedSuccessorKeepsTheJobProcessing) {
  EXPECT_EQ(of({State::Finished, State::Queued}), State::Processing);
  EXPECT_EQ(of({State::Error, State::Queued}), State::Processing);
}

TEST(JobStateTest, QueuedTasksOrNoneMakeAQueuedJob) {
  EXPECT_EQ(of({State::Queued, State::Queued}), State::Queued);
  EXPECT_EQ(of({}), State::Queued);
}

}  // namespace
}  // namespace mw::store
