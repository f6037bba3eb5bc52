// The JobStore contract, notifications: endpoints, subscriptions kept with their job and task,
// the outbox (events recorded with the state change that causes them), and the delivery queue
// (one message in flight per endpoint and job, retries, dead messages, restarts).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/daemon/store/job_store_test_support.hpp"

namespace mw::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using runtime::NotificationTarget;

TEST_P(NotificationStoreTest, EndPointsAreCreatedListedRenamedAndDeleted) {
  const auto a = make_endpoint("a", at(0s));
  const auto b = make_endpoint("b", at(1s));
  store().create_notification_endpoint(b);
  store().create_notification_endpoint(a);
  const auto found = store().find_notification_endpoint(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "a");
  EXPECT_EQ(found->endpoint_address, "http://127.0.0.1:9/a");
  EXPECT_EQ(found->signing_key, a.signing_key);  // 64 raw bytes, NULs included
  EXPECT_EQ(found->created, at(0s));
  const auto all = store().list_notification_endpoints({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, a.id);  // by Created
  store().rename_notification_endpoint(a.id, "renamed");
  EXPECT_EQ(store().find_notification_endpoint(a.id)->name, "renamed");
  store().delete_notification_endpoint(a.id);
  EXPECT_FALSE(store().find_notification_endpoint(a.id));
  EXPECT_THROW(store().delete_notification_endpoint(a.id), StoreError);
  EXPECT_THROW(store().rename_notification_endpoint(a.id, "x"), StoreError);
}

TEST_P(NotificationStoreTest, SubscriptionsAreKeptWithTheJobAndTask) {
  const auto e = make_endpoint("hook");
  store().create_notification_endpoint(e);
  const NewJob created = submit_subscribed(e, NotificationTarget::FinalStatesOnly);
  const runtime::Job j = job(created.job.id);
  ASSERT_EQ(j.notification_subscriptions.size(), 1u);
  EXPECT_EQ(j.notification_subscriptions[0].notification_endpoint_id, e.id);
  EXPECT_EQ(j.notification_subscriptions[0].target_state, NotificationTarget::FinalStatesOnly);
  const runtime::Task t = task(created.tasks[0].id);
  ASSERT_EQ(t.notification_subscriptions.size(), 1u);
  EXPECT_TRUE(t.notification_subscriptions[0].include_task_progress);
}

TEST_P(NotificationStoreTest, EveryStateChangeOfASubscribedJobIsRecordedInOrder) {
  const auto e = make_endpoint("hook");
  store().create_notification_endpoint(e);
  const NewJob created = submit_subscribed(e);
  submit();  // a job without subscriptions records nothing
  const Claim c = claim_and_start("w", at(1s));
  ASSERT_EQ(store().renew_lease(c, at(2s), 30s, 40.0), LeaseStatus::Held);
  ASSERT_TRUE(store().finish_task(c, at(3s), {}, ""));
  const Recorded r = expand();
  EXPECT_THAT(r.events, ElementsAre("Task Queued->Scheduled", "Job Queued->Scheduled",
                                    "Task Scheduled->Processing", "Job Scheduled->Processing",
                                    "Progress 40", "Task Processing->Finished",
                                    "Job Processing->Finished"));
  EXPECT_THAT(r.subscribers.front(), ElementsAre("hook*"));  // not registered yet
  EXPECT_THAT(r.subscribers.back(), ElementsAre("hook"));   // the first message registered it
  EXPECT_THAT(expand().events, IsEmpty());  // consumed
  (void)created;
}

TEST_P(NotificationStoreTest, AChainedJobReportsEachJobStateOnce) {
  const auto e = make_endpoint("hook");
  store().create_notification_endpoint(e);
  submit_subscribed(e, NotificationTarget::All, {.tasks = 2, .chained = true});
  for (int i = 0; i < 2; ++i) {
    const Claim c = claim_and_start("w", at(std::chrono::seconds(10 * i + 1)));
    ASSERT_TRUE(store().finish_task(c, at(std::chrono::seconds(10 * i + 5)), {}, ""));
  }
  std::vector<std::string> job_events;
  for (const auto& event : expand().events)
    if (event.rfind("Job ", 0) == 0) job_events.push_back(event);
  EXPECT_THAT(job_events, ElementsAre("Job Queued->Scheduled", "Job Scheduled->Processing",
                                      "Job Processing->Finished"));
}

TEST_P(NotificationStoreTest, ADeliveryAttemptClaimsItsMessageUntilItsDeadline) {
  const auto e = make_endpoint("hook");
  store().create_notification_endpoint(e);
  submit_subscribed(e);
  claim("w", at(1s));
  expand();
  const TimePoint t = std::chrono::floor<std::chrono::milliseconds>(runtime::Clock::now()) + 1h;
  const auto due = store().due_deliveries(t, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(store().claim_delivery(due[0].seq, t, t + 60s));
  EXPECT_FALSE(store().claim_delivery(due[0].seq, t, t + 60s)) << "another dispatcher has it";
  EXPECT_THAT(store().due_deliveries(t + 59s, 10), IsEmpty()) << "nor does the job's next message go";
  // The claiming dispatcher died: due again at its attempt's deadline, to anyone.
  ASSERT_EQ(store().due_deliveries(t + 60s, 10).size(), 1u);
  EXPECT_TRUE(store().claim_delivery(due[0].seq, t + 60s, t + 120s));
  store().delivery_succeeded(due[0].seq);
  EXPECT_FALSE(store().claim_delivery(due[0].seq, t + 200s, t + 260s)) << "delivered";
}

TEST_P(NotificationStoreTest, OneMessageAtATimePerEndpointAndJobInOrder) {
  const auto e = make_endpoint("hook");
  store().create_notification_endpoint(e);
  const NewJob first = submit_subscribed(e);
  const Claim c = claim("w", at(1s));  // Task and Job Queued->Scheduled: two messages
  expand();
  // Messages are due from the moment their event was committed (the database's clock).
  const TimePoint t = std::chrono::floor<std::chrono::milliseconds>(runtime::Clock::now()) + 1h;
  auto due = store().due_deliveries(t, 10);
  ASSERT_EQ(due.size(), 1u);  // the job's second message waits for its first
  EXPECT_EQ(due[0].body, "Task Queued->Scheduled");
  EXPECT_EQ(due[0].job_id, first.job.id);

  // A failed attempt: not due before its retry time, then due again with the same ETag.
  store().delivery_failed(due[0].seq, t + 60s, "HTTP 503", false);
  EXPECT_THAT(store().due_deliveries(t + 59s, 10), IsEmpty());
  EXPECT_EQ(store().next_delivery_due(), t + 60s);
  due = store().due_deliveries(t + 60s, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 1);
  const std::string etag = due[0].etag;

  // Acknowledged: the next message of the job becomes due.
  store().delivery_succeeded(due[0].seq);
  due = store().due_deliveries(t + 60s, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].body, "Job Queued->Scheduled");
  EXPECT_NE(due[0].etag, etag);

  // Given up: dead messages leave the queue and are counted.
  store().delivery_failed(due[0].seq, t + 61s, "too old", true);
  EXPECT_THAT(store().due_deliveries(t + 100s, 10), IsEmpty());
  EXPECT_FALSE(store().next_delivery_due());
  const NotificationCounts counts = store().notification_counts();
  EXPECT_EQ(counts.pending, 0);
  EXPECT_EQ(counts.delivered, 1);
  EXPECT_EQ(counts.dead, 1);
  (void)c;
}

TEST_P(NotificationStoreTest, EventSequenceNumbersAreNeverReused) {
  // They are part of the messages' ETags: a requeued task's second Queued->Scheduled must not
  // look like a redelivery of the first.
  const auto e = make_endpoint("hook");
  store().create_notification_endpoint(e);
  submit_subscribed(e);
  std::vector<int64_t> seqs;
  const auto record = [&](const NotificationEvent& event, const std::vector<NotificationSubscriber>&) {
    seqs.push_back(event.seq);
    return std::vector<OutboxMessage>{};
  };
  const Claim first = claim("w", at(1s));
  store().expand_notifications(record, 100);  // the outbox is empty again afterwards
  store().requeue_expired(at(100s), 3);      // the lease ran out: Scheduled -> Queued
  claim("w", at(101s));
  reopen();
  store().expand_notifications(record, 100);
  ASSERT_EQ(seqs.size(), 6u);  // task and job, three changes each
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end());
  (void)first;
}

