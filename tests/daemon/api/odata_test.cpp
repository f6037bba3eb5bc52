#include "daemon/api/odata.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace mw::api {
namespace {

using std::chrono::milliseconds;

// 2020-04-17T00:56:31.763Z, a Created value GRIDWICH captured from AMS (1587084991763 ms).
const runtime::TimePoint kCreated{milliseconds(1587084991763)};

const ODataContext kVerbose{Format::Verbose, "http://host:1/api/"};
const ODataContext kLight{Format::Light, "http://host:1/api/"};

runtime::Job sample_job() {
  runtime::Job job;
  job.id = "nb:jid:UUID:7dc2642f-ab1e-9f4c-8ecd-027eeac2a4ab";
  job.name = "NewTestJob";
  job.created = job.last_modified = kCreated;
  job.priority = 3;
  job.running_duration_s = 1.5;
  job.state = runtime::State::Processing;
  return job;
}

TEST(ODataTest, AcceptHeaderPicksTheFlavour) {
  EXPECT_EQ(format_from_accept("application/json;odata=verbose"), Format::Verbose);
  EXPECT_EQ(format_from_accept("application/json; odata=verbose, */*"), Format::Verbose);
  EXPECT_EQ(format_from_accept("application/json"), Format::Light);
  EXPECT_EQ(format_from_accept(""), Format::Light);
}

TEST(ODataTest, DatesAreEpochMillisecondsInVerboseAndIsoInLight) {
  EXPECT_EQ(epoch_ms(kCreated), 1587084991763);
  EXPECT_EQ(iso8601(kCreated), "2020-04-17T00:56:31.763Z");
  EXPECT_EQ(iso8601(runtime::TimePoint{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(date_value(kVerbose, kCreated), "/Date(1587084991763)/");
  EXPECT_EQ(date_value(kLight, kCreated), "2020-04-17T00:56:31.763Z");
  EXPECT_TRUE(date_value(kLight, std::optional<runtime::TimePoint>{}).is_null());
}

TEST(ODataTest, VerboseDatesAreWrittenWithEscapedSlashesAsWcfDid) {
  const std::string text = entity_document(kVerbose, kJobs, job_entity(kVerbose, sample_job()));
  EXPECT_NE(text.find(R"("Created":"\/Date(1587084991763)\/")"), std::string::npos) << text;
  // Escaping is transparent to JSON readers.
  EXPECT_EQ(nlohmann::json::parse(text)["d"]["Created"], "/Date(1587084991763)/");
}

TEST(ODataTest, VerboseJobHasMetadataDeferredLinksAndNullTimes) {
  const auto doc =
      nlohmann::json::parse(entity_document(kVerbose, kJobs, job_entity(kVerbose, sample_job())));
  const auto& d = doc.at("d");
  const std::string uri =
      "http://host:1/api/Jobs('nb%3Ajid%3AUUID%3A7dc2642f-ab1e-9f4c-8ecd-027eeac2a4ab')";
  EXPECT_EQ(d["__metadata"]["id"], uri);
  EXPECT_EQ(d["__metadata"]["uri"], uri);
  EXPECT_EQ(d["__metadata"]["type"], "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job");
  EXPECT_EQ(d["Tasks"]["__deferred"]["uri"], uri + "/Tasks");
  EXPECT_EQ(d["InputMediaAssets"]["__deferred"]["uri"], uri + "/InputMediaAssets");
  EXPECT_EQ(d["OutputMediaAssets"]["__deferred"]["uri"], uri + "/OutputMediaAssets");
  EXPECT_EQ(d["Id"], "nb:jid:UUID:7dc2642f-ab1e-9f4c-8ecd-027eeac2a4ab");
  EXPECT_EQ(d["State"], 2);
  EXPECT_EQ(d["Priority"], 3);
  EXPECT_EQ(d["RunningDuration"], 1.5);
  EXPECT_TRUE(d["StartTime"].is_null());
  EXPECT_TRUE(d["EndTime"].is_null());
  EXPECT_TRUE(d["TemplateId"].is_null());
}

TEST(ODataTest, LightEntityHasMetadataUrlAndNoLinks) {
  const auto doc =
      nlohmann::json::parse(entity_document(kLight, kJobs, job_entity(kLight, sample_job())));
  EXPECT_EQ(doc["odata.metadata"], "http://host:1/api/$metadata#Jobs/@Element");
  EXPECT_FALSE(doc.contains("__metadata"));
  EXPECT_FALSE(doc.contains("Tasks"));
  EXPECT_EQ(doc["Created"], "2020-04-17T00:56:31.763Z");
  EXPECT_EQ(doc["State"], 2);
}

TEST(ODataTest, CollectionsInBothFlavours) {
  const std::vector<runtime::Job> jobs{sample_job(), sample_job()};
  const auto verbose = nlohmann::json::parse(serialise_collection(
      kVerbose, kJobs, jobs, [](const runtime::Job& j) { return job_entity(kVerbose, j); }));
  ASSERT_EQ(verbose["d"]["results"].size(), 2u);
  EXPECT_EQ(verbose["d"]["results"][1]["__metadata"]["type"],
            "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job");
  const auto light = nlohmann::json::parse(collection_document(kLight, kJobs, {}));
  EXPECT_EQ(light["odata.metadata"], "http://host:1/api/$metadata#Jobs");
  EXPECT_TRUE(light["value"].is_array());
  EXPECT_TRUE(light["value"].empty());
  EXPECT_TRUE(
      nlohmann::json::parse(collection_document(kVerbose, kTasks, {}))["d"]["results"].is_array());
}

TEST(ODataTest, TaskComplexCollectionsUseTheAmsVerboseShape) {
  runtime::Task task;
  task.id = "nb:tid:UUID:1";
  task.error_details.push_back({"ErrorParsingConfiguration", "bad preset"});
  task.historical_events.push_back({"Queued", "", kCreated});
  const auto v = task_entity(kVerbose, task);
  EXPECT_EQ(v["ErrorDetails"]["__metadata"]["type"],
            "Collection(Microsoft.Cloud.Media.Vod.Rest.Data.Models.ErrorDetail)");
  EXPECT_EQ(v["ErrorDetails"]["results"][0]["Code"], "ErrorParsingConfiguration");
  EXPECT_EQ(v["HistoricalEvents"]["__metadata"]["type"],
            "Collection(Microsoft.Cloud.Media.Vod.Rest.Data.Models.TaskHistoricalEvent)");
  EXPECT_EQ(v["HistoricalEvents"]["results"][0]["TimeStamp"], "/Date(1587084991763)/");
  EXPECT_EQ(v["TaskNotificationSubscriptions"]["results"], nlohmann::ordered_json::array());
  EXPECT_EQ(v["OutputMediaAssets"]["__deferred"]["uri"],
            "http://host:1/api/Tasks('nb%3Atid%3AUUID%3A1')/OutputMediaAssets");
  const auto l = task_entity(kLight, task);
  EXPECT_TRUE(l["ErrorDetails"].is_array());
  EXPECT_EQ(l["HistoricalEvents"][0]["TimeStamp"], "2020-04-17T00:56:31.763Z");
  EXPECT_TRUE(l["EncryptionKeyId"].is_null());
}

TEST(ODataTest, ContentFileSizeIsAnInt64String) {
  runtime::AssetFile file;
  file.id = "nb:cid:UUID:f";
  file.name = "clip.mp4";
  file.content_file_size = 122992491;
  EXPECT_EQ(asset_file_entity(kVerbose, file)["ContentFileSize"], "122992491");
  EXPECT_EQ(asset_file_entity(kVerbose, file)["__metadata"]["type"],
            "Microsoft.Cloud.Media.Vod.Rest.Data.Models.AssetFile");
  EXPECT_TRUE(asset_file_entity(kLight, file)["MimeType"].is_null());
}

TEST(ODataTest, AssetUriIsTheFileUriOfItsFolder) {
  const runtime::Storage storage("/tmp/mw-odata-test-root");
  runtime::Asset asset;
  asset.id = "nb:cid:UUID:abc";
  const auto v = asset_entity(kVerbose, asset, storage);
  EXPECT_EQ(v["Uri"], "file:///tmp/mw-odata-test-root/asset-abc");
  EXPECT_EQ(v["Files"]["__deferred"]["uri"],
            "http://host:1/api/Assets('nb%3Acid%3AUUID%3Aabc')/Files");
  std::filesystem::remove_all("/tmp/mw-odata-test-root");
}

TEST(ODataTest, PropertyAndErrorDocuments) {
  EXPECT_EQ(property_document(kVerbose, "State", "Edm.Int32", 2), R"({"d":{"State":2}})");
  EXPECT_EQ(property_document(kLight, "State", "Edm.Int32", 2),
            R"({"odata.metadata":"http://host:1/api/$metadata#Edm.Int32","value":2})");
  EXPECT_EQ(error_document("", "bad"),
            R"({"error":{"code":"","message":{"lang":"en-US","value":"bad"}}})");
}

TEST(ODataTest, InvalidUtf8IsReplacedNotThrown) {
  EXPECT_NO_THROW(dump_json(Json{{"Name", std::string("a\xff"
                                                      "b")}}));
}

}  // namespace
}  // namespace mw::api
