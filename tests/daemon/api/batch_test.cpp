// POST /api/$batch through the in-process server: changesets of JSON parts create a job and
// its tasks all or nothing; GET parts stand alone; a malformed envelope is a plain 400.
// (The Atom parts of the Job page's request: batch_atom_test.cpp.)

#include <gtest/gtest.h>

#include "tests/daemon/api/api_fixture.hpp"
#include "tests/daemon/api/batch_support.hpp"

namespace mw::api::test {
namespace {

using json = nlohmann::json;

constexpr const char* kEncoder = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56";

std::string task_body(int input, int output) {
  return "<taskBody><inputAsset>JobInputAsset(" + std::to_string(input) +
         ")</inputAsset><outputAsset>JobOutputAsset(" + std::to_string(output) +
         ")</outputAsset></taskBody>";
}

json task(const std::string& name, const json& body) {
  return {{"Name", name},
          {"Configuration", "H.264 HD 720p VBR"},
          {"MediaProcessorId", kEncoder},
          {"TaskBody", body}};
}

class BatchTest : public ApiFixture {
 protected:
  Reply post_batch(const std::string& body, const std::string& boundary = "batch_1") {
    Headers headers = verbose_headers();
    headers["Content-Type"] = "multipart/mixed; boundary=" + boundary;
    headers["Accept"] = "multipart/mixed";
    return send(http::verb::post, "/api/$batch", body, headers);
  }

  std::string input_asset() { return upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first; }

  // A verbose Job body without tasks, its input linked with __metadata.
  std::string job(const std::string& name, const std::string& asset_id) {
    const std::string link = base() + "Assets('" + percent_encode(asset_id) + "')";
    return json{{"Name", name}, {"InputMediaAssets", {{{"__metadata", {{"uri", link}}}}}}}.dump();
  }

  size_t job_count() { return get("/api/Jobs").json()["d"]["results"].size(); }
  size_t asset_count() { return get("/api/Assets").json()["d"]["results"].size(); }
};

TEST_F(BatchTest, JsonChangesetCreatesAJobWithItsTasksInOrder) {
  const std::string asset = input_asset();
  const std::string light_task = json{
      {"Name", "second"},
      {"Configuration", "H.264 HD 720p VBR"},
      {"MediaProcessorId", kEncoder},
      {"TaskBody", task_body(0, 1)}}.dump();
  const std::string body = multipart_body(
      "batch_1",
      {changeset(
          "changeset_1",
          {http_part("POST " + base() + "Jobs", json_part_headers("1"), job("batched", asset)),
           http_part("POST " + base() + "$1/Tasks", json_part_headers("2"),
                     task("first", task_body(0, 0)).dump()),
           http_part("POST $1/Tasks", json_part_headers("3", false), light_task)})});
  const auto items = batch_items(post_batch(crlf(body)));

  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].changeset);
  ASSERT_EQ(items[0].replies.size(), 3u);
  const PartReply& job_reply = items[0].replies[0];
  EXPECT_EQ(job_reply.status, 201) << job_reply.body;
  EXPECT_EQ(job_reply.header("Content-ID"), "1");
  EXPECT_EQ(job_reply.header("DataServiceVersion"), "3.0;");
  EXPECT_EQ(job_reply.header("Content-Type"), "application/json;odata=verbose;charset=utf-8");
  const std::string job_id = job_reply.json()["d"]["Id"];
  EXPECT_EQ(job_reply.json()["d"]["Name"], "batched");
  EXPECT_EQ(job_reply.header("Location"), base() + "Jobs('" + percent_encode(job_id) + "')");

  const PartReply& first = items[0].replies[1];
  EXPECT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("Content-ID"), "2");
  const std::string first_id = first.json()["d"]["Id"];
  EXPECT_EQ(first.json()["d"]["Name"], "first");
  EXPECT_EQ(first.header("Location"), base() + "Tasks('" + percent_encode(first_id) + "')");
  const PartReply& second = items[0].replies[2];
  EXPECT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.header("Content-ID"), "3");
  EXPECT_EQ(second.json()["odata.metadata"], base() + "$metadata#Tasks/@Element");
  const std::string second_id = second.json()["Id"];
  EXPECT_EQ(second.header("Location"), base() + "Tasks('" + percent_encode(second_id) + "')");

  // The job exists with both tasks, in the order sent, and two output assets.
  EXPECT_EQ(job_count(), 1u);
  const json tasks =
      get("/api/Jobs('" + percent_encode(job_id) + "')/Tasks").json()["d"]["results"];
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0]["Id"], first_id);
  EXPECT_EQ(tasks[0]["Name"], "first");
  EXPECT_EQ(tasks[1]["Id"], second_id);
  EXPECT_EQ(tasks[1]["Name"], "second");
  EXPECT_EQ(get("/api/Jobs('" + percent_encode(job_id) + "')/OutputMediaAssets")
                .json()["d"]["results"]
                .size(),
            2u);
}

