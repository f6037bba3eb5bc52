// NotificationEndPoints and notification subscriptions over HTTP: creation, the key never
// returned, rename, delete, and the 400s AMS clients get (AzureQueue, TargetJobState 0, unknown
// endpoints, bad keys), with nothing persisted on error.

#include <gtest/gtest.h>

#include "tests/daemon/api/api_fixture.hpp"

namespace mw::api::test {
namespace {

// base64 of 64 bytes.
const std::string kKey =
    "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2traw==";

class NotificationApiTest : public ApiFixture {
 protected:
  std::string create_endpoint(const std::string& body) {
    const Reply r = send(http::verb::post, "/api/NotificationEndPoints", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["d"]["Id"];
  }
  // The Job page's create body with `subscriptions` added as JobNotificationSubscriptions and
  // `task_subscriptions` as the task's TaskNotificationSubscriptions.
  std::string job_with(const std::string& asset_id, const std::string& subscriptions,
                       const std::string& task_subscriptions = "[]") {
    std::string body = job_page_body(asset_id);
    body.insert(body.find(R"("Tasks")"), R"("JobNotificationSubscriptions":)" + subscriptions + ",");
    body.insert(body.find(R"("TaskBody")"),
                R"("TaskNotificationSubscriptions":)" + task_subscriptions + ",");
    return body;
  }
};

TEST_F(NotificationApiTest, WebHookEndPointIsCreatedReadRenamedAndDeletedWithoutItsKey) {
  const Reply created = send(http::verb::post, "/api/NotificationEndPoints",
                             R"({"Name":"hook","EndPointType":3,"EndPointAddress":"https://receiver.example/hook",
                                 "CredentialType":1,"SigningKey":")" + kKey + R"("})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["d"]["Id"];
  EXPECT_EQ(id.rfind("nb:nepid:UUID:", 0), 0u);
  EXPECT_NE(created.headers.at("location").find("/api/NotificationEndPoints('nb%3Anepid%3AUUID%3A"),
            std::string::npos);
  const std::string target = "/api/NotificationEndPoints('" + percent_encode(id) + "')";
  const auto entity = get(target).json()["d"];
  EXPECT_EQ(entity["Name"], "hook");
  EXPECT_EQ(entity["EndPointType"], 3);
  EXPECT_EQ(entity["EndPointAddress"], "https://receiver.example/hook");
  EXPECT_EQ(entity["CredentialType"], 1);
  EXPECT_TRUE(entity["EncryptedEndPointCredential"].is_null());
  EXPECT_EQ(get(target).body.find(kKey.substr(0, 20)), std::string::npos);
  EXPECT_EQ(get("/api/NotificationEndPoints").json()["d"]["results"].size(), 1u);

