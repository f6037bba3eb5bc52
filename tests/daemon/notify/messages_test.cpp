// The AMS notification messages: shape, which subscriber gets what, ETags and signatures.

#include "daemon/notify/messages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mw::notify {
namespace {

using json = nlohmann::json;
using runtime::NotificationTarget;
using runtime::State;
using store::NotificationEvent;
using store::NotificationSubscriber;
using namespace std::chrono_literals;

const runtime::TimePoint kAt{std::chrono::milliseconds(1'704'067'200'123)};

NotificationSubscriber subscriber(const std::string& id, NotificationTarget target,
                                  bool registered = true, bool progress = false) {
  NotificationSubscriber s;
  s.endpoint.id = id;
  s.endpoint.name = "hook " + id;
  s.endpoint.created = kAt - 1h;
  s.subscription = {id, target, progress};
  s.registered = registered;
  return s;
}

NotificationEvent job_event(State from, State to, int64_t seq = 7) {
  NotificationEvent e;
  e.seq = seq;
  e.kind = NotificationEvent::Kind::JobStateChange;
  e.job_id = "nb:jid:UUID:1";
  e.job_name = "My MP4 to Smooth Streaming encoding job";
  e.old_state = from;
  e.new_state = to;
  e.at = kAt;
  return e;
}

const MessageSettings kSettings{"account001", "0b6dd2a4-1c8e-4bd3-9d5e-3b2a1f0c9e77", 5s};

TEST(Messages, JobStateChangeHasTheJobPageShape) {
  const auto out = compose_messages(job_event(State::Queued, State::Scheduled),
                                    {subscriber("nep1", NotificationTarget::All)}, kSettings);
  ASSERT_EQ(out.size(), 1u);
  const json m = json::parse(out[0].body);
  EXPECT_EQ(m["MessageVersion"], "1.0");
  EXPECT_EQ(m["EventType"], "JobStateChange");
  EXPECT_EQ(m["TimeStamp"], "2024-01-01T00:00:00.123Z");
  EXPECT_EQ(m["ETag"], out[0].etag);
  EXPECT_EQ(out[0].etag.size(), 64u);
  EXPECT_EQ(out[0].etag.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(m["Properties"],
            json::parse(R"({"JobId":"nb:jid:UUID:1","JobName":"My MP4 to Smooth Streaming encoding job",
                "NewState":"Scheduled","OldState":"Queued","AccountName":"account001",
                "AccountId":"0b6dd2a4-1c8e-4bd3-9d5e-3b2a1f0c9e77"})"));
  // The body's key order is the Job page's.
  EXPECT_LT(out[0].body.find("MessageVersion"), out[0].body.find("EventType"));
  EXPECT_LT(out[0].body.find("ETag"), out[0].body.find("TimeStamp"));
}

TEST(Messages, ANewEndPointIsRegisteredFirstAndOnlyOnce) {
  const auto out = compose_messages(
      job_event(State::Queued, State::Scheduled),
      {subscriber("nep1", NotificationTarget::All, false),
       subscriber("nep1", NotificationTarget::All, false)},  // subscribed twice: one message
      kSettings);
  ASSERT_EQ(out.size(), 2u);
  const json reg = json::parse(out[0].body);
  EXPECT_TRUE(out[0].registration);
  EXPECT_EQ(reg["EventType"], "NotificationEndPointRegistration");
  EXPECT_EQ(reg["Properties"]["NotificationEndPointId"], "nep1");
  EXPECT_EQ(reg["Properties"]["State"], "Registered");
  EXPECT_EQ(reg["Properties"]["Name"], "hook nep1");
  EXPECT_EQ(reg["Properties"]["Created"], "2023-12-31T23:00:00.123Z");
  EXPECT_EQ(json::parse(out[1].body)["EventType"], "JobStateChange");
}

TEST(Messages, FinalStatesOnlyGetsFinishedErrorAndCanceledOnly) {
  const std::vector<NotificationSubscriber> both = {
      subscriber("all", NotificationTarget::All),
      subscriber("final", NotificationTarget::FinalStatesOnly)};
  const auto endpoints = [&](State from, State to) {
    std::vector<std::string> ids;
    for (const auto& m : compose_messages(job_event(from, to), both, kSettings))
      ids.push_back(m.endpoint_id);
    return ids;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(endpoints(State::Scheduled, State::Processing), ElementsAre("all"));
  EXPECT_THAT(endpoints(State::Processing, State::Canceling), ElementsAre("all"));
  EXPECT_THAT(endpoints(State::Processing, State::Finished), ElementsAre("all", "final"));
  EXPECT_THAT(endpoints(State::Processing, State::Error), ElementsAre("all", "final"));
  EXPECT_THAT(endpoints(State::Canceling, State::Canceled), ElementsAre("all", "final"));
}

TEST(Messages, ETagIsTheSameForTheSameMessageAndDiffersOtherwise) {
  const auto s = std::vector{subscriber("nep1", NotificationTarget::All)};
  const auto a = compose_messages(job_event(State::Queued, State::Scheduled, 7), s, kSettings);
  const auto again = compose_messages(job_event(State::Queued, State::Scheduled, 7), s, kSettings);
  const auto next = compose_messages(job_event(State::Queued, State::Scheduled, 8), s, kSettings);
  const auto other = compose_messages(job_event(State::Scheduled, State::Processing, 7), s,
                                      kSettings);
  EXPECT_EQ(a[0].etag, again[0].etag);
  EXPECT_EQ(a[0].body, again[0].body);
  EXPECT_NE(a[0].etag, next[0].etag);   // a requeued task's second Queued->Scheduled
  EXPECT_NE(a[0].etag, other[0].etag);
}

TEST(Messages, TaskProgressIsRateLimitedAndSentOnlyWhenThePercentChanged) {
  NotificationEvent e;
  e.seq = 3;
  e.kind = NotificationEvent::Kind::TaskProgress;
  e.job_id = "nb:jid:UUID:1";
  e.task_id = "nb:tid:UUID:2";
  e.new_state = e.old_state = State::Processing;
  e.progress = 41.7;
  e.at = kAt;
  auto s = subscriber("nep1", NotificationTarget::All, true, true);
  const auto first = compose_messages(e, {s}, kSettings);
  ASSERT_EQ(first.size(), 1u);
  const json m = json::parse(first[0].body);
  EXPECT_EQ(m["EventType"], "TaskProgress");
  EXPECT_EQ(m["Properties"]["LastComputedProgress"], "41");
  EXPECT_EQ(m["Properties"]["TaskId"], "nb:tid:UUID:2");

  s.last_progress_at = kAt - 2s;  // within the 5 s interval
  s.last_progress = 30;
  EXPECT_TRUE(compose_messages(e, {s}, kSettings).empty());
  s.last_progress_at = kAt - 6s;
  s.last_progress = 41.2;  // same integer percent
  EXPECT_TRUE(compose_messages(e, {s}, kSettings).empty());
  s.last_progress = 40;
  EXPECT_EQ(compose_messages(e, {s}, kSettings).size(), 1u);
  s.subscription.include_task_progress = false;
  EXPECT_TRUE(compose_messages(e, {s}, kSettings).empty());
}

TEST(Messages, TaskStateChangeNamesTheTaskAndEndPoint) {
  NotificationEvent e = job_event(State::Processing, State::Error);
  e.kind = NotificationEvent::Kind::TaskStateChange;
  e.task_id = "nb:tid:UUID:2";
  const auto out = compose_messages(e, {subscriber("nep1", NotificationTarget::FinalStatesOnly)},
                                    kSettings);
  ASSERT_EQ(out.size(), 1u);
  const json p = json::parse(out[0].body)["Properties"];
  EXPECT_EQ(json::parse(out[0].body)["EventType"], "TaskStateChange");
  EXPECT_EQ(p["TaskId"], "nb:tid:UUID:2");
  EXPECT_EQ(p["NewState"], "Error");
  EXPECT_EQ(p["NotificationEndPointId"], "nep1");
}

TEST(Messages, SignatureIsUpperCaseHmacSha256) {
  // RFC 4231 test case 2.
  EXPECT_EQ(signature("Jefe", "what do ya want for nothing?"),
            "sha256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Messages, DefaultAccountIdIsAStableGuid) {
  const std::string id = account_id_for("account001");
  EXPECT_EQ(id, account_id_for("account001"));
  EXPECT_NE(id, account_id_for("account002"));
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[23], '-');
  EXPECT_EQ(id[14], '5');  // RFC 4122 version 5 (name-based, SHA)
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // variant 10xx
}

}  // namespace
}  // namespace mw::notify
