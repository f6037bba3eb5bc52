// The farm's extensions of the REST API (docs/farm.md): Task.RequiredWorkerTags in and out, its
// errors, and GET /api/Workers over the worker table, in JSON and Atom.

#include <gtest/gtest.h>

#include "tests/daemon/api/api_fixture.hpp"

namespace mw::api::test {
namespace {

class ApiFarmTest : public ApiFixture {
 protected:
  std::string body_with_tags(const std::string& asset_id, const std::string& tags_json) {
    std::string body = job_page_body(asset_id);
    const std::string from = R"("Configuration" : "H.264 HD 720p VBR",)";
    return body.replace(body.find(from), from.size(), from + R"( "RequiredWorkerTags" : )" + tags_json + ",");
  }
};

TEST_F(ApiFarmTest, RequiredWorkerTagsAreStoredOnTheTaskAndShown) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const Reply created = send(http::verb::post, "/api/Jobs", body_with_tags(asset_id, R"(["gpu", "ssd"])"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string job = created.json()["d"]["Id"];
  const auto task = get("/api/Jobs('" + percent_encode(job) + "')/Tasks").json()["d"]["results"][0];
  EXPECT_EQ(task["RequiredWorkerTags"], nlohmann::json::parse(R"(["gpu","ssd"])"));
  const auto stored = store_.find_task(task["Id"].get<std::string>());
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->requirements.long_edge, 1280);
  EXPECT_EQ(stored->requirements.encoders, (std::vector<std::string>{"aac", "libx264"}));

  // Without tags the property is left out (AMS clients see the AMS shape).
  const std::string plain = create_job();
  const auto plain_task = get("/api/Jobs('" + percent_encode(plain) + "')/Tasks").json()["d"]["results"][0];
  EXPECT_FALSE(plain_task.contains("RequiredWorkerTags"));
}

TEST_F(ApiFarmTest, BadRequiredWorkerTagsAre400NamingTheField) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  expect_ams_error(send(http::verb::post, "/api/Jobs", body_with_tags(asset_id, R"("gpu")")), 400,
                   "Tasks[0].RequiredWorkerTags");
  expect_ams_error(send(http::verb::post, "/api/Jobs", body_with_tags(asset_id, R"([42])")), 400,
                   "Tasks[0].RequiredWorkerTags[0]");
  expect_ams_error(send(http::verb::post, "/api/Jobs", body_with_tags(asset_id, R"(["no spaces"])")), 400,
                   "Tasks[0].RequiredWorkerTags: task 0: RequiredWorkerTags: 'no spaces' is not a worker tag");
  EXPECT_EQ(get("/api/Jobs").json()["d"]["results"].size(), 0u) << "nothing created";
}

TEST_F(ApiFarmTest, WorkersListsTheWorkerTableWithLiveness) {
  const auto now = runtime::Clock::now();
  store_.register_worker({"enc-1:42", "enc-1", 42, "1.2.3", 2, 30, {1920, 1080, {"aac", "libx264"}, {"gpu"}},
                          now, now, {}});
  store_.register_worker({"enc-2:7", "enc-2", 7, "1.2.3", 1, 30, {}, now - std::chrono::minutes(5),
                          now - std::chrono::minutes(5), {}});
  const auto workers = get("/api/Workers").json()["d"]["results"];
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_EQ(workers[0]["Id"], "enc-1:42");
  EXPECT_EQ(workers[0]["Alive"], true);
  EXPECT_EQ(workers[0]["MaxResolution"], "1920x1080");
  EXPECT_EQ(workers[0]["Tags"], nlohmann::json::parse(R"(["gpu"])"));
  EXPECT_EQ(workers[0]["Slots"], 2);
  EXPECT_EQ(workers[1]["Alive"], false) << "no heartbeat for 5 minutes with a 30 s lease";
  EXPECT_TRUE(workers[1]["MaxResolution"].is_null());

  EXPECT_EQ(get("/api/Workers('enc-2%3A7')").json()["d"]["HostId"], "enc-2");
  expect_ams_error(get("/api/Workers('nobody')"), 404, "nobody");
  expect_ams_error(send(http::verb::post, "/api/Workers", "{}"), 405, "GET");

  Headers atom = verbose_headers();
  atom["Accept"] = "application/atom+xml";
  const Reply feed = get("/api/Workers", atom);
  EXPECT_EQ(feed.status, 200);
  EXPECT_NE(feed.body.find("<d:element>libx264</d:element>"), std::string::npos) << feed.body;
}

}  // namespace
}  // namespace mw::api::test
