// Webhook notifications end to end: the real daemon, real receivers on loopback
// (tests/support/test_http_server.hpp), the AMS v2 Job page's message sequence with valid
// signatures, a receiver that is down and one that never answers, and a daemon restart between
// a state change and its delivery. Waits are on the receivers' requests and the daemon's log.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/daemon.hpp"
#include "tests/support/test_http_server.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kMedia = MW_MEDIA_DIR;
const std::string kClip = kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4";
constexpr const char* kJobPageProcessor = "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5";
constexpr const char* kTaskBody =
    "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)"
    "</outputAsset></taskBody>";
// 64 bytes, base64: the signing key the tests give their endpoints.
const std::string kKey(64, 'k');
const std::string kKeyBase64 =
    "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2traw==";
// Fast retries for the tests; a 30 s POST timeout so that a hanging receiver stays hung.
const std::string kConfig =
    "worker:\n  slots: 1\nnotifications:\n  retry_initial_seconds: 0.2\n"
    "  retry_max_seconds: 0.5\n  timeout_seconds: 30\n";

std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  static const char* digits = "0123456789ABCDEF";
  std::string hex;
  for (unsigned i = 0; i < size; ++i) {
    hex += digits[mac[i] >> 4];
    hex += digits[mac[i] & 15];
  }
  return hex;
}

// A port nothing listens on (yet): bound, read and released.
unsigned short unused_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  return a.local_endpoint().port();
}

// "Registration", "Queued->Scheduled", ... per acknowledged message.
std::string describe(const json& m) {
  if (m["EventType"] == "NotificationEndPointRegistration") return "Registration";
  if (m["EventType"] == "TaskProgress") return "Progress";
  std::string s = m["Properties"]["OldState"].get<std::string>() + "->" +
                  m["Properties"]["NewState"].get<std::string>();
  return m["EventType"] == "TaskStateChange" ? "Task " + s : s;
}

// A receiver whose answers a test can change; it records what it acknowledged (2xx).
class Receiver {
 public:
  explicit Receiver(unsigned short port = 0)
      : server_([this](const RecordedRequest& r) { return answer(r); }, port) {}
  std::string url() const { return server_.url() + "/hook"; }
  void answer_with(int status) { status_ = status; }
  void hang() { hang_ = true; }
  std::vector<RecordedRequest> requests() const { return server_.requests(); }
  /// The acknowledged messages, in arrival order.
  std::vector<json> acknowledged() const {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::vector<std::string> acknowledged_events() const {
    std::vector<std::string> out;
    for (const auto& m : acknowledged()) out.push_back(describe(m));
    return out;
  }
  /// Waits until a message describing `last` ("Processing->Finished") was acknowledged.
  bool wait_acknowledged(const std::string& last, std::chrono::milliseconds timeout) const {
    return server_.wait_for(
        [&](const std::vector<RecordedRequest>&) {
          std::lock_guard lock(mutex_);
          for (const auto& m : acknowledged_)
            if (describe(m) == last) return true;
          return false;
        },
        timeout);
  }

 private:
  CannedResponse answer(const RecordedRequest& r) {
    if (hang_) {
      CannedResponse silent;
      silent.never_answer = true;
      return silent;
    }
    const int status = status_;
    if (status >= 200 && status < 300) {
      std::lock_guard lock(mutex_);
      acknowledged_.push_back(json::parse(r.body));
    }
    CannedResponse response;
    response.status = status;
    return response;
  }

  std::atomic<int> status_{200};
  std::atomic<bool> hang_{false};
  mutable std::mutex mutex_;
  std::vector<json> acknowledged_;
  TestHttpServer server_;  // last: its thread stops before the members above go
};

std::string create_endpoint(const DaemonProcess& daemon, const std::string& url,
                            bool signed_ = true) {
  json body = {{"Name", "hook"}, {"EndPointType", 3}, {"EndPointAddress", url}};
  if (signed_) {
    body["CredentialType"] = 1;
    body["SigningKey"] = kKeyBase64;
  }
  const HttpResponse r = daemon.request("POST", "/api/NotificationEndPoints", body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return json::parse(r.body)["d"]["Id"];
}

std::string create_job(const DaemonProcess& daemon, const std::string& asset,
                       const std::vector<std::string>& endpoints, int target = 2) {
  json subscriptions = json::array();
  for (const auto& e : endpoints)
    subscriptions.push_back({{"NotificationEndPointId", e}, {"TargetJobState", target}});
  const json body = {
      {"Name", "My MP4 to Smooth Streaming encoding job"},
      {"InputMediaAssets",
       {{{"__metadata", {{"uri", "https://x/api/Assets('" + url_encode(asset) + "')"}}}}}},
      {"JobNotificationSubscriptions", subscriptions},
      {"Tasks",
       {{{"Configuration", "H.264 HD 720p VBR"},
         {"MediaProcessorId", kJobPageProcessor},
         {"TaskBody", kTaskBody}}}}};
  const HttpResponse r = daemon.request("POST", "/api/Jobs", body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return json::parse(r.body)["d"]["Id"];
}

const std::vector<std::string> kJobPageSequence = {"Registration", "Queued->Scheduled",
                                                   "Scheduled->Processing",
                                                   "Processing->Finished"};

TEST(ServeNotifications, JobPageSequenceArrivesInOrderSigned) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), kConfig);
  daemon.start();
  Receiver all, final_only;
  const std::string nep = create_endpoint(daemon, all.url());
  const std::string final_nep = create_endpoint(daemon, final_only.url(), false);
  const std::string asset = daemon.upload(kClip);
  const std::string job = create_job(daemon, asset, {nep});
  create_job(daemon, asset, {final_nep}, 1);