  EXPECT_EQ(send(http::verb::merge, target, R"({"Name":"renamed"})").status, 204);
  EXPECT_EQ(get(target).json()["d"]["Name"], "renamed");
  expect_ams_error(send(http::verb::merge, target, R"({"EndPointAddress":"http://x/"})"), 400,
                   "EndPointAddress: NotificationEndPoint.EndPointAddress is fixed after creation");
  EXPECT_EQ(send(http::verb::delete_, target).status, 204);
  EXPECT_EQ(get(target).status, 404);
}

TEST_F(NotificationApiTest, BadEndPointsGet400NamingThePropertyAndPersistNothing) {
  struct Case {
    std::string body, message;
  };
  const std::vector<Case> cases = {
      {R"({"Name":"q","EndPointType":1,"EndPointAddress":"myqueue"})",
       "EndPointType: AzureQueue 1 is not available: this on-premises service has no Azure queues"},
      {R"({"Name":"q","EndPointType":2,"EndPointAddress":"http://x/"})", "EndPointType: 2"},
      {R"({"EndPointType":3,"EndPointAddress":"http://x/"})", "Name: required"},
      {R"({"Name":"q","EndPointType":3})", "EndPointAddress: required"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"ftp://x/"})",
       "EndPointAddress: 'ftp://x/' is not an http:// or https:// URL"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http:///path"})", "has no host"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://h:99999/"})",
       "EndPointAddress: 'http://h:99999/' is not a valid URL"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://[::1/x"})", "is not a valid URL"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://@/"})", "is not a valid URL"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://h\\@evil/"})", "backslashes"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://x/","CredentialType":1,"SigningKey":"===="})",
       "SigningKey: not valid base64"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://x/","CredentialType":1})",
       "SigningKey: CredentialType SigningKey 1 needs the key"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://x/","CredentialType":1,"SigningKey":"c2hvcnQ="})",
       "SigningKey: the key is 5 bytes; a signing key is 64 bytes"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://x/","CredentialType":1,"SigningKey":"!!!!"})",
       "SigningKey: not valid base64"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://x/","CredentialType":0,"SigningKey":")" +
           kKey + R"("})",
       "SigningKey: a signing key needs CredentialType SigningKey 1"},
      {R"({"Name":"q","EndPointType":3,"EndPointAddress":"http://x/","Colour":1})", "'Colour'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    expect_ams_error(send(http::verb::post, "/api/NotificationEndPoints", c.body), 400, c.message);
  }
  EXPECT_TRUE(get("/api/NotificationEndPoints").json()["d"]["results"].empty());
}

TEST_F(NotificationApiTest, SubscriptionsAreStoredAndReturnedWithTheJobAndTask) {
  const std::string nep = create_endpoint(
      R"({"Name":"hook","EndPointType":3,"EndPointAddress":"http://127.0.0.1:9/hook"})");
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const Reply created = send(
      http::verb::post, "/api/Jobs",
      job_with(asset_id, R"([{"NotificationEndPointId":")" + nep + R"(","TargetJobState":1}])",
               R"([{"NotificationEndPointId":")" + nep +
                   R"(","TargetTaskState":2,"IncludeTaskProgress":true}])"));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto job = created.json()["d"];
  EXPECT_EQ(job["JobNotificationSubscriptions"]["results"][0]["NotificationEndPointId"], nep);
  EXPECT_EQ(job["JobNotificationSubscriptions"]["results"][0]["TargetJobState"], 1);
  const auto task =
      get("/api/Jobs('" + percent_encode(job["Id"].get<std::string>()) + "')/Tasks").json()["d"]["results"][0];
  EXPECT_EQ(task["TaskNotificationSubscriptions"]["results"][0]["IncludeTaskProgress"], true);
  EXPECT_EQ(task["TaskNotificationSubscriptions"]["results"][0]["TargetTaskState"], 2);
}

TEST_F(NotificationApiTest, BadSubscriptionsGet400AndCreateNoJob) {
  const std::string nep = create_endpoint(
      R"({"Name":"hook","EndPointType":3,"EndPointAddress":"http://127.0.0.1:9/hook"})");
  const std::string asset_id = upload(std::filesystem::path(MW_MEDIA_DIR) / kClip).first;
  const std::string unknown = "nb:nepid:UUID:00000000-0000-0000-0000-000000000000";
  struct Case {
    std::string jobs, tasks, message;
  };
  const std::vector<Case> cases = {
      {R"([{"NotificationEndPointId":")" + nep + R"(","TargetJobState":0}])", "[]",
       "JobNotificationSubscriptions[0].TargetJobState: "
       "JobNotificationSubscription.TargetJobState must not be 0"},
      {R"([{"NotificationEndPointId":")" + nep + R"(","TargetJobState":3}])", "[]",
       "TargetJobState: 3 is not FinalStatesOnly 1 or All 2"},
      {R"([{"NotificationEndPointId":")" + unknown + R"(","TargetJobState":2}])", "[]",
       "JobNotificationSubscriptions[0].NotificationEndPointId: NotificationEndPoint '" + unknown +
           "' does not exist"},
      {R"([{"TargetJobState":2}])", "[]",
       "JobNotificationSubscriptions[0].NotificationEndPointId: required"},
      {R"({"x":1})", "[]", "JobNotificationSubscriptions: expected an array"},
      {"[]", R"([{"NotificationEndPointId":")" + unknown + R"(","TargetTaskState":2}])",
       "Tasks[0].TaskNotificationSubscriptions[0].NotificationEndPointId"},
      {"[]", R"([{"NotificationEndPointId":")" + nep + R"(","TargetTaskState":0}])",
       "TaskNotificationSubscription.TargetTaskState must not be 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    expect_ams_error(send(http::verb::post, "/api/Jobs", job_with(asset_id, c.jobs, c.tasks)),
                     400, c.message);
  }
  EXPECT_TRUE(get("/api/Jobs").json()["d"]["results"].empty());
}

}  // namespace
}  // namespace mw::api::test