TEST_F(BatchTest, ABadTaskBodyInTheSecondPartCreatesNothing) {
  const std::string asset = input_asset();
  const auto send_tasks = [&](const json& task_body_value) {
    return post_batch(multipart_body(
        "batch_1",
        {changeset("changeset_1",
                   {http_part("POST " + base() + "Jobs", json_part_headers("1"), job("bad", asset)),
                    http_part("POST " + base() + "$1/Tasks", json_part_headers("2"),
                              task("broken", task_body_value).dump())})}));
  };
  // Found when the job is validated (no output asset) and when the part is read (not a string).
  for (const json& bad :
       {json("<taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody>"), json(42)}) {
    const auto items = batch_items(send_tasks(bad));
    ASSERT_EQ(items.size(), 1u);
    EXPECT_FALSE(items[0].changeset);  // a failed changeset is answered with one part
    ASSERT_EQ(items[0].replies.size(), 1u);
    const PartReply& error = items[0].replies[0];
    EXPECT_EQ(error.status, 400) << error.body;
    EXPECT_EQ(error.header("Content-ID"), "2");
    const std::string message = error.error_message();
    EXPECT_EQ(
        message.rfind("$batch part 1 (changeset part 2), Content-ID 2: Tasks[0].TaskBody: ", 0), 0u)
        << message;
    if (bad.is_number()) {
      EXPECT_NE(message.find("expected an Edm.String, got a number"), std::string::npos) << message;
    }
  }
  EXPECT_EQ(job_count(), 0u);
  EXPECT_EQ(asset_count(), 1u);  // the input only: no output asset either
}

TEST_F(BatchTest, TwoJobsInAChangesetAreCreatedTogetherOrNotAtAll) {
  const std::string asset = input_asset();
  json inline_job = json::parse(job("A", asset));
  inline_job["Tasks"] = {task("for A", task_body(0, 0))};
  const std::string missing = "nb:cid:UUID:00000000-0000-0000-0000-000000000000";
  const auto send_jobs = [&](const std::string& second_asset) {
    return post_batch(multipart_body(
        "batch_1",
        {changeset("changeset_1",
                   {http_part("POST Jobs", json_part_headers("1"), inline_job.dump()),
                    http_part("POST Jobs", json_part_headers("2"), job("B", second_asset)),
                    http_part("POST $2/Tasks", json_part_headers("3"),
                              task("for B", task_body(0, 0)).dump())})}));
  };
  // The second job's input does not exist: the first job is not created either.
  const auto failed = batch_items(send_jobs(missing));
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_EQ(failed[0].replies.size(), 1u);
  EXPECT_EQ(failed[0].replies[0].status, 404) << failed[0].replies[0].body;
  const std::string message = failed[0].replies[0].error_message();
  EXPECT_EQ(message.rfind("$batch part 1 (changeset part 2), Content-ID 2: InputMediaAssets[0]", 0),
            0u)
      << message;
  EXPECT_NE(message.find(missing), std::string::npos);
  EXPECT_EQ(job_count(), 0u);

  const auto created = batch_items(send_jobs(asset));
  ASSERT_EQ(created.size(), 1u);
  ASSERT_EQ(created[0].replies.size(), 3u);
  for (const PartReply& reply : created[0].replies) EXPECT_EQ(reply.status, 201) << reply.body;
  const std::string b_id = created[0].replies[1].json()["d"]["Id"];
  EXPECT_EQ(created[0].replies[1].json()["d"]["Name"], "B");
  const json b_tasks =
      get("/api/Jobs('" + percent_encode(b_id) + "')/Tasks").json()["d"]["results"];
  ASSERT_EQ(b_tasks.size(), 1u);
  EXPECT_EQ(b_tasks[0]["Name"], "for B");
  EXPECT_EQ(b_tasks[0]["Id"], created[0].replies[2].json()["d"]["Id"]);
  EXPECT_EQ(job_count(), 2u);
}

