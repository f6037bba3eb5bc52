#include "daemon/api/request_body.hpp"

#include <gtest/gtest.h>

#include <string>

#include "daemon/api/api_error.hpp"

namespace mw::api {
namespace {

// The Job page's "Create a Job" body, byte for byte (its HTML-escaped placeholder host too).
const std::string kJobPageBody =
    R"j({"Name" : "NewTestJob", "InputMediaAssets" : [{"__metadata" : {"uri" : "https://&lt;accountname&gt;.restv2.&lt;location&gt;.media.azure.net/api/Assets('nb%3Acid%3AUUID%3Aba5356eb-30ff-4dc6-9e5a-41e4223540e7')"}}], "Tasks" : [{"Configuration" : "H.264 HD 720p VBR", "MediaProcessorId" : "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5", "TaskBody" : "<?xml version=\"1.0\" encoding=\"utf-8\"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"}]})j";

// The 400 message parse_job_request gives for `body`, or "" when it is accepted.
std::string job_error(const std::string& body) {
  try {
    parse_job_request(parse_json_object(body));
    return "";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), http::status::bad_request);
    return e.what();
  }
}

TEST(RequestBodyTest, JobPageCreateBodyMapsToAJobRequest) {
  const runtime::JobRequest r = parse_job_request(parse_json_object(kJobPageBody));
  EXPECT_EQ(r.name, "NewTestJob");
  EXPECT_EQ(r.priority, 0);
  ASSERT_EQ(r.input_asset_ids.size(), 1u);
  EXPECT_EQ(r.input_asset_ids[0], "nb:cid:UUID:ba5356eb-30ff-4dc6-9e5a-41e4223540e7");
  ASSERT_EQ(r.tasks.size(), 1u);
  EXPECT_EQ(r.tasks[0].configuration, "H.264 HD 720p VBR");
  EXPECT_EQ(r.tasks[0].media_processor_id, "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5");
  EXPECT_EQ(
      r.tasks[0].task_body,
      R"(<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>)");
}

TEST(RequestBodyTest, JsonLightBindFormAndOptionalTaskProperties) {
  const runtime::JobRequest r = parse_job_request(parse_json_object(R"j({
    "Name":"light", "Priority": 40,
    "InputMediaAssets@odata.bind":["https://acct.restv2.westus.media.azure.net/api/Assets('nb%3Acid%3AUUID%3Aa')",
                                   "http://127.0.0.1:9/api/Assets('nb:cid:UUID:b')"],
    "Tasks":[{"Name":"t0","Configuration":"H264 Single Bitrate 720p","MediaProcessorId":"x","TaskBody":"<taskBody/>",
              "Options":2,"Priority":7,"EncryptionScheme":"None","TaskNotificationSubscriptions":[]}]})j"));
  EXPECT_EQ(r.priority, 40);
  EXPECT_EQ(r.input_asset_ids, (std::vector<std::string>{"nb:cid:UUID:a", "nb:cid:UUID:b"}));
  EXPECT_EQ(r.tasks[0].name, "t0");
  EXPECT_EQ(r.tasks[0].options, 2);
  EXPECT_EQ(r.tasks[0].priority, 7);
}

TEST(RequestBodyTest, ReadOnlyPropertiesAndAnnotationsAreIgnored) {
  EXPECT_EQ(
      job_error(
          R"({"__metadata":{"type":"Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job"},"Id":null,
                          "State":0,"Created":"\/Date(0)\/","Name@odata.type":"Edm.String","Tasks":[{"Id":"","Progress":0}]})"),
      "");
}

