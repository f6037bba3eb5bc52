// The API driven like the acceptance check and an AMS v2 client: upload, the Job page's
// create request, reading back (verbose and light), listing, cancel and delete.

#include "daemon/api/api_server.hpp"

#include <gtest/gtest.h>

#include "tests/daemon/api/api_fixture.hpp"

namespace mw::api::test {
namespace {

using ApiServerTest = ApiFixture;

TEST_F(ApiServerTest, ClipUploadedInThreeStepsDownloadsAsTheSameBytes) {
  const std::filesystem::path clip = std::filesystem::path(MW_MEDIA_DIR) / kClip;
  const auto [asset_id, file_id] = upload(clip);
  const std::string bytes = read_file(clip);

  const Reply file = get("/api/Files('" + percent_encode(file_id) + "')");
  ASSERT_EQ(file.status, 200) << file.body;
  const auto d = file.json()["d"];
  EXPECT_EQ(d["Name"], kClip);
  EXPECT_EQ(d["ContentFileSize"], std::to_string(bytes.size()));  // Edm.Int64: a string
  EXPECT_EQ(d["ParentAssetId"], asset_id);
  EXPECT_EQ(d["IsPrimary"], true);

  const Reply files = get("/api/Assets('" + percent_encode(asset_id) + "')/Files");
  ASSERT_EQ(files.status, 200);
  ASSERT_EQ(files.json()["d"]["results"].size(), 1u);
  EXPECT_EQ(files.json()["d"]["results"][0]["Name"], kClip);

  const Reply download = get("/api/Files('" + percent_encode(file_id) + "')/$value");
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.header("content-length"), std::to_string(bytes.size()));
  EXPECT_TRUE(download.body == bytes) << "downloaded bytes differ from the upload";

  // Only the file itself is in the asset's folder: the temporary upload file was renamed.
  EXPECT_EQ(mw::test::TempDir::list(storage_.asset_dir(asset_id)), std::vector<std::string>{kClip});
}

TEST_F(ApiServerTest, UploadsLargerThanAnyBodyLimitStreamInChunks) {
  // 1.9 MB: over Beast's default 1 MB body limit, the server's 16 KiB JSON limit and its 256 KiB
  // upload chunk.
  const std::filesystem::path clip =
      std::filesystem::path(MW_MEDIA_DIR) / "bbb-1080p24-mpeg2-mp2.ts";
  const auto [asset_id, file_id] = upload(clip);
  const std::string bytes = read_file(clip);
  ASSERT_GT(bytes.size(), 1u << 20);
  EXPECT_EQ(get("/api/Files('" + file_id + "')").json()["d"]["ContentFileSize"],
            std::to_string(bytes.size()));
  EXPECT_TRUE(read_file(storage_.asset_dir(asset_id) / clip.filename()) == bytes);
  EXPECT_TRUE(get("/api/Files('" + file_id + "')/$value").body == bytes);
}

TEST_F(ApiServerTest, UploadReplacesTheBytesOfAnEarlierUpload) {
  const auto [asset_id, file_id] = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip);
  Headers headers = verbose_headers();
  headers["Content-Type"] = "application/octet-stream";
  const Reply put =
      send(http::verb::put, "/api/Files('" + file_id + "')/$value", "short", headers, true);
  EXPECT_EQ(put.status, 204) << put.body;
  EXPECT_TRUE(put.interim_continue);
  EXPECT_EQ(get("/api/Files('" + file_id + "')").json()["d"]["ContentFileSize"], "5");
  EXPECT_EQ(read_file(storage_.asset_dir(asset_id) / kClip), "short");
}