TEST_F(BatchTest, OperationsAChangesetCannotHoldCreateNothing) {
  const std::string asset = input_asset();
  const struct {
    std::string part;
    std::string message;
  } cases[] = {
      {http_part("DELETE Jobs('nb%3Ajid%3AUUID%3Ax')", {{"Content-ID", "2"}}),
       "$batch part 1 (changeset part 2), Content-ID 2: DELETE Jobs('nb%3Ajid%3AUUID%3Ax') is not "
       "supported inside a changeset (only POST Jobs and POST $<Content-ID>/Tasks are); send it "
       "as a request of its own"},
      {http_part("POST " + base() + "Assets", json_part_headers("2"), R"({"Name":"x"})"),
       "$batch part 1 (changeset part 2), Content-ID 2: POST " + base() +
           "Assets is not supported inside a changeset"},
      {http_part("POST $9/Tasks", json_part_headers("2"), task("t", task_body(0, 0)).dump()),
       "$batch part 1 (changeset part 2), Content-ID 2: $9/Tasks: no POST Jobs with Content-ID 9 "
       "before this part in the changeset"},
      {http_part("POST $1/Tasks", json_part_headers("2"), "{not json"),
       "$batch part 1 (changeset part 2), Content-ID 2: Parsing request content failed due to: "},
      {http_part("POST $1/Tasks", {{"Content-ID", "2"}, {"Content-Type", "text/plain"}},
                 task("t", task_body(0, 0)).dump()),
       "$batch part 1 (changeset part 2), Content-ID 2: Content-Type 'text/plain': a part's body "
       "is JSON"},
      {http_part("POST $1/Tasks", json_part_headers("1"), task("t", task_body(0, 0)).dump()),
       "$batch part 1 (changeset part 2), Content-ID 1: Content-ID 1 is used twice in the "
       "changeset"},
  };
  for (const auto& c : cases) {
    const auto items = batch_items(post_batch(multipart_body(
        "batch_1",
        {changeset("changeset_1",
                   {http_part("POST Jobs", json_part_headers("1"), job("x", asset)), c.part})})));
    ASSERT_EQ(items.size(), 1u);
    ASSERT_EQ(items[0].replies.size(), 1u);
    EXPECT_EQ(items[0].replies[0].status, 400) << items[0].replies[0].body;
    EXPECT_EQ(items[0].replies[0].error_message().rfind(c.message, 0), 0u)
        << items[0].replies[0].error_message();
  }
  EXPECT_EQ(job_count(), 0u);
}

TEST_F(BatchTest, GetPartsOutsideChangesetsAreAnsweredOneByOne) {
  const std::string job_id = create_job();
  const std::string key = percent_encode(job_id);
  const auto items = batch_items(post_batch(multipart_body(
      "batch_1", {http_part("GET " + base() + "Jobs('" + key + "')",
                            {{"Accept", "application/json;odata=verbose"}}),
                  http_part("GET /api/Jobs('" + key + "')/Tasks", {{"Accept", "application/json"}}),
                  http_part("GET Jobs('nb%3Ajid%3AUUID%3Anope')", {{"Content-ID", "3"}}),
                  http_part("POST Jobs", json_part_headers("4"), "{}")})));
  ASSERT_EQ(items.size(), 4u);
  for (const BatchItem& item : items) {
    EXPECT_FALSE(item.changeset);
    ASSERT_EQ(item.replies.size(), 1u);
  }
  EXPECT_EQ(items[0].replies[0].status, 200);
  EXPECT_EQ(items[0].replies[0].json()["d"]["Id"], job_id);
  EXPECT_EQ(items[1].replies[0].status, 200);
  EXPECT_EQ(items[1].replies[0].json()["value"][0]["Configuration"], "H.264 HD 720p VBR");
  EXPECT_EQ(items[1].replies[0].json()["value"].size(), 1u);
  EXPECT_EQ(items[2].replies[0].status, 404);
  EXPECT_EQ(items[2].replies[0].header("Content-ID"), "3");
  EXPECT_EQ(items[3].replies[0].status, 400);
  EXPECT_EQ(items[3].replies[0].error_message(),
            "$batch part 4, Content-ID 4: POST outside a changeset: only GET requests stand alone "
            "in a $batch (OData v3); put POST Jobs and POST $<Content-ID>/Tasks in a changeset");
  EXPECT_EQ(job_count(), 1u);
}

TEST_F(BatchTest, AMalformedEnvelopeIsAPlain400) {
  Headers headers = verbose_headers();
  headers["Content-Type"] = "multipart/mixed";
  const Reply no_boundary = send(http::verb::post, "/api/$batch", "--b--", headers);
  EXPECT_EQ(no_boundary.status, 400);
  EXPECT_EQ(no_boundary.error_message(),
            "$batch: Content-Type 'multipart/mixed' has no boundary parameter (expected "
            "multipart/mixed; boundary=<boundary>)");
  const Reply garbage = post_batch("{\"Name\":\"x\"}");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_NE(garbage.error_message().find("no '--batch_1' delimiter line"), std::string::npos);
  const Reply unterminated = post_batch(
      multipart_body("batch_1", {changeset("changeset_1", {http_part("POST Jobs", {}, "{}")})})
          .substr(0, 120));
  EXPECT_EQ(unterminated.status, 400);
  EXPECT_EQ(unterminated.error_message().rfind("$batch part 1", 0), 0u) << unterminated.body;

  const Reply get_batch = get("/api/$batch");
  EXPECT_EQ(get_batch.status, 405);
  EXPECT_EQ(get_batch.header("allow"), "POST");
  EXPECT_EQ(job_count(), 0u);
}

}  // namespace
}  // namespace mw::api::test