TEST(RequestBodyTest, UnknownPropertiesGetTheAmsMessageAndTheirName) {
  const std::string message = job_error(R"({"Name":"x","Colour":"red"})");
  EXPECT_NE(message.find(
                "Parsing request content failed due to: Make sure to only use property names that "
                "are defined by the type"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("'Colour'"), std::string::npos) << message;
  EXPECT_NE(
      job_error(R"({"Tasks":[{"TaskBody":"<taskBody/>","Preset":"x"}]})").find("'Tasks[0].Preset'"),
      std::string::npos);
}

TEST(RequestBodyTest, WrongTypesAndHugeNumbersNameTheField) {
  EXPECT_NE(
      job_error(R"({"Priority":"high"})").find("Priority: expected an Edm.Int32, got a string"),
      std::string::npos);
  EXPECT_NE(job_error(R"({"Priority":99999999999})")
                .find("Priority: 99999999999 is out of the Edm.Int32 range"),
            std::string::npos);
  EXPECT_NE(job_error(R"({"Priority":-99999999999})").find("Priority:"), std::string::npos);
  EXPECT_NE(job_error(R"({"Priority":123456789012345678901234567890})").find("Priority:"),
            std::string::npos);
  EXPECT_NE(job_error(R"({"Priority":1.5})").find("Priority: expected an Edm.Int32"),
            std::string::npos);
  EXPECT_NE(job_error(R"({"Tasks":[{"TaskBody":5}]})")
                .find("Tasks[0].TaskBody: expected an Edm.String, got a number"),
            std::string::npos);
  EXPECT_NE(job_error(R"({"Tasks":{"TaskBody":"x"}})").find("Tasks: expected an array"),
            std::string::npos);
  EXPECT_NE(job_error(R"({"Tasks":["x"]})").find("Tasks[0]: expected a Task object"),
            std::string::npos);
  EXPECT_NE(job_error(R"({"Name":["x"]})").find("Name: expected an Edm.String, got an array"),
            std::string::npos);
}

TEST(RequestBodyTest, BadAssetLinksNameTheirPlace) {
  EXPECT_NE(
      job_error(R"j({"InputMediaAssets":[{"__metadata":{"uri":"https://h/api/Jobs('x')"}}]})j")
          .find("InputMediaAssets[0].__metadata.uri"),
      std::string::npos);
  EXPECT_NE(
      job_error(R"({"InputMediaAssets":[{"uri":"x"}]})").find("InputMediaAssets[0]: expected"),
      std::string::npos);
  EXPECT_NE(
      job_error(R"j({"InputMediaAssets":[{"__metadata":{"uri":"https://h/api/Assets('x%zz')"}}]})j")
          .find("bad percent-encoding"),
      std::string::npos);
  EXPECT_NE(
      job_error(R"({"InputMediaAssets@odata.bind":[7]})").find("InputMediaAssets@odata.bind[0]"),
      std::string::npos);
}

TEST(RequestBodyTest, TemplateIdIsKeptAndTheTasksLeftToTheTemplate) {
  const runtime::JobRequest r = parse_job_request(parse_json_object(
      R"j({"Name":"from template","TemplateId":"nb:jtid:UUID:1",
          "InputMediaAssets@odata.bind":["https://h/api/Assets('nb%3Acid%3AUUID%3Aa')"]})j"));
  EXPECT_EQ(r.template_id, "nb:jtid:UUID:1");
  EXPECT_TRUE(r.tasks.empty());
  EXPECT_EQ(r.input_asset_ids, (std::vector<std::string>{"nb:cid:UUID:a"}));
  EXPECT_NE(job_error(R"({"TemplateId":7})").find("TemplateId: expected an Edm.String"),
            std::string::npos);
  EXPECT_NE(job_error(R"({"TemplateId":"nb:jtid:UUID:1","Tasks":[]})")
                .find("TemplateId: give either TemplateId or Tasks, not both"),
            std::string::npos);
}

TEST(RequestBodyTest, NotificationSubscriptionsAreReadFromBothForms) {
  const runtime::JobRequest r = parse_job_request(parse_json_object(
      R"j({"JobNotificationSubscriptions":{"__metadata":{"type":"Collection(x)"},"results":[
             {"NotificationEndPointId":"nb:nepid:UUID:1","TargetJobState":1}]},
          "Tasks":[{"TaskNotificationSubscriptions":[{"NotificationEndPointId":"nb:nepid:UUID:2",
             "TargetTaskState":2,"IncludeTaskProgress":true}]}]})j"));
  ASSERT_EQ(r.notification_subscriptions.size(), 1u);
  EXPECT_EQ(r.notification_subscriptions[0].notification_endpoint_id, "nb:nepid:UUID:1");
  EXPECT_EQ(r.notification_subscriptions[0].target_state,
            runtime::NotificationTarget::FinalStatesOnly);
  ASSERT_EQ(r.tasks.at(0).notification_subscriptions.size(), 1u);
  EXPECT_TRUE(r.tasks[0].notification_subscriptions[0].include_task_progress);
  EXPECT_NE(job_error(R"({"JobNotificationSubscriptions":[{"NotificationEndPointId":"x",
                          "TargetJobState":2,"Colour":1}]})")
                .find("'JobNotificationSubscriptions[0].Colour'"),
            std::string::npos);
}

