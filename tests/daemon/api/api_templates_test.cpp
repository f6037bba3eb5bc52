// JobTemplates and TaskTemplates over HTTP: REFDOC's create request (verbose) and the JSON light
// form, reading, listing and deleting them, the create rules with the field each refusal names,
// and a job created from a template with TemplateId + InputMediaAssets only.

#include <gtest/gtest.h>

#include "tests/daemon/api/api_fixture.hpp"

namespace mw::api::test {
namespace {

using nlohmann::json;

constexpr const char* kWame = "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5";
constexpr const char* kRefdocTaskTemplateId = "nb:ttid:UUID:071370A3-E63E-4E81-A099-AD66BCAC3789";

// REFDOC jobtemplate.md "Create a JobTemplate", byte for byte but for the Configuration:
// "H.264 iPad" is a 2012 preset name that this service's library does not have.
const std::string kRefdocBody =
    R"j({"Name" : "NewJobTemplate14ad96d1-2d14-4618-9014-08db7d227062", "TemplateType" : "1",  "JobTemplateBody" : "<?xml version=\"1.0\" encoding=\"utf-8\"?><jobTemplate><taskBody taskTemplateId=\"nb:ttid:UUID:071370A3-E63E-4E81-A099-AD66BCAC3789\"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody></jobTemplate>", "TaskTemplates" : [{"Id" : "nb:ttid:UUID:071370A3-E63E-4E81-A099-AD66BCAC3789", "Configuration" : "H.264 HD 720p VBR", "MediaProcessorId" : "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5", "Name" : "SampleTaskTemplate2", "NumberofInputAssets" : 1, "NumberofOutputAssets" : 1}] })j";

const std::string kOneTaskBody =
    "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</"
    "outputAsset></taskBody>";

std::string quoted(const std::string& id) {
  return "('" + percent_encode(id) + "')";
}

class ApiTemplatesTest : public ApiFixture {
 protected:
  /// POSTs a JobTemplate (verbose); returns its Id.
  std::string create_template(const std::string& body = kRefdocBody) {
    const Reply reply = send(http::verb::post, "/api/JobTemplates", body);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json()["d"]["Id"];
  }
  /// The AMS error message of a refused JobTemplate create, checking its status.
  std::string create_error(const json& body, int status = 400) {
    const Reply reply = send(http::verb::post, "/api/JobTemplates", body.dump());
    EXPECT_EQ(reply.status, status) << reply.body;
    return reply.error_message();
  }
  /// A job body with TemplateId and the assets linked in the verbose form.
  static json job_from_template(const std::string& template_id,
                                const std::vector<std::string>& asset_ids) {
    json assets = json::array();
    for (const auto& id : asset_ids)
      assets.push_back({{"__metadata", {{"uri", "https://h/api/Assets" + quoted(id)}}}});
    return {{"Name", "from template"}, {"TemplateId", template_id}, {"InputMediaAssets", assets}};
  }
};

TEST_F(ApiTemplatesTest, RefdocCreateRequestMakesAJobTemplateWithItsTaskTemplate) {
  const Reply reply = send(http::verb::post, "/api/JobTemplates", kRefdocBody);
  ASSERT_EQ(reply.status, 201) << reply.body;
  const json d = reply.json()["d"];
  const std::string id = d["Id"];
  EXPECT_TRUE(has_shape(id, "nb:jtid:UUID:" + kGuidShape)) << id;
  EXPECT_EQ(reply.header("location"), base() + "JobTemplates" + quoted(id));
  EXPECT_EQ(d["__metadata"]["type"], "Microsoft.Cloud.Media.Vod.Rest.Data.Models.JobTemplate");
  EXPECT_EQ(d["TaskTemplates"]["__deferred"]["uri"],
            base() + "JobTemplates" + quoted(id) + "/TaskTemplates");
  EXPECT_EQ(d["Name"], "NewJobTemplate14ad96d1-2d14-4618-9014-08db7d227062");
  EXPECT_EQ(d["TemplateType"], 1);
  EXPECT_EQ(d["NumberofInputAssets"], 1);  // not in the request: counted from the body
  EXPECT_EQ(d["JobTemplateBody"], json::parse(kRefdocBody)["JobTemplateBody"]);
  EXPECT_TRUE(has_shape(d["Created"].get<std::string>(), "/Date(+)/")) << d["Created"];

  const Reply tasks = get("/api/JobTemplates" + quoted(id) + "/TaskTemplates");
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  const json t = tasks.json()["d"]["results"].at(0);
  EXPECT_EQ(t["__metadata"]["type"], "Microsoft.Cloud.Media.Vod.Rest.Data.Models.TaskTemplate");
  EXPECT_EQ(t["Id"], kRefdocTaskTemplateId);
  EXPECT_EQ(t["Name"], "SampleTaskTemplate2");
  EXPECT_EQ(t["Configuration"], "H.264 HD 720p VBR");
  EXPECT_EQ(t["MediaProcessorId"], kWame);
  EXPECT_EQ(t["NumberofInputAssets"], 1);
  EXPECT_EQ(t["NumberofOutputAssets"], 1);
  EXPECT_EQ(t["Options"], 0);
  EXPECT_TRUE(t["Description"].is_null());

  EXPECT_EQ(get("/api/TaskTemplates" + quoted(kRefdocTaskTemplateId)).json()["d"]["Name"],
            "SampleTaskTemplate2");
  EXPECT_EQ(get("/api/TaskTemplates").json()["d"]["results"].size(), 1u);
  const json all = get("/api/JobTemplates").json()["d"]["results"];
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["Id"], id);
}