  ASSERT_TRUE(all.wait_acknowledged("Processing->Finished", 120s)) << daemon.log();
  EXPECT_EQ(all.acknowledged_events(), kJobPageSequence);
  const std::string account_id = all.acknowledged().back()["Properties"]["AccountId"];
  EXPECT_EQ(account_id.size(), 36u);  // a GUID
  for (const auto& r : all.requests()) {
    const json m = json::parse(r.body);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.header("ms-signature"), "sha256=" + hmac_hex(kKey, r.body)) << r.body;
    EXPECT_EQ(r.header("ms-mediaservices-accountid"), account_id);
    EXPECT_EQ(m["ETag"].get<std::string>().size(), 64u);
    EXPECT_EQ(m["MessageVersion"], "1.0");
    if (m["EventType"] == "JobStateChange") {
      EXPECT_EQ(m["Properties"]["JobId"], job);
      EXPECT_EQ(m["Properties"]["JobName"], "My MP4 to Smooth Streaming encoding job");
      EXPECT_EQ(m["Properties"]["AccountName"], "mediaworker");  // api.account_name's default
    } else {
      EXPECT_EQ(m["Properties"]["NotificationEndPointId"], nep);
    }
  }
  // FinalStatesOnly: the registration and Finished only, unsigned (no key).
  ASSERT_TRUE(final_only.wait_acknowledged("Processing->Finished", 120s)) << daemon.log();
  EXPECT_EQ(final_only.acknowledged_events(),
            (std::vector<std::string>{"Registration", "Processing->Finished"}));
  EXPECT_EQ(final_only.requests().front().header("ms-signature"), "");
}