TEST(RequestBodyTest, UnsupportedFeaturesAreRefusedNotDropped) {
  EXPECT_NE(job_error(R"({"Tasks":[{"EncryptionKeyId":"nb:kid:UUID:1"}]})")
                .find("Tasks[0].EncryptionKeyId"),
            std::string::npos);
}

TEST(RequestBodyTest, MalformedJsonGivesTheParsersReason) {
  for (const char* body :
       {"", "{", R"({"Name":"x",})", R"({"Name":"unterminated})", "[1,2]", "null"}) {
    SCOPED_TRACE(body);
    try {
      parse_json_object(body);
      ADD_FAILURE() << "accepted";
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), http::status::bad_request);
      EXPECT_EQ(std::string(e.what()).rfind("Parsing request content failed due to: ", 0), 0u)
          << e.what();
    }
  }
  EXPECT_THROW(parse_json_object(std::string(10000, '[') + std::string(10000, ']')), ApiError);
}

TEST(RequestBodyTest, MergeMayChangePriorityOnly) {
  EXPECT_EQ(parse_job_update(parse_json_object(R"({"Priority":5})")), 5);
  EXPECT_EQ(parse_job_update(parse_json_object(R"({})")), std::nullopt);
  try {
    parse_job_update(parse_json_object(R"({"Priority":5,"Name":"renamed"})"));
    ADD_FAILURE() << "accepted";
  } catch (const ApiError& e) {
    EXPECT_NE(std::string(e.what()).find("Name: Job.Name is write-once"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_job_update(parse_json_object(R"({"Colour":1})")), ApiError);
}

TEST(RequestBodyTest, AssetAndFileCreation) {
  const runtime::TimePoint now{std::chrono::seconds(100)};
  const runtime::Asset asset =
      parse_asset_create(parse_json_object(R"({"Name":"clip.mp4","Options":0})"), now);
  EXPECT_EQ(asset.name, "clip.mp4");
  EXPECT_EQ(asset.id.rfind("nb:cid:UUID:", 0), 0u);
  EXPECT_EQ(asset.created, now);
  EXPECT_THROW(parse_asset_create(parse_json_object(R"({"Options":1})"), now), ApiError);

  const runtime::AssetFile file = parse_asset_file_create(
      parse_json_object(
          R"({"Name":"clip.mp4","ParentAssetId":"nb:cid:UUID:a","IsPrimary":true,"MimeType":"video/mp4"})"),
      now);
  EXPECT_EQ(file.name, "clip.mp4");
  EXPECT_EQ(file.parent_asset_id, "nb:cid:UUID:a");
  EXPECT_TRUE(file.is_primary);
  EXPECT_EQ(file.mime_type, "video/mp4");
  EXPECT_EQ(file.content_file_size, 0);
  for (const char* bad :
       {R"({"Name":"../x","ParentAssetId":"a"})", R"({"Name":".hidden","ParentAssetId":"a"})",
        R"({"ParentAssetId":"a"})", R"({"Name":"x.mp4"})",
        R"({"Name":"x.mp4","ParentAssetId":"a","IsPrimary":"yes"})"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_asset_file_create(parse_json_object(bad), now), ApiError);
  }
}

}  // namespace
}  // namespace mw::api
