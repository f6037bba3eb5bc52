// atom::write_response: verbose JSON answers (entities, feeds, properties, errors) become Atom
// in the Job page's response shape, read back here with pugixml; anything else stays as it is.

#include <gtest/gtest.h>

#include <chrono>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "daemon/api/atom.hpp"
#include "daemon/api/message.hpp"
#include "tests/support/process.hpp"

namespace mw::api::atom {
namespace {

using std::chrono::milliseconds;

const ODataContext kVerbose{Format::Verbose, "http://host:1/api/"};
const std::string kJobId = "nb:jid:UUID:7dc2642f-ab1e-9f4c-8ecd-027eeac2a4ab";
const std::string kJobKey = "Jobs('nb%3Ajid%3AUUID%3A7dc2642f-ab1e-9f4c-8ecd-027eeac2a4ab')";
const std::string kRelated = "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";

runtime::Job sample_job() {
  runtime::Job job;
  job.id = kJobId;
  job.name = "NewTestJob";
  job.created = job.last_modified = runtime::TimePoint{milliseconds(1587084991763)};
  job.priority = 3;
  job.running_duration_s = 1.5;
  job.state = runtime::State::Processing;
  return job;
}

runtime::Task sample_task() {
  runtime::Task task;
  task.id = "nb:tid:UUID:94d3c509-24c2-467f-aa65-d16a4ea28b19";
  task.name = "My Mp4 to Smooth Task";
  task.configuration = "H264 Smooth Streaming 720p";
  task.task_body =
      "<?xml version=\"1.0\"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
      "</taskBody>";
  task.progress = 42.5;
  task.error_details = {{"ErrorProcessingTask", "decoder: bad packet"}};
  return task;
}

Response json_answer(std::string body, http::status status = http::status::ok) {
  return json_response(kVerbose, std::move(body), status);
}

// Converts and parses the answer; fails the test when it is not well-formed XML.
pugi::xml_document written(Response& response, std::string_view path = {}) {
  write_response(response, kVerbose, path);
  pugi::xml_document doc;
  const auto result = doc.load_string(response.body.c_str());
  EXPECT_TRUE(result) << result.description() << ": " << response.body;
  return doc;
}

pugi::xml_node property(pugi::xml_node entry, const char* name) {
  return entry.child("content").child("m:properties").child(name);
}

pugi::xml_node related_link(pugi::xml_node entry, const std::string& nav) {
  return entry.find_child_by_attribute("link", "rel", (kRelated + nav).c_str());
}

TEST(AtomWriteTest, JobEntryHasTheJobPageShapeAndTypedProperties) {
  Response response =
      json_answer(entity_document(kVerbose, kJobs, job_entity(kVerbose, sample_job())));
  const pugi::xml_document doc = written(response);
  EXPECT_EQ(response.content_type, "application/atom+xml;type=entry;charset=utf-8");
  EXPECT_TRUE(response.body.starts_with(R"(<?xml version="1.0" encoding="utf-8"?><entry)"));
  const pugi::xml_node entry = doc.child("entry");
  EXPECT_STREQ(entry.attribute("xml:base").value(), "http://host:1/api/");
  EXPECT_STREQ(entry.attribute("xmlns").value(), "http://www.w3.org/2005/Atom");
  EXPECT_EQ(entry.child_value("id"), kVerbose.base + kJobKey);
  EXPECT_STREQ(entry.child("category").attribute("term").value(),
               "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job");
  const pugi::xml_node edit = entry.find_child_by_attribute("link", "rel", "edit");
  EXPECT_STREQ(edit.attribute("title").value(), "Job");
  EXPECT_EQ(edit.attribute("href").value(), kJobKey);
  for (const char* nav : {"Tasks", "OutputMediaAssets", "InputMediaAssets"}) {
    const pugi::xml_node link = related_link(entry, nav);
    EXPECT_EQ(link.attribute("href").value(), kJobKey + "/" + nav);
    EXPECT_STREQ(link.attribute("type").value(), "application/atom+xml;type=feed");
  }
  EXPECT_EQ(std::string(entry.child_value("updated")).size(), 20u);  // 2024-05-01T12:00:00Z
  EXPECT_STREQ(property(entry, "d:Id").child_value(), kJobId.c_str());
  EXPECT_STREQ(property(entry, "d:Id").attribute("m:type").value(), "");
  EXPECT_STREQ(property(entry, "d:Priority").attribute("m:type").value(), "Edm.Int32");
  EXPECT_STREQ(property(entry, "d:Priority").child_value(), "3");
  EXPECT_STREQ(property(entry, "d:State").child_value(), "2");
  EXPECT_STREQ(property(entry, "d:RunningDuration").attribute("m:type").value(), "Edm.Double");
  EXPECT_STREQ(property(entry, "d:RunningDuration").child_value(), "1.5");
  EXPECT_STREQ(property(entry, "d:Created").attribute("m:type").value(), "Edm.DateTime");
  EXPECT_STREQ(property(entry, "d:Created").child_value(), "2020-04-17T00:56:31.763Z");
  EXPECT_STREQ(property(entry, "d:EndTime").attribute("m:null").value(), "true");
  EXPECT_FALSE(property(entry, "d:Tasks")) << "navigation properties are links, not properties";
}

TEST(AtomWriteTest, WrittenEntryReadsBackToTheSameValues) {
  Response response =
      json_answer(entity_document(kVerbose, kJobs, job_entity(kVerbose, sample_job())));
  write_response(response, kVerbose);
  const Json job = read_entry(response.body);
  EXPECT_EQ(job["Name"], "NewTestJob");
  EXPECT_EQ(job["Priority"], 3);
  EXPECT_EQ(job["RunningDuration"], 1.5);
  EXPECT_EQ(job["Created"], "2020-04-17T00:56:31.763Z");
  EXPECT_TRUE(job["EndTime"].is_null());
}

TEST(AtomWriteTest, TaskFeedCarriesCollectionsAndTheTaskBodyText) {
  Response response = json_answer(collection_document(
      kVerbose, kTasks,
      {task_entity(kVerbose, sample_task()), task_entity(kVerbose, sample_task())}));
  const pugi::xml_document doc = written(response, kJobKey + "/Tasks");
  EXPECT_EQ(response.content_type, "application/atom+xml;type=feed;charset=utf-8");
  const pugi::xml_node feed = doc.child("feed");
  EXPECT_EQ(feed.child_value("id"), kVerbose.base + kJobKey + "/Tasks");
  EXPECT_STREQ(feed.child_value("title"), "Tasks");
  EXPECT_EQ(feed.find_child_by_attribute("link", "rel", "self").attribute("href").value(),
            kJobKey + "/Tasks");
  const pugi::xml_node entry = feed.child("entry");
  EXPECT_EQ(std::distance(feed.children("entry").begin(), feed.children("entry").end()), 2);
  EXPECT_FALSE(entry.attribute("xmlns")) << "namespaces are declared once, on the feed";
  EXPECT_STREQ(entry.find_child_by_attribute("link", "rel", "edit").attribute("title").value(),
               "Task");
  EXPECT_TRUE(related_link(entry, "InputMediaAssets"));
  EXPECT_STREQ(property(entry, "d:TaskBody").child_value(), sample_task().task_body.c_str());
  EXPECT_STREQ(property(entry, "d:Progress").child_value(), "42.5");
  const pugi::xml_node errors = property(entry, "d:ErrorDetails");
  EXPECT_STREQ(errors.attribute("m:type").value(),
               "Collection(Microsoft.Cloud.Media.Vod.Rest.Data.Models.ErrorDetail)");
  EXPECT_STREQ(errors.child("d:element").child_value("d:Code"), "ErrorProcessingTask");
  EXPECT_STREQ(errors.child("d:element").child_value("d:Message"), "decoder: bad packet");
  EXPECT_FALSE(property(entry, "d:HistoricalEvents").first_child());
  // An empty feed still names its set.
  Response empty = json_answer(collection_document(kVerbose, kTasks, {}));
  EXPECT_STREQ(written(empty, "Tasks").child("feed").child_value("title"), "Tasks");
}

TEST(AtomWriteTest, AssetEntryLinksItsFilesAndFilesTypeTheirSize) {
  mw::test::TempDir dir;
  const runtime::Storage storage(dir.path());
  runtime::Asset asset;
  asset.id = "nb:cid:UUID:33662ded-f00b-4020-9fcf-4c4a22070c01";
  asset.name = "clip <1> & co";
  Response response =
      json_answer(entity_document(kVerbose, kAssets, asset_entity(kVerbose, asset, storage)));
  const pugi::xml_document doc = written(response);  // the nodes below live in it
  const pugi::xml_node entry = doc.child("entry");
  EXPECT_STREQ(entry.find_child_by_attribute("link", "rel", "edit").attribute("title").value(),
               "Asset");
  EXPECT_STREQ(related_link(entry, "Files").attribute("title").value(), "Files");
  EXPECT_STREQ(property(entry, "d:Name").child_value(), "clip <1> & co");
  EXPECT_STREQ(property(entry, "d:Options").attribute("m:type").value(), "Edm.Int32");
  EXPECT_STREQ(property(entry, "d:AlternateId").attribute("m:null").value(), "true");

  runtime::AssetFile file;
  file.id = "nb:cid:UUID:0a0b";
  file.name = "clip.mp4";
  file.content_file_size = 5000000000;
  Response file_response =
      json_answer(entity_document(kVerbose, kFiles, asset_file_entity(kVerbose, file)));
  const pugi::xml_document file_doc = written(file_response);
  const pugi::xml_node file_entry = file_doc.child("entry");
  EXPECT_STREQ(property(file_entry, "d:ContentFileSize").attribute("m:type").value(), "Edm.Int64");
  EXPECT_STREQ(property(file_entry, "d:ContentFileSize").child_value(), "5000000000");
  EXPECT_STREQ(property(file_entry, "d:IsPrimary").attribute("m:type").value(), "Edm.Boolean");
  EXPECT_STREQ(property(file_entry, "d:IsPrimary").child_value(), "false");
}

TEST(AtomWriteTest, PropertyBecomesAnXmlPropertyDocument) {
  Response response = json_answer(property_document(kVerbose, "State", "Edm.Int32", 2));
  const pugi::xml_document doc = written(response);
  EXPECT_EQ(response.content_type, "application/xml;charset=utf-8");
  const pugi::xml_node state = doc.child("d:State");
  EXPECT_STREQ(state.attribute("xmlns:d").value(),
               "http://schemas.microsoft.com/ado/2007/08/dataservices");
  EXPECT_STREQ(state.attribute("m:type").value(), "Edm.Int32");
  EXPECT_STREQ(state.child_value(), "2");
}

TEST(AtomWriteTest, ErrorBecomesAnODataXmlErrorWithItsStatus) {
  Response response = error_response(http::status::bad_request, "", "Name: <too> long");
  const pugi::xml_document doc = written(response);
  EXPECT_EQ(response.status, http::status::bad_request);
  EXPECT_EQ(response.content_type, "application/xml;charset=utf-8");
  const pugi::xml_node error = doc.child("error");
  EXPECT_STREQ(error.attribute("xmlns").value(),
               "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata");
  EXPECT_NE(response.body.find("<code></code>"), std::string::npos);
  EXPECT_STREQ(error.child("message").attribute("xml:lang").value(), "en-US");
  EXPECT_STREQ(error.child_value("message"), "Name: <too> long");
}

TEST(AtomWriteTest, AnswersWithoutAJsonBodyStayAsTheyAre) {
  Response none = no_content();
  write_response(none, kVerbose);
  EXPECT_TRUE(none.body.empty());
  EXPECT_TRUE(none.content_type.empty());
  Response file;
  file.file = "/tmp/clip.mp4";
  file.content_type = "video/mp4";
  write_response(file, kVerbose);
  EXPECT_EQ(file.content_type, "video/mp4");
  Response broken = json_answer("{not json");
  write_response(broken, kVerbose);
  EXPECT_EQ(broken.body, "{not json");
}

TEST(AtomWriteTest, IntegersBeyondInt32AreInt64) {
  Response response =
      json_answer(R"({"d":{"__metadata":{"uri":"u"},"Big":18446744073709551615,"Small":-5}})");
  const pugi::xml_document doc = written(response);
  const pugi::xml_node entry = doc.child("entry");
  EXPECT_STREQ(property(entry, "d:Big").attribute("m:type").value(), "Edm.Int64");
  EXPECT_STREQ(property(entry, "d:Big").child_value(), "18446744073709551615");
  EXPECT_STREQ(property(entry, "d:Small").attribute("m:type").value(), "Edm.Int32");
  EXPECT_STREQ(property(entry, "d:Small").child_value(), "-5");
}

TEST(AtomWriteTest, OddJsonNeverThrowsAndAlwaysGivesWellFormedXml) {
  std::string deep = R"({"d":{"__metadata":{"uri":"u"},"X":)";
  for (int i = 0; i < 60; ++i) deep += R"({"a":)";
  deep += "1" + std::string(60, '}') + "}}";
  int converted = 0;
  for (
      const std::string& body : std::vector<std::string>{
          R"({"d":{"__metadata":{"type":7},"bad name":1,"1x":2,"ok":"a\u0001b","big":18446744073709551615,"small":-5,"f":1e300,"d":"/Date(99999999999999999)/","arr":[1,[2,{"x":null}]]}})",
          R"({"d":{"results":[1,"x",null,{"__metadata":null}]}})",
          R"({"d":{"Name":"\u00e9\ud83d\ude00"}})",
          R"({"d":{"<x>":1}})",
          R"({"error":{"code":5,"message":"plain"}})",
          R"({"d":[1,2]})",
          deep,
      }) {
    Response response = json_answer(body);
    write_response(response, kVerbose);
    if (response.content_type.starts_with("application/json")) continue;  // left as it is
    ++converted;
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(response.body.c_str())) << body << "\n -> " << response.body;
  }
  EXPECT_EQ(converted, 5) << R"(only {"d":[1,2]} and {"d":{"<x>":1}} stay JSON)";
}

}  // namespace
}  // namespace mw::api::atom
