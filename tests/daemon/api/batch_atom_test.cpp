// POST /api/$batch with Atom parts: the AMS v2 Job page's request byte for byte (with our host,
// an uploaded asset and a NotificationEndPoint), a broken Atom part, and a GET part answered in
// Atom. Needs daemon/api/atom.cpp (branch atom): tests/daemon/api/CMakeLists.txt adds this file
// to api_test once atom.cpp is in the tree.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/daemon/api/api_fixture.hpp"
#include "tests/daemon/api/batch_support.hpp"

namespace mw::api::test {
namespace {

constexpr const char* kAtomEntry = "application/atom+xml;type=entry;charset=utf-8";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

class BatchAtomTest : public ApiFixture {
 protected:
  // The Job page's $batch request (fuzz/corpus/fuzz_multipart/job-page-batch.http: the
  // Content-Type on the first line, then the body with LF line ends) with our base URL, an
  // uploaded clip and a new NotificationEndPoint in place of its placeholders.
  std::pair<std::string, std::string> job_page_batch() {
    std::ifstream in(MW_SOURCE_DIR "/fuzz/corpus/fuzz_multipart/job-page-batch.http",
                     std::ios::binary);
    const std::string seed{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string body = seed.substr(seed.find('\n') + 1);
    const std::string asset = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
    const Reply endpoint =
        send(http::verb::post, "/api/NotificationEndPoints",
             R"({"Name":"batch","EndPointType":3,"EndPointAddress":"http://127.0.0.1:9/hook"})");
    EXPECT_EQ(endpoint.status, 201) << endpoint.body;
    replace_all(body, "@BASE@", base());
    replace_all(body, "@ASSET@", percent_encode(asset));
    replace_all(body, "@NEP@", endpoint.json()["d"]["Id"].get<std::string>());
    return {seed.substr(0, seed.find('\n')), body};
  }

  Reply post_batch(const std::string& content_type, const std::string& body) {
    Headers headers = verbose_headers();
    headers["Content-Type"] = content_type;
    headers["Accept"] = "multipart/mixed";
    return send(http::verb::post, "/api/$batch", body, headers);
  }
};

TEST_F(BatchAtomTest, TheJobPageRequestCreatesItsJobAndAnswersInAtom) {
  const auto [type, body] = job_page_batch();
  const auto items = batch_items(post_batch(type, body));
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].changeset);
  ASSERT_EQ(items[0].replies.size(), 2u);

  const PartReply& job = items[0].replies[0];
  EXPECT_EQ(job.status, 201) << job.body;
  EXPECT_EQ(job.header("Content-ID"), "1");
  EXPECT_EQ(job.header("Content-Type"), kAtomEntry);
  EXPECT_EQ(job.header("Location").rfind(base() + "Jobs('nb%3Ajid%3AUUID%3A", 0), 0u);
  EXPECT_NE(job.body.find("<d:Name>My MP4 to Smooth Streaming encoding job</d:Name>"),
            std::string::npos)
      << job.body;
  const PartReply& task = items[0].replies[1];
  EXPECT_EQ(task.status, 201) << task.body;
  EXPECT_EQ(task.header("Content-ID"), "2");
  EXPECT_EQ(task.header("Content-Type"), kAtomEntry);
  EXPECT_EQ(task.header("Location").rfind(base() + "Tasks('nb%3Atid%3AUUID%3A", 0), 0u);
  EXPECT_NE(task.body.find("<d:Configuration>H264 Smooth Streaming 720p</d:Configuration>"),
            std::string::npos)
      << task.body;

  const auto jobs = get("/api/Jobs").json()["d"]["results"];
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["Name"], "My MP4 to Smooth Streaming encoding job");
  const std::string job_id = jobs[0]["Id"];
  const auto tasks =
      get("/api/Jobs('" + percent_encode(job_id) + "')/Tasks").json()["d"]["results"];
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["Name"], "My Mp4 to Smooth Task");
  EXPECT_EQ(tasks[0]["MediaProcessorId"], "nb:mpid:UUID:70bdc2c3-ebf4-42a9-8542-5afc1e55d217");
  EXPECT_EQ(task.header("Location"),
            base() + "Tasks('" + percent_encode(tasks[0]["Id"].get<std::string>()) + "')");
}

TEST_F(BatchAtomTest, ABrokenAtomPartCreatesNothing) {
  auto [type, body] = job_page_batch();
  // The task's entry loses its closing tags: not well-formed XML.
  const std::string tail = "</taskBody></d:TaskBody></m:properties></content></entry>";
  const size_t at = body.find(tail);
  ASSERT_NE(at, std::string::npos);
  body.replace(at, tail.size(), "</taskBody></d:TaskBody>");
  const auto items = batch_items(post_batch(type, body));
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].replies.size(), 1u);
  EXPECT_EQ(items[0].replies[0].status, 400) << items[0].replies[0].body;
  EXPECT_EQ(items[0].replies[0].header("Content-ID"), "2");
  // The part asked for Atom: the error is an m:error document naming the part.
  EXPECT_NE(
      items[0].replies[0].body.find("$batch part 1 (changeset part 2), Content-ID 2: Atom entry"),
      std::string::npos)
      << items[0].replies[0].body;
  EXPECT_EQ(get("/api/Jobs").json()["d"]["results"].size(), 0u);
}

TEST_F(BatchAtomTest, AGetPartAskingForAtomGetsAnEntry) {
  const std::string job_id = create_job();
  const auto items = batch_items(post_batch(
      "multipart/mixed; boundary=batch_1",
      multipart_body("batch_1",
                     {http_part("GET Jobs('" + percent_encode(job_id) + "')",
                                {{"Accept", "application/atom+xml,application/xml"}})})));
  ASSERT_EQ(items.size(), 1u);
  const PartReply& reply = items[0].replies[0];
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("Content-Type"), kAtomEntry);
  EXPECT_NE(reply.body.find("<d:Id>" + job_id + "</d:Id>"), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace mw::api::test
