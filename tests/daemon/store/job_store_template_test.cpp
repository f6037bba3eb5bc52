// The JobStore contract for JobTemplates and TaskTemplates: one transaction for a template and its
// task templates, reading them back in order, listing, Id conflicts, and delete cascading to the
// task templates. Runs against every store factory (see job_store_test_support.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/daemon/store/job_store_test_support.hpp"

namespace mw::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

runtime::TaskTemplate make_task_template(const std::string& name, const std::string& preset) {
  runtime::TaskTemplate t;
  t.id = runtime::new_id(runtime::kTaskTemplateIdPrefix);
  t.name = name;
  t.description = "encodes " + preset;
  t.configuration = preset;
  t.media_processor_id = runtime::media_processors().front().id;
  t.number_of_input_assets = 1;
  t.number_of_output_assets = 1;
  t.created = t.last_modified = kT0;
  return t;
}

/// A JobTemplate created at `created` whose body names `tasks` in order.
runtime::JobTemplate make_job_template(const std::string& name,
                                       const std::vector<runtime::TaskTemplate>& tasks,
                                       TimePoint created = kT0) {
  runtime::JobTemplate t;
  t.id = runtime::new_id(runtime::kJobTemplateIdPrefix);
  t.name = name;
  t.created = t.last_modified = created;
  t.job_template_body = "<jobTemplate>";
  for (size_t i = 0; i < tasks.size(); ++i)
    t.job_template_body += "<taskBody taskTemplateId=\"" + tasks[i].id +
                           "\"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>"
                           "JobOutputAsset(" +
                           std::to_string(i) + ")</outputAsset></taskBody>";
  t.job_template_body += "</jobTemplate>";
  t.number_of_input_assets = 1;
  return t;
}

TEST_P(JobStoreTest, JobTemplateAndItsTaskTemplatesRoundTripInOrder) {
  runtime::TaskTemplate video = make_task_template("video", "H264 Single Bitrate 720p");
  video.options = runtime::kDoNotCancelOnJobFailure;
  video.number_of_output_assets = 2;
  const runtime::TaskTemplate audio = make_task_template("audio", "AAC Good Quality Audio");
  const runtime::JobTemplate job_template = make_job_template("two tasks", {video, audio}, at(1s));
  store().create_job_template(job_template, {video, audio});
  reopen();  // persisted, not just cached

  const auto found = store().find_job_template(job_template.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "two tasks");
  EXPECT_EQ(found->job_template_body, job_template.job_template_body);
  EXPECT_EQ(found->number_of_input_assets, 1);
  EXPECT_EQ(found->template_type, runtime::kTemplateTypeAccountLevel);
  EXPECT_EQ(found->created, at(1s));
  EXPECT_EQ(found->last_modified, at(1s));
  EXPECT_THAT(found->task_template_ids, ElementsAre(video.id, audio.id));

  const auto tasks = store().job_template_task_templates(job_template.id);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].id, video.id);
  EXPECT_EQ(tasks[0].job_template_id, job_template.id);
  EXPECT_EQ(tasks[0].position, 0);
  EXPECT_EQ(tasks[0].name, "video");
  EXPECT_EQ(tasks[0].description, "encodes H264 Single Bitrate 720p");
  EXPECT_EQ(tasks[0].configuration, "H264 Single Bitrate 720p");
  EXPECT_EQ(tasks[0].media_processor_id, video.media_processor_id);
  EXPECT_EQ(tasks[0].number_of_input_assets, 1);
  EXPECT_EQ(tasks[0].number_of_output_assets, 2);
  EXPECT_EQ(tasks[0].options, runtime::kDoNotCancelOnJobFailure);
  EXPECT_EQ(tasks[0].created, kT0);
  EXPECT_EQ(tasks[1].id, audio.id);
  EXPECT_EQ(tasks[1].position, 1);

  const auto one = store().find_task_template(audio.id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->configuration, "AAC Good Quality Audio");
  EXPECT_EQ(one->job_template_id, job_template.id);
  EXPECT_FALSE(store().find_job_template("nb:jtid:UUID:missing"));
  EXPECT_FALSE(store().find_task_template("nb:ttid:UUID:missing"));
  EXPECT_TRUE(store().job_template_task_templates("nb:jtid:UUID:missing").empty());
}