TEST_F(ApiServerTest, JobPageCreateRequestWorksUnchanged) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  // The page's request sends "Expect: 100-continue": the body follows the server's 100.
  const Reply created =
      send(http::verb::post, "/api/Jobs", job_page_body(asset_id), verbose_headers(), true);
  EXPECT_TRUE(created.interim_continue);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto d = created.json()["d"];
  const std::string job_id = d["Id"];
  EXPECT_TRUE(has_shape(job_id, "nb:jid:UUID:" + kGuidShape)) << job_id;
  EXPECT_EQ(created.header("location"), base() + "Jobs('" + percent_encode(job_id) + "')");
  EXPECT_EQ(d["__metadata"]["uri"], created.header("location"));
  EXPECT_EQ(d["__metadata"]["type"], "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Job");
  EXPECT_EQ(d["OutputMediaAssets"]["__deferred"]["uri"],
            created.header("location") + "/OutputMediaAssets");
  EXPECT_EQ(d["Name"], "NewTestJob");
  EXPECT_EQ(d["State"], 0);
  EXPECT_TRUE(has_shape(d["Created"].get<std::string>(), "/Date(+)/")) << d["Created"];
  EXPECT_NE(created.body.find(R"(\/Date()"), std::string::npos);

  // Read back by encoded and by plain Id.
  for (const std::string& key : {percent_encode(job_id), job_id}) {
    const Reply job = get("/api/Jobs('" + key + "')");
    ASSERT_EQ(job.status, 200) << job.body;
    EXPECT_EQ(job.json()["d"]["Id"], job_id);
    EXPECT_EQ(job.json()["d"]["State"], 0);
  }
  EXPECT_EQ(get("/api/Jobs('" + job_id + "')/State").json(),
            nlohmann::json::parse(R"({"d":{"State":0}})"));

  const Reply tasks = get("/api/Jobs('" + percent_encode(job_id) + "')/Tasks");
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  const auto task = tasks.json()["d"]["results"][0];
  EXPECT_EQ(task["Progress"], 0);
  EXPECT_EQ(task["RunningDuration"], 0);
  EXPECT_EQ(task["State"], 0);
  EXPECT_EQ(task["Configuration"], "H.264 HD 720p VBR");
  EXPECT_EQ(task["MediaProcessorId"], "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5");
  EXPECT_EQ(task["HistoricalEvents"]["__metadata"]["type"],
            "Collection(Microsoft.Cloud.Media.Vod.Rest.Data.Models.TaskHistoricalEvent)");
  EXPECT_EQ(task["ErrorDetails"]["results"], nlohmann::json::array());

  const Reply outputs = get("/api/Jobs('" + percent_encode(job_id) + "')/OutputMediaAssets");
  ASSERT_EQ(outputs.json()["d"]["results"].size(), 1u);
  const std::string output_id = outputs.json()["d"]["results"][0]["Id"];
  EXPECT_EQ(output_id.rfind("nb:cid:UUID:", 0), 0u);
  EXPECT_EQ(get("/api/Assets('" + percent_encode(output_id) + "')/Files").json()["d"]["results"],
            nlohmann::json::array());
  const Reply inputs = get("/api/Jobs('" + percent_encode(job_id) + "')/InputMediaAssets");
  EXPECT_EQ(inputs.json()["d"]["results"][0]["Id"], asset_id);

  const std::string task_id = task["Id"];
  EXPECT_EQ(get("/api/Tasks('" + percent_encode(task_id) + "')").json()["d"]["Id"], task_id);
  EXPECT_EQ(get("/api/Tasks('" + task_id + "')/InputMediaAssets").json()["d"]["results"][0]["Id"],
            asset_id);
  EXPECT_EQ(get("/api/Tasks('" + task_id + "')/OutputMediaAssets").json()["d"]["results"][0]["Id"],
            output_id);
  EXPECT_EQ(get("/api/Tasks").json()["d"]["results"].size(), 1u);
}

TEST_F(ApiServerTest, JobReadsBackInJsonLight) {
  const std::string job_id = create_job();
  const Reply job = get("/api/Jobs('" + percent_encode(job_id) + "')", light_headers());
  ASSERT_EQ(job.status, 200);
  EXPECT_EQ(job.header("content-type"),
            "application/json;odata=minimalmetadata;streaming=true;charset=utf-8");
  const auto j = job.json();
  EXPECT_EQ(j["odata.metadata"], base() + "$metadata#Jobs/@Element");
  EXPECT_EQ(j["Id"], job_id);
  EXPECT_FALSE(j.contains("__metadata"));
  EXPECT_TRUE(has_shape(j["Created"].get<std::string>(), "9999-99-99T99:99:99.999Z"))
      << j["Created"];
  EXPECT_TRUE(j["StartTime"].is_null());

  const auto list = get("/api/Jobs", light_headers()).json();
  EXPECT_EQ(list["odata.metadata"], base() + "$metadata#Jobs");
  ASSERT_EQ(list["value"].size(), 1u);
  EXPECT_EQ(list["value"][0]["Id"], job_id);

  const auto state = get("/api/Jobs('" + job_id + "')/State", light_headers()).json();
  EXPECT_EQ(state["value"], 0);
  EXPECT_EQ(state["odata.metadata"], base() + "$metadata#Edm.Int32");
}