// The Job page's $batch request (fuzz/corpus/fuzz_multipart/job-page-batch.http: its
// Content-Type on the first line, then the body) with this daemon's base URL, `asset` and
// `endpoint` in place of the placeholders; `break_task` spoils the Task part's TaskBody.
std::pair<std::string, std::string> job_page_batch(const DaemonProcess& daemon,
                                                   const std::string& asset,
                                                   const std::string& endpoint,
                                                   bool break_task = false) {
  std::ifstream in(MW_SOURCE_DIR "/fuzz/corpus/fuzz_multipart/job-page-batch.http",
                   std::ios::binary);
  const std::string seed{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::string body = seed.substr(seed.find('\n') + 1);
  const auto replace_all = [&](const std::string& from, const std::string& to) {
    for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + to.size()))
      body.replace(at, from.size(), to);
  };
  replace_all("@BASE@", "http://127.0.0.1:" + std::to_string(daemon.port()) + "/api/");
  replace_all("@ASSET@", url_encode(asset));
  replace_all("@NEP@", endpoint);
  if (break_task) replace_all("JobInputAsset(0)</inputAsset>", "JobInputAsset(5)</inputAsset>");
  return {seed.substr(0, seed.find('\n')), body};
}

TEST(ServeNotifications, JobPageBatchRequestCreatesItsJobAndItsReceiverGetsTheSequence) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), kConfig);
  daemon.start();
  Receiver receiver;
  const std::string nep = create_endpoint(daemon, receiver.url());
  const std::string asset = daemon.upload(kClip);

  // A changeset whose Task part fails creates nothing.
  const auto [broken_type, broken] = job_page_batch(daemon, asset, nep, true);
  const HttpResponse refused = daemon.request("POST", "/api/$batch", broken,
                                              {{"Content-Type", broken_type}});
  EXPECT_EQ(refused.status, 202) << refused.body;
  EXPECT_NE(refused.body.find("HTTP/1.1 400"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("JobInputAsset(5)"), std::string::npos) << refused.body;
  EXPECT_TRUE(json::parse(daemon.request("GET", "/api/Jobs").body)["d"]["results"].empty());

  const auto [type, body] = job_page_batch(daemon, asset, nep);
  const HttpResponse r = daemon.request("POST", "/api/$batch", body, {{"Content-Type", type}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.headers.at("content-type").rfind("multipart/mixed; boundary=batchresponse_", 0), 0u);
  EXPECT_NE(r.body.find("HTTP/1.1 201 Created"), std::string::npos) << r.body;
  const json jobs = json::parse(daemon.request("GET", "/api/Jobs").body)["d"]["results"];
  ASSERT_EQ(jobs.size(), 1u);
  const std::string job = jobs[0]["Id"];
  EXPECT_EQ(jobs[0]["JobNotificationSubscriptions"]["results"][0]["NotificationEndPointId"], nep);

  ASSERT_TRUE(receiver.wait_acknowledged("Processing->Finished", 120s)) << daemon.log();
  EXPECT_EQ(receiver.acknowledged_events(), kJobPageSequence);
  for (const auto& request : receiver.requests())
    EXPECT_EQ(request.header("ms-signature"), "sha256=" + hmac_hex(kKey, request.body));
  EXPECT_EQ(receiver.acknowledged().back()["Properties"]["JobId"], job);
  const json files = json::parse(
      daemon.request("GET", "/api/Jobs('" + url_encode(job) + "')/OutputMediaAssets").body);
  EXPECT_EQ(files["d"]["results"].size(), 1u);
}

TEST(ServeNotifications, ReceiverThatFailsAndIsDownAtFirstGetsEveryMessageWithTheSameETags) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), kConfig);
  daemon.start();
  // One receiver answers 503 for a while; the other is not listening at all.
  Receiver failing;
  failing.answer_with(503);
  const unsigned short down_port = unused_port();
  const std::string failing_nep = create_endpoint(daemon, failing.url());
  // Its URL carries a password, which the log of the failed attempts must not show.
  const std::string down_nep = create_endpoint(
      daemon, "http://alice:S3cretPw@127.0.0.1:" + std::to_string(down_port) + "/hook");
  const std::string job = create_job(daemon, daemon.upload(kClip), {failing_nep, down_nep});
  ASSERT_TRUE(daemon.wait_for_log("of job " + job + ": finished", 120s)) << daemon.log();
  // The failing receiver has seen the registration several times (retries), nothing after it.
  ASSERT_TRUE(failing.requests().size() >= 2 ||
              daemon.wait_for_log("failed (attempt 2)", 30s))
      << daemon.log();

  failing.answer_with(200);
  Receiver back_up(down_port);
  ASSERT_TRUE(failing.wait_acknowledged("Processing->Finished", 60s)) << daemon.log();
  ASSERT_TRUE(back_up.wait_acknowledged("Processing->Finished", 60s)) << daemon.log();
  EXPECT_EQ(failing.acknowledged_events(), kJobPageSequence);
  EXPECT_EQ(back_up.acknowledged_events(), kJobPageSequence);
  // Every attempt of one message carried the same ETag and body.
  std::map<std::string, std::set<std::string>> bodies_by_etag;
  for (const auto& r : failing.requests())
    bodies_by_etag[json::parse(r.body)["ETag"]].insert(r.body);
  EXPECT_EQ(bodies_by_etag.size(), 4u);
  for (const auto& [etag, bodies] : bodies_by_etag) EXPECT_EQ(bodies.size(), 1u) << etag;
  EXPECT_GT(failing.requests().size(), 4u);  // the registration was retried
  EXPECT_EQ(daemon.log().find("S3cretPw"), std::string::npos);
  EXPECT_NE(daemon.log().find("http://alice:***@127.0.0.1:" + std::to_string(down_port)),
            std::string::npos);
}