TEST_P(JobStoreTest, TaskTemplateIdsAreFoundWhateverTheirCase) {
  runtime::TaskTemplate task = make_task_template("t", "H264 Single Bitrate 720p");
  task.id = "nb:ttid:UUID:071370A3-E63E-4E81-A099-AD66BCAC3789";  // REFDOC's upper-case GUID
  store().create_job_template(make_job_template("j", {task}), {task});
  const auto found =
      store().find_task_template("nb:ttid:UUID:071370a3-e63e-4e81-a099-ad66bcac3789");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, task.id);  // kept as given
}

TEST_P(JobStoreTest, ListsAreByCreatedThenPositionAndPaged) {
  const auto a1 = make_task_template("a1", "p"), a2 = make_task_template("a2", "p");
  const auto b1 = make_task_template("b1", "p");
  const runtime::JobTemplate later = make_job_template("later", {b1}, at(2s));
  const runtime::JobTemplate earlier = make_job_template("earlier", {a1, a2}, at(1s));
  store().create_job_template(later, {b1});
  store().create_job_template(earlier, {a1, a2});

  const auto templates = store().list_job_templates({});
  ASSERT_EQ(templates.size(), 2u);
  EXPECT_EQ(templates[0].name, "earlier");
  EXPECT_THAT(templates[0].task_template_ids, ElementsAre(a1.id, a2.id));
  EXPECT_EQ(templates[1].name, "later");
  EXPECT_EQ(store().list_job_templates({1, 1}).at(0).name, "later");

  std::vector<std::string> names;
  for (const auto& t : store().list_task_templates({})) names.push_back(t.name);
  EXPECT_THAT(names, ElementsAre("a1", "a2", "b1"));
  const auto page = store().list_task_templates({1, 1});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].name, "a2");
}

TEST_P(JobStoreTest, TakenIdsAreConflictsAndWriteNothing) {
  const auto first = make_task_template("first", "p");
  const runtime::JobTemplate existing = make_job_template("existing", {first});
  store().create_job_template(existing, {first});

  // A second JobTemplate reusing the TaskTemplate Id (in another case): nothing of it is kept.
  runtime::TaskTemplate fresh = make_task_template("fresh", "p");
  runtime::TaskTemplate reused = make_task_template("reused", "p");
  reused.id = first.id;
  for (char& c : reused.id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const runtime::JobTemplate second = make_job_template("second", {fresh, reused});
  const StoreError taken = store_error([&] {
    store().create_job_template(second, {fresh, reused});
  });
  EXPECT_EQ(taken.kind(), StoreError::Kind::Conflict);
  EXPECT_THAT(taken.what(), HasSubstr("TaskTemplate " + reused.id + " already exists"));
  EXPECT_FALSE(store().find_job_template(second.id));
  EXPECT_FALSE(store().find_task_template(fresh.id));

  const StoreError again =
      store_error([&] { store().create_job_template(existing, {make_task_template("x", "p")}); });
  EXPECT_EQ(again.kind(), StoreError::Kind::Conflict);
  EXPECT_THAT(again.what(), HasSubstr("JobTemplate " + existing.id + " already exists"));
  EXPECT_EQ(store().list_task_templates({}).size(), 1u);
}

TEST_P(JobStoreTest, DeleteTakesTheTaskTemplatesWithItAndKeepsJobs) {
  const auto kept_task = make_task_template("kept", "p");
  const runtime::JobTemplate kept = make_job_template("kept", {kept_task});
  store().create_job_template(kept, {kept_task});
  const auto t1 = make_task_template("t1", "p"), t2 = make_task_template("t2", "p");
  const runtime::JobTemplate doomed = make_job_template("doomed", {t1, t2});
  store().create_job_template(doomed, {t1, t2});
  NewJob job = make_job(input_asset());
  job.job.template_id = doomed.id;
  store().create_job(job);

  store().delete_job_template(doomed.id);
  EXPECT_FALSE(store().find_job_template(doomed.id));
  EXPECT_FALSE(store().find_task_template(t1.id));
  EXPECT_FALSE(store().find_task_template(t2.id));
  EXPECT_TRUE(store().job_template_task_templates(doomed.id).empty());
  EXPECT_THAT(store().list_task_templates({}).size(), 1u);
  EXPECT_TRUE(store().find_job_template(kept.id));
  EXPECT_EQ(this->job(job.job.id).template_id, doomed.id);  // the job keeps its TemplateId

  const StoreError missing = store_error([&] { store().delete_job_template(doomed.id); });
  EXPECT_EQ(missing.kind(), StoreError::Kind::NotFound);
  EXPECT_THAT(missing.what(), HasSubstr(doomed.id));
}

}  // namespace
}  // namespace mw::store::test
