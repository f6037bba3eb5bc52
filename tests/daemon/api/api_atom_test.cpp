// The API spoken in Atom over HTTP, as AMS v2 .NET clients did: Atom entries POSTed, entries,
// feeds, properties and errors answered in Atom when the Accept header asks for it.

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>

#include "tests/daemon/api/api_fixture.hpp"
#include "tests/daemon/api/job_page_atom.hpp"

namespace mw::api::test {
namespace {

const std::string kEntryOpen =
    R"(<?xml version="1.0" encoding="utf-8"?><entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">)";

// The Job page's part headers: an Atom body, Atom answers.
Headers atom_headers() {
  return {{"Authorization", "Bearer " + kToken},
          {"Accept", "application/atom+xml,application/xml"},
          {"Content-Type", "application/atom+xml"},
          {"DataServiceVersion", "3.0;NetFx"},
          {"MaxDataServiceVersion", "3.0;NetFx"}};
}

class ApiAtomTest : public ApiFixture {
 protected:
  // Parses an answer's XML body; fails the test when it is not well-formed.
  static pugi::xml_document xml(const Reply& reply) {
    pugi::xml_document doc;
    const auto result = doc.load_string(reply.body.c_str());
    EXPECT_TRUE(result) << result.description() << ": " << reply.body;
    return doc;
  }

  static std::string property(const pugi::xml_node& entry, const char* name) {
    return entry.child("content").child("m:properties").child_value(name);
  }

  // The Job page's Job entry without its notification subscriptions (POST /api/Jobs does not
  // take them yet), its Task entry inline as the Job's Tasks.
  std::string job_entry(const std::string& asset_id) {
    std::string entry = job_page_job_entry(base(), asset_id, "unused");
    const size_t from = entry.find("<d:JobNotificationSubscriptions>");
    const std::string end = "</d:JobNotificationSubscriptions>";
    entry.erase(from, entry.find(end) + end.size() - from);
    const std::string task = kJobPageTaskEntry.substr(kJobPageTaskEntry.find("<entry"));
    const std::string tasks =
        R"(<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/Tasks" type="application/atom+xml;type=feed" title="Tasks"><m:inline><feed>)" +
        task + "</feed></m:inline></link>";
    return entry.insert(entry.find("<id />"), tasks);
  }
};

TEST_F(ApiAtomTest, AssetPostedAsAtomIsAnsweredAndListedInAtom) {
  const Reply created = send(
      http::verb::post, "/api/Assets",
      kEntryOpen +
          R"(<content type="application/xml"><m:properties><d:Name>clip &amp; co</d:Name><d:Options m:type="Edm.Int32">0</d:Options></m:properties></content></entry>)",
      atom_headers());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("content-type"), "application/atom+xml;type=entry;charset=utf-8");
  const pugi::xml_document entry_doc = xml(created);
  const pugi::xml_node entry = entry_doc.child("entry");
  const std::string id = property(entry, "d:Id");
  EXPECT_TRUE(has_shape(id, "nb:cid:UUID:" + kGuidShape)) << id;
  EXPECT_EQ(property(entry, "d:Name"), "clip & co");
  EXPECT_EQ(created.header("location"), base() + "Assets('" + percent_encode(id) + "')");
  EXPECT_EQ(entry.child_value("id"), created.header("location"));

  const Reply one = get("/api/Assets('" + percent_encode(id) + "')", atom_headers());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(property(xml(one).child("entry"), "d:Name"), "clip & co");

  const Reply all = get("/api/Assets", atom_headers());
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.header("content-type"), "application/atom+xml;type=feed;charset=utf-8");
  const pugi::xml_document feed_doc = xml(all);
  EXPECT_EQ(feed_doc.child("feed").child_value("id"), base() + "Assets");
  EXPECT_EQ(property(feed_doc.child("feed").child("entry"), "d:Id"), id);
}

TEST_F(ApiAtomTest, JobPageEntriesCreateAJobReadBackInAtom) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const Reply created = send(http::verb::post, "/api/Jobs", job_entry(asset_id), atom_headers());
  ASSERT_EQ(created.status, 201) << created.body;
  const pugi::xml_document job_doc = xml(created);
  const pugi::xml_node job = job_doc.child("entry");
  const std::string job_id = property(job, "d:Id");
  EXPECT_EQ(property(job, "d:Name"), "My MP4 to Smooth Streaming encoding job");
  EXPECT_STREQ(
      job.child("content").child("m:properties").child("d:State").attribute("m:type").value(),
      "Edm.Int32");
  const std::string key = "Jobs('" + percent_encode(job_id) + "')";

  const Reply tasks = get("/api/" + key + "/Tasks", atom_headers());
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  const pugi::xml_document feed_doc = xml(tasks);
  const pugi::xml_node feed = feed_doc.child("feed");
  EXPECT_EQ(feed.child_value("id"), base() + key + "/Tasks");
  EXPECT_STREQ(feed.child_value("title"), "Tasks");
  const pugi::xml_node task = feed.child("entry");
  EXPECT_EQ(property(task, "d:Configuration"), "H264 Smooth Streaming 720p");
  EXPECT_EQ(property(task, "d:TaskBody"), kJobPageTaskBody);  // as the client wrote it

  const Reply state = get("/api/" + key + "/State", atom_headers());
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(state.header("content-type"), "application/xml;charset=utf-8");
  EXPECT_STREQ(xml(state).child("d:State").child_value(), "0");

  // The same job in verbose JSON for a JSON client.
  const Reply json = get("/api/" + key);
  ASSERT_EQ(json.status, 200);
  EXPECT_EQ(json.json()["d"]["Id"], job_id);
}

TEST_F(ApiAtomTest, MalformedAtomGets400NamingTheElementAndCreatesNothing) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  std::string entry = job_entry(asset_id);
  const std::string priority = R"(<d:Priority m:type="Edm.Int32">0</d:Priority>)";
  entry.replace(entry.find(priority), priority.size(),
                R"(<d:Priority m:type="Edm.Int32">urgent</d:Priority>)");
  const Reply atom = send(http::verb::post, "/api/Jobs", entry, atom_headers());
  EXPECT_EQ(atom.status, 400);
  EXPECT_EQ(atom.header("content-type"), "application/xml;charset=utf-8");
  EXPECT_STREQ(xml(atom).child("error").child_value("message"),
               "Atom entry: <d:Priority>: 'urgent' is not an Edm.Int32");

  Headers json_answer = atom_headers();
  json_answer["Accept"] = "application/json;odata=verbose";
  const Reply json = send(http::verb::post, "/api/Jobs", "<entry>", json_answer);
  EXPECT_EQ(json.status, 400);
  EXPECT_NE(json.error_message().find("Atom entry: not well-formed XML"), std::string::npos)
      << json.body;
  EXPECT_TRUE(get("/api/Jobs").json()["d"]["results"].empty());
}

TEST_F(ApiAtomTest, HandlerErrorsAreAtomErrorsToo) {
  const Reply missing = get("/api/Jobs('nb%3Ajid%3AUUID%3Anone')", atom_headers());
  EXPECT_EQ(missing.status, 404);
  EXPECT_STREQ(xml(missing).child("error").child_value("message"),
               "Job 'nb:jid:UUID:none' was not found.");
  const Reply unknown = get("/api/Nothing", atom_headers());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(xml(unknown).child("error"));
}

}  // namespace
}  // namespace mw::api::test