TEST_F(ApiServerTest, JsonLightCreateWithOdataBind) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const std::string body =
      R"({"Name":"light","InputMediaAssets@odata.bind":["https://acct.restv2.westus.media.azure.net/api/Assets(')" +
      asset_id +
      R"j(')"],"Tasks":[{"Configuration":"H.264 HD 720p VBR","MediaProcessorId":"nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56","TaskBody":"<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName=\"out\">JobOutputAsset(0)</outputAsset></taskBody>"}]})j";
  const Reply created = send(http::verb::post, "/api/Jobs", body, light_headers());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["odata.metadata"], base() + "$metadata#Jobs/@Element");
  const std::string job_id = created.json()["Id"];
  EXPECT_EQ(get("/api/Jobs('" + job_id + "')/OutputMediaAssets", light_headers())
                .json()["value"][0]["Name"],
            "out");
}

TEST_F(ApiServerTest, JobsArePagedWithTopAndSkip) {
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const Reply r = send(http::verb::post, "/api/Jobs", job_page_body(asset_id));
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["d"]["Id"]);
  }
  const auto count = [&](const std::string& target) {
    const Reply r = get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? r.json()["d"]["results"].size() : size_t{999};
  };
  EXPECT_EQ(count("/api/Jobs"), 3u);
  EXPECT_EQ(count("/api/Jobs?$top=2"), 2u);
  EXPECT_EQ(count("/api/Jobs()?$skip=1&$top=1000"), 2u);
  EXPECT_EQ(count("/api/Jobs()?$skip=3"), 0u);
  EXPECT_EQ(count("/api/Jobs?$top=5000"), 3u);  // capped at 1000, not refused
  EXPECT_EQ(get("/api/Jobs?$skip=2&$top=1").json()["d"]["results"][0]["Id"],
            ids[2]);  // oldest first
  for (const char* bad :
       {"/api/Jobs?$top=-1", "/api/Jobs?$top=abc", "/api/Jobs?$skip=99999999999999999999999"}) {
    const Reply r = get(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.error_message().find('$'), std::string::npos) << r.error_message();
  }
  const Reply orderby = get("/api/Jobs?$orderby=Created%20desc");
  EXPECT_EQ(orderby.status, 400);
  EXPECT_NE(orderby.error_message().find("$orderby"), std::string::npos);
}

TEST_F(ApiServerTest, CancelJobThenCancelAgainIsRefused) {
  const std::string job_id = create_job();
  const std::string cancel = "/api/CancelJob?jobid='" + percent_encode(job_id) + "'";
  const Reply first = get(cancel);
  EXPECT_EQ(first.status, 204) << first.body;
  EXPECT_TRUE(first.body.empty());
  EXPECT_EQ(get("/api/Jobs('" + job_id + "')").json()["d"]["State"],
            5);  // Canceled: nothing was processing
  EXPECT_EQ(get(cancel).status, 400);
  EXPECT_EQ(
      get("/api/CancelJob?jobid='nb%3ajid%3aUUID%3a00000000-0000-0000-0000-000000000000'").status,
      404);
  const Reply missing = get("/api/CancelJob");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.error_message().find("jobid"), std::string::npos);
  EXPECT_EQ(get("/api/CancelJob?jobid='unterminated").status, 400);
}

TEST_F(ApiServerTest, OnlyFinalJobsCanBeDeleted) {
  const std::string job_id = create_job();
  const std::string path = "/api/Jobs('" + percent_encode(job_id) + "')";
  EXPECT_EQ(send(http::verb::delete_, path).status, 400);  // Queued: cancel first
  EXPECT_EQ(get("/api/CancelJob?jobid='" + percent_encode(job_id) + "'").status, 204);
  EXPECT_EQ(send(http::verb::delete_, path).status, 204);
  EXPECT_EQ(get(path).status, 404);
  EXPECT_EQ(send(http::verb::delete_, path).status, 404);
}

TEST_F(ApiServerTest, MergeMayOnlyChangePriority) {
  const std::string job_id = create_job();
  const std::string path = "/api/Jobs('" + percent_encode(job_id) + "')";
  const Reply rename = send(http::verb::merge, path, R"({"Name":"renamed"})");
  EXPECT_EQ(rename.status, 400);
  EXPECT_NE(rename.error_message().find("write-once"), std::string::npos) << rename.error_message();
  EXPECT_EQ(send(http::verb::merge, path, R"({"Priority":0})").status, 204);  // unchanged
  // X-HTTP-Method tunnelling: POST on an entity is MERGE.
  Headers tunnel = verbose_headers();
  tunnel["X-HTTP-Method"] = "MERGE";
  EXPECT_EQ(send(http::verb::post, path, R"({"Name":"renamed"})", tunnel).status, 400);
  EXPECT_EQ(send(http::verb::post, path, R"({"Priority":0})", tunnel).status, 204);
  EXPECT_EQ(get(path).json()["d"]["Name"], "NewTestJob");
}

