// The JobStore contract, client side: assets and files, jobs and tasks, the life of a job seen
// through its State, events and times, cancel, delete, paging and persistence. Runs against
// every store factory (see job_store_test_support.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/daemon/store/job_store_test_support.hpp"

namespace mw::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// --- Assets and files -------------------------------------------------------------------------

TEST_P(JobStoreTest, AssetAndItsFilesRoundTrip) {
  runtime::Asset asset = make_asset("Big Buck Bunny");
  asset.options = 1;
  asset.format_option = 1;
  asset.alternate_id = "bbb-1080p";
  asset.storage_account_name = "local";
  asset.last_modified = at(5ms);
  store().create_asset(asset);

  const auto found = store().find_asset(asset.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Big Buck Bunny");
  EXPECT_EQ(found->options, 1);
  EXPECT_EQ(found->format_option, 1);
  EXPECT_EQ(found->alternate_id, "bbb-1080p");
  EXPECT_EQ(found->storage_account_name, "local");
  EXPECT_EQ(found->created, kT0);
  EXPECT_EQ(found->last_modified, at(5ms));

  const runtime::AssetFile video = make_file(asset.id, "video.mp4", true);
  store().add_asset_file(make_file(asset.id, "subtitles.vtt"));
  store().add_asset_file(video);
  store().set_asset_file_size(video.id, 7'000'000'000, at(10s));

  const auto file = store().find_asset_file(video.id);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->parent_asset_id, asset.id);
  EXPECT_EQ(file->content_file_size, 7'000'000'000);
  EXPECT_EQ(file->mime_type, "video/mp4");
  EXPECT_TRUE(file->is_primary);
  EXPECT_EQ(file->created, kT0);
  EXPECT_EQ(file->last_modified, at(10s));
  EXPECT_THAT(file_names(asset.id), ElementsAre("subtitles.vtt", "video.mp4"));
  EXPECT_EQ(store().list_asset_files({}).size(), 2u);
  EXPECT_EQ(store().list_assets({}).size(), 1u);
  EXPECT_FALSE(store().find_asset("nb:cid:UUID:missing"));
  EXPECT_FALSE(store().find_asset_file("nb:cid:UUID:missing"));
}

TEST_P(JobStoreTest, SameFileNameTwiceInAnAssetIsAConflict) {
  const runtime::Asset first = make_asset("first"), second = make_asset("second");
  store().create_asset(first);
  store().create_asset(second);
  store().add_asset_file(make_file(first.id, "video.mp4"));

  const StoreError error =
      store_error([&] { store().add_asset_file(make_file(first.id, "video.mp4")); });
  EXPECT_EQ(error.kind(), StoreError::Kind::Conflict);
  EXPECT_THAT(error.what(),
              HasSubstr("AssetFile name 'video.mp4' already exists in asset " + first.id));
  store().add_asset_file(make_file(second.id, "video.mp4"));  // another asset: fine
  EXPECT_THAT(file_names(first.id), ElementsAre("video.mp4"));
}

TEST_P(JobStoreTest, SecondPrimaryFileIsAConflict) {
  const runtime::Asset asset = make_asset("two primaries");
  store().create_asset(asset);
  store().add_asset_file(make_file(asset.id, "a.mp4", true));
  store().add_asset_file(make_file(asset.id, "b.mp4", false));

  const StoreError error =
      store_error([&] { store().add_asset_file(make_file(asset.id, "c.mp4", true)); });
  EXPECT_EQ(error.kind(), StoreError::Kind::Conflict);
  EXPECT_THAT(error.what(), HasSubstr("primary"));
  EXPECT_THAT(file_names(asset.id), ElementsAre("a.mp4", "b.mp4"));
}

TEST_P(JobStoreTest, FileOfAMissingAssetOrSizeOfAMissingFileIsNotFound) {
  const StoreError no_asset =
      store_error([&] { store().add_asset_file(make_file("nb:cid:UUID:gone", "a.mp4")); });
  EXPECT_EQ(no_asset.kind(), StoreError::Kind::NotFound);
  EXPECT_THAT(no_asset.what(), HasSubstr("nb:cid:UUID:gone"));
  const StoreError no_file =
      store_error([&] { store().set_asset_file_size("nb:cid:UUID:nofile", 1, kT0); });
  EXPECT_EQ(no_file.kind(), StoreError::Kind::NotFound);
  EXPECT_TRUE(store().list_asset_files({}).empty());
}

TEST_P(JobStoreTest, AssetIdTakenTwiceIsAConflict) {
  const runtime::Asset asset = make_asset("once");
  store().create_asset(asset);
  EXPECT_EQ(store_error([&] { store().create_asset(asset); }).kind(), StoreError::Kind::Conflict);
  EXPECT_EQ(store().list_assets({}).size(), 1u);
}

// --- Jobs -------------------------------------------------------------------------------------

TEST_P(JobStoreTest, JobIsStoredWithItsTasksAndOutputAssets) {
  const NewJob created = submit({.tasks = 2, .chained = true, .priority = 7});

  const runtime::Job found = job(created.job.id);
  EXPECT_EQ(found.name, created.job.name);
  EXPECT_EQ(found.priority, 7);
  EXPECT_EQ(found.state, State::Queued);
  EXPECT_EQ(found.created, kT0);
  EXPECT_FALSE(found.start_time);
  EXPECT_FALSE(found.end_time);
  EXPECT_EQ(found.input_asset_ids, created.job.input_asset_ids);
  EXPECT_EQ(found.output_asset_ids, created.job.output_asset_ids);
  for (const auto& output : created.output_assets) EXPECT_TRUE(store().find_asset(output.id));

  const auto tasks = store().job_tasks(created.job.id);
  ASSERT_EQ(tasks.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const runtime::Task& task = tasks[static_cast<size_t>(i)];
    const runtime::Task& given = created.tasks[static_cast<size_t>(i)];
    EXPECT_EQ(task.id, given.id);
    EXPECT_EQ(task.job_id, created.job.id);
    EXPECT_EQ(task.position, i);
    EXPECT_EQ(task.configuration, given.configuration);
    EXPECT_EQ(task.media_processor_id, given.media_processor_id);
    EXPECT_EQ(task.task_body, given.task_body);
    EXPECT_EQ(task.state, State::Queued);
    EXPECT_EQ(task.attempts, 0);
    EXPECT_EQ(task.input_asset_ids, given.input_asset_ids);
    EXPECT_EQ(task.output_asset_ids, given.output_asset_ids);
    ASSERT_EQ(task.historical_events.size(), 1u);
    EXPECT_EQ(task.historical_events[0].code, "Queued");
    EXPECT_EQ(task.historical_events[0].message, "");
    EXPECT_EQ(task.historical_events[0].timestamp, kT0);
  }
  EXPECT_EQ(tasks[1].input_asset_ids, tasks[0].output_asset_ids);
  EXPECT_EQ(task(created.tasks[1].id).input_asset_ids, tasks[0].output_asset_ids);
  EXPECT_EQ(store().list_tasks({}).size(), 2u);
}

TEST_P(JobStoreTest, JobOnAMissingInputAssetIsNotFoundAndLeavesNothing) {
  const NewJob orphan = make_job("nb:cid:UUID:no-such-asset", {.tasks = 1});
  const StoreError error = store_error([&] { store().create_job(orphan); });
  EXPECT_EQ(error.kind(), StoreError::Kind::NotFound);
  EXPECT_THAT(error.what(), HasSubstr("nb:cid:UUID:no-such-asset"));
  EXPECT_FALSE(store().find_job(orphan.job.id));
  EXPECT_FALSE(store().find_asset(orphan.output_assets[0].id));  // rolled back with the job
  EXPECT_TRUE(store().list_tasks({}).empty());
}

TEST_P(JobStoreTest, JobsCreatedTogetherAreAllPersistedOrNone) {
  const std::string input = input_asset();
  const NewJob first = make_job(input, {.tasks = 2});
  const NewJob orphan = make_job("nb:cid:UUID:no-such-asset", {.tasks = 1});
  const StoreError error = store_error([&] { store().create_jobs({first, orphan}); });
  EXPECT_EQ(error.kind(), StoreError::Kind::NotFound);
  EXPECT_THAT(error.what(), HasSubstr("nb:cid:UUID:no-such-asset"));
  EXPECT_FALSE(store().find_job(first.job.id));  // rolled back with the second
  EXPECT_FALSE(store().find_asset(first.output_assets[0].id));
  EXPECT_TRUE(store().list_tasks({}).empty());

  const NewJob second = make_job(input, {.tasks = 1});
  store().create_jobs({first, second});
  EXPECT_EQ(store().list_jobs({}).size(), 2u);
  EXPECT_EQ(store().job_tasks(first.job.id).size(), 2u);
  EXPECT_EQ(store().job_tasks(second.job.id).size(), 1u);
}

TEST_P(JobStoreTest, TaskGoesQueuedScheduledProcessingFinishedWithOneEventEach) {
  const NewJob created = submit();
  const std::string& task_id = created.tasks[0].id;
  const std::string& output = created.output_assets[0].id;

  const Claim claimed = claim("worker-1", at(5s));
  EXPECT_EQ(claimed.task_id, task_id);
  EXPECT_EQ(claimed.job_id, created.job.id);
  EXPECT_EQ(claimed.worker_id, "worker-1");
  EXPECT_NE(claimed.lease_token, 0);
  EXPECT_EQ(claimed.attempt, 1);
  EXPECT_EQ(job_state(created.job.id), State::Scheduled);

  EXPECT_EQ(store().start_task(claimed, at(10s)), LeaseStatus::Held);
  EXPECT_EQ(job_state(created.job.id), State::Processing);
  EXPECT_EQ(task(task_id).start_time, at(10s));

  const std::vector<runtime::AssetFile> outputs = {make_file("", "video_1280x720.mp4", true),
                                                   make_file("", "manifest.ism")};
  ASSERT_TRUE(store().finish_task(claimed, at(95500ms), outputs, "Encoding time is 85.5 s"));

  const runtime::Task done = task(task_id);
  EXPECT_EQ(done.state, State::Finished);
  EXPECT_EQ(done.progress, 100);
  EXPECT_EQ(done.perf_message, "Encoding time is 85.5 s");
  EXPECT_EQ(done.end_time, at(95500ms));
  EXPECT_EQ(done.attempts, 1);
  ASSERT_EQ(done.historical_events.size(), 4u);
  const std::vector<std::pair<std::string, TimePoint>> expected = {
      {"Queued", kT0}, {"Scheduled", at(5s)}, {"Processing", at(10s)}, {"Finished", at(95500ms)}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(done.historical_events[i].code, expected[i].first);
    EXPECT_EQ(done.historical_events[i].timestamp, expected[i].second);
    EXPECT_EQ(done.historical_events[i].message, i == 1 ? "worker 'worker-1'" : "");
  }
  EXPECT_THAT(file_names(output), ElementsAre("manifest.ism", "video_1280x720.mp4"));
  for (const auto& file : store().asset_files(output)) EXPECT_EQ(file.parent_asset_id, output);

  const runtime::Job finished = job(created.job.id);
  EXPECT_EQ(finished.state, State::Finished);
  EXPECT_EQ(finished.start_time, at(5s));  // first Scheduled
  EXPECT_EQ(finished.end_time, at(95500ms));
  EXPECT_EQ(finished.last_modified, at(95500ms));
}

TEST_P(JobStoreTest, RunningDurationIsInSeconds) {
  const NewJob created = submit();
  const Claim claimed = claim("w", at(5s));
  store().start_task(claimed, at(10s));
  ASSERT_TRUE(store().finish_task(claimed, at(95500ms), {}, ""));
  EXPECT_DOUBLE_EQ(task(created.tasks[0].id).running_duration_s, 85.5);
  EXPECT_DOUBLE_EQ(job(created.job.id).running_duration_s, 90.5);
}

TEST_P(JobStoreTest, PlanNotesBecomeHistoricalEventsBeforeFinished) {
  const NewJob created = submit();
  const Claim claimed = claim("w", at(5s));
  store().start_task(claimed, at(10s));
  const std::vector<std::string> notes = {"the input has no audio stream: the output is video only",
                                          "layer 0 (1920x1080 at 6000 kbps) dropped"};
  ASSERT_TRUE(store().finish_task(claimed, at(20s), {}, "", notes));
  const auto events = task(created.tasks[0].id).historical_events;
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[3].code, "Note");
  EXPECT_EQ(events[3].message, notes[0]);
  EXPECT_EQ(events[4].code, "Note");
  EXPECT_EQ(events[4].message, notes[1]);
  EXPECT_EQ(events[4].timestamp, at(20s));
  EXPECT_EQ(events[5].code, "Finished");
}

TEST_P(JobStoreTest, JobStateIsTheAggregateOfItsTasks) {
  const NewJob created = submit({.tasks = 2});
  const std::string& id = created.job.id;
  EXPECT_EQ(job_state(id), State::Queued);
  const Claim first = claim("w1", at(1s));
  EXPECT_EQ(job_state(id), State::Scheduled);
  store().start_task(first, at(2s));
  EXPECT_EQ(job_state(id), State::Processing);
  store().finish_task(first, at(3s), {}, "");
  EXPECT_EQ(job_state(id), State::Processing) << "one task final, the other still Queued";
  const Claim second = claim("w1", at(4s));
  EXPECT_EQ(job_state(id), State::Processing) << "a started job does not go back to Scheduled";
  store().start_task(second, at(5s));
  store().finish_task(second, at(6s), {}, "");
  EXPECT_EQ(job_state(id), State::Finished);
  EXPECT_EQ(job(id).end_time, at(6s));
  EXPECT_DOUBLE_EQ(job(id).running_duration_s, 5.0);
}

TEST_P(JobStoreTest, ProgressIsStoredWhenItChangesAndTheLeaseExtended) {
  const NewJob created = submit();
  const Claim claimed = claim_and_start("w", at(1s));  // lease until 31 s
  EXPECT_EQ(store().renew_lease(claimed, at(20s), 30s, 42.5), LeaseStatus::Held);  // until 50 s
  EXPECT_EQ(task(created.tasks[0].id).progress, 42.5);
  EXPECT_EQ(job(created.job.id).last_modified, at(20s));
  EXPECT_EQ(store().renew_lease(claimed, at(25s), 30s, 42.5), LeaseStatus::Held);  // until 55 s
  EXPECT_EQ(job(created.job.id).last_modified, at(20s)) << "unchanged progress is not a change";

  EXPECT_TRUE(store().requeue_expired(at(54s), 3).empty());
  EXPECT_THAT(store().requeue_expired(at(56s), 3), ElementsAre(created.tasks[0].id));
}

// --- Cancel and delete ------------------------------------------------------------------------

TEST_P(JobStoreTest, CancelingAQueuedJobCancelsItAtOnce) {
  const NewJob created = submit({.tasks = 2});
  store().cancel_job(created.job.id, at(3s));

  const runtime::Job canceled = job(created.job.id);
  EXPECT_EQ(canceled.state, State::Canceled);
  EXPECT_EQ(canceled.end_time, at(3s));
  EXPECT_DOUBLE_EQ(canceled.running_duration_s, 0);
  for (const auto& t : created.tasks) {
    EXPECT_EQ(task_state(t.id), State::Canceled);
    EXPECT_EQ(task(t.id).end_time, at(3s));
    EXPECT_THAT(event_codes(t.id), ElementsAre("Queued", "Canceled"));
  }
  EXPECT_FALSE(store().claim_task("w", at(4s), 30s));
}

TEST_P(JobStoreTest, CancelingAProcessingJobWaitsForItsWorker) {
  const NewJob created = submit({.tasks = 2});
  const Claim running = claim_and_start("w1", at(1s));
  const std::string& waiting = created.tasks[1].id;

  store().cancel_job(created.job.id, at(2s));
  EXPECT_EQ(job_state(created.job.id), State::Canceling);
  EXPECT_EQ(task_state(running.task_id), State::Canceling);
  EXPECT_EQ(task_state(waiting), State::Canceled);
  EXPECT_FALSE(job(created.job.id).end_time);

  EXPECT_EQ(store().renew_lease(running, at(3s), 30s, 50), LeaseStatus::CancelRequested);
  EXPECT_EQ(store().start_task(running, at(3s)), LeaseStatus::CancelRequested);
  ASSERT_TRUE(store().task_canceled(running, at(4s)));

  EXPECT_EQ(task_state(running.task_id), State::Canceled);
  EXPECT_THAT(event_codes(running.task_id),
              ElementsAre("Queued", "Scheduled", "Processing", "Canceling", "Canceled"));
  const runtime::Job canceled = job(created.job.id);
  EXPECT_EQ(canceled.state, State::Canceled);
  EXPECT_EQ(canceled.end_time, at(4s));
  EXPECT_DOUBLE_EQ(canceled.running_duration_s, 3.0);
}

TEST_P(JobStoreTest, ScheduledTaskOfACanceledJobIsLostToItsWorker) {
  const NewJob created = submit();
  const Claim claimed = claim("w1", at(1s));
  store().cancel_job(created.job.id, at(2s));
  EXPECT_EQ(job_state(created.job.id), State::Canceled);
  EXPECT_EQ(store().start_task(claimed, at(3s)), LeaseStatus::Lost);
  EXPECT_THAT(event_codes(claimed.task_id), ElementsAre("Queued", "Scheduled", "Canceled"));
}

TEST_P(JobStoreTest, CancelingAFinalOrCancelingJobIsInvalid) {
  const NewJob finished = submit();
  const Claim claimed = claim_and_start("w", at(1s));
  store().finish_task(claimed, at(2s), {}, "");
  const StoreError error = store_error([&] { store().cancel_job(finished.job.id, at(3s)); });
  EXPECT_EQ(error.kind(), StoreError::Kind::InvalidState);
  EXPECT_THAT(error.what(), HasSubstr("job " + finished.job.id +
                                      " is Finished: only Queued, Scheduled or Processing jobs "
                                      "can be canceled"));
  EXPECT_EQ(job_state(finished.job.id), State::Finished);

  const NewJob canceling = submit();
  claim_and_start("w", at(4s));
  store().cancel_job(canceling.job.id, at(5s));
  EXPECT_EQ(store_error([&] { store().cancel_job(canceling.job.id, at(6s)); }).kind(),
            StoreError::Kind::InvalidState);
  EXPECT_EQ(store_error([&] { store().cancel_job("nb:jid:UUID:none", at(6s)); }).kind(),
            StoreError::Kind::NotFound);
}

TEST_P(JobStoreTest, OnlyFinalJobsCanBeDeletedAndTheirAssetsStay) {
  const NewJob created = submit();
  const StoreError error = store_error([&] { store().delete_job(created.job.id); });
  EXPECT_EQ(error.kind(), StoreError::Kind::InvalidState);
  EXPECT_THAT(error.what(), HasSubstr("job " + created.job.id +
                                      " is Queued: only Finished, Error or Canceled jobs can be "
                                      "deleted"));
  ASSERT_TRUE(store().find_job(created.job.id));

  store().cancel_job(created.job.id, at(1s));
  store().delete_job(created.job.id);
  EXPECT_FALSE(store().find_job(created.job.id));
  EXPECT_FALSE(store().find_task(created.tasks[0].id));
  EXPECT_TRUE(store().job_tasks(created.job.id).empty());
  EXPECT_TRUE(store().find_asset(created.job.input_asset_ids[0]));
  EXPECT_TRUE(store().find_asset(created.output_assets[0].id));
  EXPECT_THAT(file_names(created.job.input_asset_ids[0]), ElementsAre("input.mp4"));
  EXPECT_EQ(store_error([&] { store().delete_job(created.job.id); }).kind(),
            StoreError::Kind::NotFound);
}

// --- Paging and persistence -------------------------------------------------------------------

TEST_P(JobStoreTest, JobsAreListedOldestFirstInPages) {
  const std::string input = input_asset();
  std::vector<std::string> by_age(5);
  for (int i : {3, 0, 4, 1, 2}) {  // created out of order
    NewJob job = make_job(input, {.created = at(std::chrono::seconds(i))});
    store().create_job(job);
    by_age[static_cast<size_t>(i)] = job.job.id;
  }
  const auto ids = [](const std::vector<runtime::Job>& jobs) {
    std::vector<std::string> out;
    for (const auto& j : jobs) out.push_back(j.id);
    return out;
  };
  EXPECT_EQ(ids(store().list_jobs({})), by_age);
  EXPECT_THAT(ids(store().list_jobs({.skip = 1, .top = 2})), ElementsAre(by_age[1], by_age[2]));
  EXPECT_THAT(ids(store().list_jobs({.skip = 4, .top = 10})), ElementsAre(by_age[4]));
  EXPECT_TRUE(store().list_jobs({.skip = 5, .top = 10}).empty());
  EXPECT_TRUE(store().list_jobs({.skip = 0, .top = 0}).empty());
  EXPECT_EQ(store().list_jobs({.skip = -3, .top = 2}).size(), 2u);
  EXPECT_EQ(store().list_tasks({.skip = 2, .top = 2})[0].job_id, by_age[2]);
}

TEST_P(JobStoreTest, PagesHoldAtMostAThousandEntities) {
  for (int i = 0; i < 1005; ++i) store().create_asset(make_asset("asset " + std::to_string(i)));
  EXPECT_EQ(store().list_assets({.skip = 0, .top = 5000}).size(), 1000u);
  EXPECT_EQ(store().list_assets({.skip = 1000, .top = 5000}).size(), 5u);
}

TEST_P(JobStoreTest, EverythingSurvivesAReopen) {
  const NewJob created = submit({.tasks = 2, .chained = true});
  const Claim claimed = claim_and_start("w1", at(1s));
  ASSERT_TRUE(store().renew_lease(claimed, at(2s), 30s, 12) == LeaseStatus::Held);

  reopen();

  const runtime::Job found = job(created.job.id);
  EXPECT_EQ(found.state, State::Processing);
  EXPECT_EQ(found.output_asset_ids, created.job.output_asset_ids);
  EXPECT_EQ(task(claimed.task_id).progress, 12);
  EXPECT_THAT(event_codes(claimed.task_id), ElementsAre("Queued", "Scheduled", "Processing"));
  EXPECT_THAT(file_names(created.job.input_asset_ids[0]), ElementsAre("input.mp4"));
  // The lease survived too: the worker's claim still finishes the task.
  EXPECT_TRUE(store().finish_task(claimed, at(3s), {make_file("", "out.mp4")}, ""));
  EXPECT_EQ(claim("w2", at(4s)).task_id, created.tasks[1].id);
}

}  // namespace
}  // namespace mw::store::test
