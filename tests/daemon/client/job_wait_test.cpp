// wait_for_job: polls until a final state, a timeout or a stop, against a scripted service.

#include "daemon/client/job_wait.hpp"

#include <gtest/gtest.h>

#include "tests/daemon/client/fake_ams.hpp"

namespace mw::client {
namespace {

using test::RouteTable;
using test::TestHttpServer;

constexpr const char* kJobId = "nb:jid:UUID:j1";
const std::string kJobPath = "/api/Jobs('nb%3Ajid%3AUUID%3Aj1')";

TEST(JobWait, PollsUntilFinishedAndReportsEveryPoll) {
  RouteTable routes;
  routes.on("GET", kJobPath,
            {test::verbose_entity(test::job_entity(kJobId, 0)),
             test::verbose_entity(test::job_entity(kJobId, 2)),
             test::verbose_entity(test::job_entity(kJobId, 3))});
  routes.on("GET", kJobPath + "/Tasks",
            {test::verbose_results({test::task_entity("nb:tid:UUID:t", 0, 0)}),
             test::verbose_results({test::task_entity("nb:tid:UUID:t", 2, 40)}),
             test::verbose_results({test::task_entity("nb:tid:UUID:t", 3, 100)})});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  std::vector<double> progress;
  const WaitResult result =
      wait_for_job(client, kJobId, {std::chrono::milliseconds(1), std::chrono::milliseconds(0)},
                   [&](const JobSnapshot& s) { progress.push_back(s.tasks.at(0).progress); }, {});
  EXPECT_EQ(result.end, WaitEnd::Final);
  EXPECT_EQ(result.last.job.state, State::Finished);
  EXPECT_EQ(progress, (std::vector<double>{0, 40, 100}));
  EXPECT_EQ(server.requests().size(), 6u);  // job then tasks, three times
}

TEST(JobWait, GivesUpAtTheTimeout) {
  RouteTable routes;
  routes.on("GET", kJobPath, {test::verbose_entity(test::job_entity(kJobId, 2))});
  routes.on("GET", kJobPath + "/Tasks",
            {test::verbose_results({test::task_entity("nb:tid:UUID:t", 2, 10)})});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  const WaitResult result = wait_for_job(
      client, kJobId, {std::chrono::milliseconds(2), std::chrono::milliseconds(30)}, {}, {});
  EXPECT_EQ(result.end, WaitEnd::TimedOut);
  EXPECT_EQ(result.last.job.state, State::Processing);
}

TEST(JobWait, AStopRequestEndsTheWaitWithoutAnotherPoll) {
  RouteTable routes;
  routes.on("GET", kJobPath, {test::verbose_entity(test::job_entity(kJobId, 2))});
  routes.on("GET", kJobPath + "/Tasks",
            {test::verbose_results({test::task_entity("nb:tid:UUID:t", 2, 10)})});
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  std::stop_source stop;
  // A long poll interval: only the stop request can end the wait quickly.
  const WaitResult result = wait_for_job(
      client, kJobId, {std::chrono::hours(1), std::chrono::milliseconds(0)},
      [&](const JobSnapshot&) { stop.request_stop(); }, stop.get_token());
  EXPECT_EQ(result.end, WaitEnd::Stopped);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(JobWait, UnknownJobRaisesTheHttpError) {
  RouteTable routes;  // every request gets the AMS 404
  TestHttpServer server([&routes](const test::RecordedRequest& r) { return routes(r); });
  AmsClient client({server.url(), "t"});
  try {
    wait_for_job(client, kJobId, {}, {}, {});
    FAIL() << "no error";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Http);
    EXPECT_EQ(e.http_status(), 404);
  }
}

}  // namespace
}  // namespace mw::client