TEST(ServeNotifications, RestartBetweenStateChangeAndDeliveryLosesNothing) {
  TempDir dir;
  const unsigned short port = unused_port();
  std::string job;
  {
    DaemonProcess first(dir.path(), kConfig);
    first.start();
    const std::string nep =
        create_endpoint(first, "http://127.0.0.1:" + std::to_string(port) + "/hook");
    job = create_job(first, first.upload(kClip), {nep});
    ASSERT_TRUE(first.wait_for_log("of job " + job + ": finished", 120s)) << first.log();
    first.kill_now();  // the messages are still queued: nobody was listening
  }
  Receiver receiver(port);
  DaemonProcess second(dir.path(), kConfig);
  second.start();
  ASSERT_TRUE(receiver.wait_acknowledged("Processing->Finished", 60s)) << second.log();
  EXPECT_EQ(receiver.acknowledged_events(), kJobPageSequence);
  EXPECT_EQ(receiver.acknowledged().back()["Properties"]["JobId"], job);
}

TEST(ServeNotifications, HangingReceiverDelaysNeitherTheEncodeNorOtherReceivers) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), kConfig);
  daemon.start();
  Receiver hanging, healthy;
  hanging.hang();
  const std::string hanging_nep = create_endpoint(daemon, hanging.url());
  const std::string healthy_nep = create_endpoint(daemon, healthy.url());
  const auto created = std::chrono::steady_clock::now();
  const std::string job = create_job(daemon, daemon.upload(kClip), {hanging_nep, healthy_nep});
  ASSERT_TRUE(healthy.wait_acknowledged("Processing->Finished", 120s)) << daemon.log();
  // Well within the hanging receiver's 30 s POST timeout: nothing waited for it.
  EXPECT_LT(std::chrono::steady_clock::now() - created, 25s);
  EXPECT_EQ(healthy.acknowledged_events(), kJobPageSequence);
  // The hanging receiver holds its first message; the job's next ones wait behind it (order).
  EXPECT_EQ(hanging.requests().size(), 1u);
  const json task =
      json::parse(daemon.request("GET", "/api/Jobs('" + url_encode(job) + "')/Tasks").body)["d"]
                                                                                       ["results"][0];
  EXPECT_EQ(task["State"], 3);
}

}  // namespace
}  // namespace mw::test