TEST_P(NotificationStoreTest, QueuedMessagesAndEventsSurviveAReopen) {
  const auto e = make_endpoint("hook");
  store().create_notification_endpoint(e);
  submit_subscribed(e);
  claim("w", at(1s));  // two events, not yet expanded
  reopen();
  EXPECT_EQ(expand().events.size(), 2u);
  reopen();
  EXPECT_EQ(store().due_deliveries(runtime::Clock::now() + 1h, 10).size(), 1u);
  EXPECT_EQ(store().notification_counts().pending, 2);
}

TEST_P(NotificationStoreTest, DeletingAnEndPointDropsItsQueueButNotTheOthers) {
  const auto gone = make_endpoint("gone");
  const auto kept = make_endpoint("kept");
  store().create_notification_endpoint(gone);
  store().create_notification_endpoint(kept);
  NewJob job = make_job(input_asset());
  job.job.notification_subscriptions = {{gone.id, NotificationTarget::All, false},
                                        {kept.id, NotificationTarget::All, false}};
  store().create_job(job);
  claim("w", at(1s));
  expand();
  store().delete_notification_endpoint(gone.id);
  const auto due = store().due_deliveries(runtime::Clock::now() + 1h, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].endpoint_id, kept.id);
  // The job keeps both subscriptions (fixed after creation).
  EXPECT_EQ(this->job(job.job.id).notification_subscriptions.size(), 2u);
}

}  // namespace

}  // namespace mw::store::test