TEST_F(ApiServerTest, MediaProcessorsCanBeFilteredByName) {
  const auto all = get("/api/MediaProcessors").json()["d"]["results"];
  EXPECT_EQ(all.size(), runtime::media_processors().size());
  const Reply mes = get("/api/MediaProcessors()?$filter=Name%20eq%20'Media%20Encoder%20Standard'");
  ASSERT_EQ(mes.status, 200) << mes.body;
  ASSERT_EQ(mes.json()["d"]["results"].size(), 1u);
  EXPECT_EQ(mes.json()["d"]["results"][0]["Id"],
            "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56");
  EXPECT_EQ(get("/api/MediaProcessors?$filter=Name eq 'Nothing'").json()["d"]["results"].size(),
            0u);
  EXPECT_EQ(get("/api/MediaProcessors?$filter=startswith(Name,'M')").status, 400);
  const Reply one =
      get("/api/MediaProcessors('nb%3Ampid%3AUUID%3A2f381738-c504-4e4a-a38e-d199e207fcd5')");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json()["d"]["__metadata"]["type"],
            "Microsoft.Cloud.Media.Vod.Rest.Data.Models.MediaProcessor");
}

TEST_F(ApiServerTest, CreateFileInfosRegistersFilesDroppedIntoTheAssetFolder) {
  const Reply asset = send(http::verb::post, "/api/Assets", R"({"Name":"dropped"})");
  ASSERT_EQ(asset.status, 201);
  const std::string asset_id = asset.json()["d"]["Id"];
  EXPECT_EQ(asset.json()["d"]["Uri"], "file://" + storage_.asset_dir(asset_id).string());
  std::filesystem::copy_file(std::filesystem::path(MW_MEDIA_DIR) / kClip,
                             storage_.asset_dir(asset_id) / "input.mp4");
  std::ofstream(storage_.asset_dir(asset_id) / ".partial") << "hidden files are not AssetFiles";

  const Reply r = get("/api/CreateFileInfos?assetid='" + percent_encode(asset_id) + "'");
  EXPECT_EQ(r.status, 204) << r.body;
  const auto files = get("/api/Assets('" + asset_id + "')/Files").json()["d"]["results"];
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]["Name"], "input.mp4");
  EXPECT_EQ(files[0]["IsPrimary"], true);  // the asset's only file
  EXPECT_EQ(
      files[0]["ContentFileSize"],
      std::to_string(std::filesystem::file_size(std::filesystem::path(MW_MEDIA_DIR) / kClip)));
  // Registering again adds nothing; an unknown asset is 404.
  EXPECT_EQ(get("/api/CreateFileInfos?assetid='" + percent_encode(asset_id) + "'").status, 204);
  EXPECT_EQ(get("/api/Assets('" + asset_id + "')/Files").json()["d"]["results"].size(), 1u);
  EXPECT_EQ(get("/api/CreateFileInfos?assetid='nb%3Acid%3AUUID%3Anope'").status, 404);
}

TEST_F(ApiServerTest, ResponsesCarryTheAmsHeaders) {
  Headers headers = verbose_headers();
  headers["client-request-id"] = "my-correlation-42";
  const Reply a = get("/api/MediaProcessors", headers);
  const Reply b = get("/api/MediaProcessors");
  EXPECT_TRUE(has_shape(a.header("request-id"), kGuidShape)) << a.header("request-id");
  EXPECT_EQ(a.header("x-ms-request-id"), a.header("request-id"));
  EXPECT_NE(a.header("request-id"), b.header("request-id"));
  EXPECT_EQ(a.header("client-request-id"), "my-correlation-42");
  EXPECT_EQ(b.header("client-request-id"), "");
  EXPECT_EQ(a.header("dataserviceversion"), "3.0;");
  EXPECT_EQ(a.header("content-type"), "application/json;odata=verbose;charset=utf-8");
}

TEST_F(ApiServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get("/api/Jobs").status, 200);
  EXPECT_EQ(send(http::verb::post, "/api/Assets", R"({"Name":"a"})").status, 201);
  EXPECT_EQ(client_->connections_opened(), 1);
  EXPECT_TRUE(client_->connected());
}

}  // namespace
}  // namespace mw::api::test