TEST_F(ApiTemplatesTest, JsonLightCreateGeneratesAMissingTaskTemplateIdIntoTheBody) {
  // Two tasks: the second has no Id, and its taskBody no taskTemplateId (matched by position).
  const json body = {
      {"Name", "light"},
      {"TemplateType", 1},
      {"NumberofInputAssets", 1},
      {"JobTemplateBody",
       "<jobTemplate><taskBody "
       "taskTemplateId=\"nb:ttid:UUID:aaaaaaaa-0000-0000-0000-000000000001\">"
       "<inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
       "</taskBody><taskBody><inputAsset>JobOutputAsset(0)</inputAsset>"
       "<outputAsset>JobOutputAsset(1)</outputAsset></taskBody></jobTemplate>"},
      {"TaskTemplates",
       {{{"Id", "nb:ttid:UUID:aaaaaaaa-0000-0000-0000-000000000001"},
         {"Name", "video"},
         {"Description", "720p first"},
         {"Configuration", "H264 Single Bitrate 720p"},
         {"MediaProcessorId", kWame}},
        {{"Name", "audio"},
         {"Configuration", "AAC Good Quality Audio"},
         {"MediaProcessorId", kWame}}}}};
  const Reply reply = send(http::verb::post, "/api/JobTemplates", body.dump(), light_headers());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const json created = reply.json();
  EXPECT_EQ(created["odata.metadata"], base() + "$metadata#JobTemplates/@Element");
  EXPECT_FALSE(created.contains("__metadata"));
  EXPECT_FALSE(created.contains("TaskTemplates"));  // no navigation links in light
  const std::string id = created["Id"];

  const json tasks =
      get("/api/JobTemplates" + quoted(id) + "/TaskTemplates", light_headers()).json()["value"];
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0]["Name"], "video");
  EXPECT_EQ(tasks[0]["Description"], "720p first");
  EXPECT_EQ(tasks[1]["Name"], "audio");
  const std::string generated = tasks[1]["Id"];
  EXPECT_TRUE(has_shape(generated, "nb:ttid:UUID:" + kGuidShape)) << generated;
  const std::string stored = created["JobTemplateBody"];
  EXPECT_NE(
      stored.find("<taskBody taskTemplateId=\"" + generated + "\"><inputAsset>JobOutputAsset(0)"),
      std::string::npos)
      << stored;
}

TEST_F(ApiTemplatesTest, JobFromTemplateTakesItsTasksAndKeepsTheTemplateId) {
  const std::string template_id = create_template();
  const std::string asset = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const Reply reply =
      send(http::verb::post, "/api/Jobs", job_from_template(template_id, {asset}).dump());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const json job = reply.json()["d"];
  EXPECT_EQ(job["TemplateId"], template_id);
  const std::string job_id = job["Id"];
  EXPECT_EQ(get("/api/Jobs" + quoted(job_id)).json()["d"]["TemplateId"], template_id);

  const json tasks = get("/api/Jobs" + quoted(job_id) + "/Tasks").json()["d"]["results"];
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["Name"], "SampleTaskTemplate2");
  EXPECT_EQ(tasks[0]["Configuration"], "H.264 HD 720p VBR");
  EXPECT_EQ(tasks[0]["MediaProcessorId"], kWame);
  EXPECT_EQ(tasks[0]["TaskBody"], kOneTaskBody);  // the taskBody without taskTemplateId
  const json inputs =
      get("/api/Jobs" + quoted(job_id) + "/InputMediaAssets").json()["d"]["results"];
  EXPECT_EQ(inputs.at(0)["Id"], asset);
  EXPECT_EQ(get("/api/Jobs" + quoted(job_id) + "/OutputMediaAssets").json()["d"]["results"].size(),
            1u);
}

TEST_F(ApiTemplatesTest, JobFromTemplateRefusalsNameTheProperty) {
  const std::string template_id = create_template();
  const std::string asset = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;

  json both = job_from_template(template_id, {asset});
  both["Tasks"] = {{{"Configuration", "H.264 HD 720p VBR"},
                    {"MediaProcessorId", kWame},
                    {"TaskBody", kOneTaskBody}}};
  Reply reply = send(http::verb::post, "/api/Jobs", both.dump());
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.error_message().find("TemplateId: give either TemplateId or Tasks, not both"),
            std::string::npos)
      << reply.error_message();

  reply =
      send(http::verb::post, "/api/Jobs",
           job_from_template("nb:jtid:UUID:00000000-0000-0000-0000-000000000000", {asset}).dump());
  EXPECT_EQ(reply.status, 404);
  EXPECT_NE(reply.error_message().find(
                "TemplateId: JobTemplate 'nb:jtid:UUID:00000000-0000-0000-0000-000000000000' was "
                "not found"),
            std::string::npos)
      << reply.error_message();

  reply =
      send(http::verb::post, "/api/Jobs", job_from_template(template_id, {asset, asset}).dump());
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.error_message().find("InputMediaAssets: JobTemplate '" + template_id +
                                       "' takes 1 input asset(s) (its NumberofInputAssets); the "
                                       "request gives 2"),
            std::string::npos)
      << reply.error_message();
  EXPECT_TRUE(get("/api/Jobs").json()["d"]["results"].empty());
}

TEST_F(ApiTemplatesTest, CreateRefusalsNameTheFieldAndPersistNothing) {
  const json refdoc = json::parse(kRefdocBody);
  const auto with = [&](const std::string& pointer, const json& value) {
    json body = refdoc;
    body[json::json_pointer(pointer)] = value;
    return body;
  };
  const auto body_with = [&](const std::string& task_body_content) {
    return with("/JobTemplateBody", "<jobTemplate><taskBody taskTemplateId=\"" +
                                        std::string(kRefdocTaskTemplateId) + "\">" +
                                        task_body_content + "</taskBody></jobTemplate>");
  };
  const std::string io =
      "<inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>";
  const std::vector<std::pair<json, std::string>> cases = {
      {with("/TemplateType", 0), "TemplateType: SystemLevel 0 is reserved for Media Services"},
      {with("/TemplateType", "one"), "TemplateType: 'one' is not an Edm.Int32"},
      {with("/TaskTemplates", json::array()),
       "TaskTemplates: a JobTemplate needs at least one TaskTemplate"},
      {with("/JobTemplateBody", ""), "JobTemplateBody: required"},
      {with("/JobTemplateBody", "<jobTemplate><taskBody>"), "JobTemplateBody: not well-formed XML"},
      {with("/JobTemplateBody", kOneTaskBody),
       "JobTemplateBody: the root element is <taskBody>, not <jobTemplate>"},
      {with("/JobTemplateBody", "<jobTemplate><taskBody taskTemplateId=\"" +
                                    std::string(kRefdocTaskTemplateId) + "\">" + io +
                                    "</taskBody><taskBody>" + io + "</taskBody></jobTemplate>"),
       "JobTemplateBody: 2 <taskBody> element(s) for 1 TaskTemplate(s)"},
      {with("/JobTemplateBody", "<jobTemplate><taskBody taskTemplateId=\"nb:ttid:UUID:other\">" +
                                    io + "</taskBody></jobTemplate>"),
       "JobTemplateBody: <taskBody> 1: taskTemplateId 'nb:ttid:UUID:other' names no TaskTemplate "
       "of the request"},
      {body_with("<inputAsset>JobInputAsset(0)</inputAsset>"),
       "JobTemplateBody: <taskBody> 1: no <outputAsset>"},
      {with("/NumberofInputAssets", 0),
       "NumberofInputAssets: 0; a JobTemplate takes 1 to 10000 input assets"},
      {[&] {
         json b = body_with(
             "<inputAsset>JobInputAsset(1)</inputAsset><outputAsset>JobOutputAsset(0)</"
             "outputAsset>");
         b["NumberofInputAssets"] = 1;
         return b;
       }(),
       "NumberofInputAssets: 1, but the JobTemplateBody names JobInputAsset(1)"},
      {with("/TaskTemplates/0/MediaProcessorId", "nb:mpid:UUID:nope"),
       "TaskTemplates[0].MediaProcessorId: task 0 ('SampleTaskTemplate2'): unknown "
       "MediaProcessorId"},
      {with("/TaskTemplates/0/Configuration", "H.264 iPad"),
       "TaskTemplates[0].Configuration: task 0 ('SampleTaskTemplate2'): Configuration: unknown "
       "preset 'H.264 iPad'"},
      {with("/TaskTemplates/0/NumberofOutputAssets", 2),
       "TaskTemplates[0].NumberofOutputAssets: 2, but its <taskBody> has 1 <outputAsset> "
       "element(s)"},
      {with("/TaskTemplates/0/Id", "ttid-1"),
       "TaskTemplates[0].Id: 'ttid-1' is not a TaskTemplate Id"},
      {with("/TaskTemplates/0/EncryptionKeyId", "nb:kid:UUID:1"),
       "TaskTemplates[0].EncryptionKeyId: encryption is not supported"},
      {with("/TaskTemplates/0/NumberofInputAssets", "x"),
       "TaskTemplates[0].NumberofInputAssets: 'x' is not an Edm.Int32"},
      {with("/Colour", "red"),
       "'Colour' is not a property of Microsoft.Cloud.Media.Vod.Rest.Data.Models.JobTemplate"},
  };
  for (const auto& [body, message] : cases) {
    const std::string error = create_error(body);
    EXPECT_NE(error.find(message), std::string::npos) << "'" << message << "' not in: " << error;
  }
  EXPECT_TRUE(get("/api/JobTemplates").json()["d"]["results"].empty());
  EXPECT_TRUE(get("/api/TaskTemplates").json()["d"]["results"].empty());
}

TEST_F(ApiTemplatesTest, JobTemplatesAreDeletedWithTheirTaskTemplatesAndNeverUpdated) {
  const std::string id = create_template();
  const std::string uri = "/api/JobTemplates" + quoted(id);

  Reply merge = send(http::verb::merge, uri, R"({"Name":"renamed"})");
  EXPECT_EQ(merge.status, 400);
  EXPECT_NE(merge.error_message().find("JobTemplates cannot be updated"), std::string::npos);
  EXPECT_EQ(get(uri).json()["d"]["Name"], "NewJobTemplate14ad96d1-2d14-4618-9014-08db7d227062");

  // A second template cannot reuse the TaskTemplate Id (in any case): 409 naming it.
  json again = json::parse(kRefdocBody);
  const Reply conflict = send(http::verb::post, "/api/JobTemplates", again.dump());
  EXPECT_EQ(conflict.status, 409);
  EXPECT_NE(conflict.error_message().find(kRefdocTaskTemplateId), std::string::npos)
      << conflict.error_message();

  Reply create_task =
      send(http::verb::post, "/api/TaskTemplates", again["TaskTemplates"][0].dump());
  EXPECT_EQ(create_task.status, 405);
  EXPECT_EQ(create_task.header("allow"), "GET");
  EXPECT_NE(create_task.error_message().find(
                "TaskTemplates are created only with their JobTemplate: POST /api/JobTemplates"),
            std::string::npos);

  EXPECT_EQ(send(http::verb::delete_, uri).status, 204);
  EXPECT_EQ(get(uri).status, 404);
  EXPECT_EQ(get(uri + "/TaskTemplates").status, 404);
  const Reply task = get("/api/TaskTemplates" + quoted(kRefdocTaskTemplateId));
  EXPECT_EQ(task.status, 404);
  EXPECT_NE(task.error_message().find("TaskTemplate '" + std::string(kRefdocTaskTemplateId) +
                                      "' was not found"),
            std::string::npos);
  const Reply twice = send(http::verb::delete_, uri);
  EXPECT_EQ(twice.status, 404);
  EXPECT_NE(twice.error_message().find("JobTemplate '" + id + "' was not found"),
            std::string::npos);
  // Its TaskTemplate Id is free again.
  EXPECT_EQ(send(http::verb::post, "/api/JobTemplates", kRefdocBody).status, 201);
}

TEST_F(ApiTemplatesTest, SamplesCreateATemplateAndAJobFromIt) {
  const auto sample = [](const std::string& file) {
    return read_file(std::filesystem::path(MW_SOURCE_DIR) / "samples" / "jobs" / file);
  };
  const std::string template_id = create_template(sample("job-template.json"));
  const std::string asset = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  std::string job = sample("job-from-template.json");
  job.replace(job.find("<JobTemplate Id>"), 16, template_id);
  job.replace(job.find("<Asset Id>"), 10, asset);
  const Reply reply = send(http::verb::post, "/api/Jobs", job, light_headers());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string job_id = reply.json()["Id"];
  const json tasks = get("/api/Jobs" + quoted(job_id) + "/Tasks").json()["d"]["results"];
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0]["Configuration"], "H264 Single Bitrate 720p");
  EXPECT_EQ(tasks[1]["Configuration"], "AAC Good Quality Audio");
  const json assets = get("/api/Jobs" + quoted(job_id) + "/OutputMediaAssets").json();
  std::vector<std::string> outputs;
  for (const auto& a : assets["d"]["results"]) outputs.push_back(a["Name"]);
  EXPECT_EQ(outputs, (std::vector<std::string>{"MP4 720p", "AAC audio"}));
}

}  // namespace
}  // namespace mw::api::test
