// PgJobStore: runs the JobStore contract suite on it, plus what only PostgreSQL has (the schema
// version table, refusing a newer schema, two stores claiming concurrently with SKIP LOCKED).
//
// The server: tests/support/pg_server.hpp (a throwaway cluster started for this program, or a
// database of its own on MW_TEST_PG_URL's server). Each store factory scratch folder gets its own
// schema (mwtest_<random>, remembered in the folder so a reopen finds the same data), selected
// through the URL's options=-csearch_path; the schemas are dropped when the test program ends.
// When no server can be had every test here is skipped, printing why.

#include "daemon/store/pg_job_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include "daemon/store/pg_db.hpp"
#include "daemon/store/pg_migrations.hpp"
#include "tests/daemon/store/job_store_test_support.hpp"
#include "tests/support/pg_server.hpp"

namespace mw::store::test {
namespace {

using ::testing::HasSubstr;

/// The test server's database URL, or "" when there is no server.
std::string server_url() {
  const auto& server = mw::test::PgServer::shared();
  return server.available() ? server.url() : "";
}

std::string skip_reason() {
  const auto& server = mw::test::PgServer::shared();
  return server.available() ? "" : "no PostgreSQL server: " + server.reason();
}

/// The schemas this program created, dropped at its end.
class Schemas : public ::testing::Environment {
 public:
  static Schemas& instance() {
    static Schemas* schemas = [] {
      auto* created = new Schemas;  // owned by gtest once registered
      ::testing::AddGlobalTestEnvironment(created);
      return created;
    }();
    return *schemas;
  }

  /// A new empty schema's name.
  std::string create() {
    std::string name = "mwtest_";
    {
      std::lock_guard lock(mutex_);
      name += std::to_string(std::uniform_int_distribution<uint64_t>()(random_));
      names_.push_back(name);
    }
    pqxx::connection connection(server_url());
    pqxx::nontransaction work(connection);
    work.exec("CREATE SCHEMA " + work.quote_name(name));
    return name;
  }

  void TearDown() override {
    if (names_.empty()) return;
    pqxx::connection connection(server_url());
    pqxx::nontransaction work(connection);
    for (const auto& name : names_)
      work.exec("DROP SCHEMA IF EXISTS " + work.quote_name(name) + " CASCADE");
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 random_{std::random_device{}()};
  std::vector<std::string> names_;
};

// Registered before main (gtest allows it), so its TearDown runs at the end of the program.
[[maybe_unused]] Schemas& registered_schemas = Schemas::instance();

/// The server URL with search_path set to `schema` (and the schema as application_name, so that
/// a test can find its store's connections in pg_stat_activity).
std::string url_with_schema(const std::string& schema) {
  const std::string url = server_url();
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + "options=-csearch_path%3D" + schema + "&application_name=" + schema;
}

/// The schema of a scratch folder (created at the first open, reused when reopened).
std::string schema_of(const std::filesystem::path& scratch) {
  const auto file = scratch / "pg_schema";
  std::string name;
  if (std::ifstream in(file); in >> name) return name;
  name = Schemas::instance().create();
  std::ofstream(file) << name;
  return name;
}

StoreFactory pg_store_factory() {
  return {"Postgres",
          [](const std::filesystem::path& scratch) -> std::unique_ptr<JobStore> {
            return std::make_unique<PgJobStore>(url_with_schema(schema_of(scratch)));
          },
          skip_reason};
}

const auto kName = [](const ::testing::TestParamInfo<StoreFactory>& factory) {
  return factory.param.name;
};
INSTANTIATE_TEST_SUITE_P(Postgres, JobStoreTest, ::testing::Values(pg_store_factory()), kName);
INSTANTIATE_TEST_SUITE_P(Postgres, FarmStoreTest, ::testing::Values(pg_store_factory()), kName);
INSTANTIATE_TEST_SUITE_P(Postgres, NotificationStoreTest, ::testing::Values(pg_store_factory()),
                         kName);

class PgJobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = skip_reason(); !reason.empty()) GTEST_SKIP() << reason;
    url_ = url_with_schema(schema_of(dir_.path()));
  }
  mw::test::TempDir dir_;
  std::string url_;
};

TEST_F(PgJobStoreTest, SchemaIsAppliedOnceAndKeptAcrossReopen) {
  { EXPECT_EQ(PgJobStore(url_).schema_version(), pg::latest_schema_version()); }
  { EXPECT_EQ(PgJobStore(url_).schema_version(), pg::latest_schema_version()); }
  pqxx::connection raw(url_);
  pqxx::nontransaction work(raw);
  EXPECT_EQ(work.exec("SELECT COUNT(*) FROM schema_version")[0][0].as<int>(),
            pg::latest_schema_version());
}

TEST_F(PgJobStoreTest, AnotherHostsNewJobWakesThisStoresListener) {
  PgJobStore api(url_), worker(url_);
  std::mutex m;
  std::condition_variable cv;
  int calls = 0;
  worker.set_change_listener([&] {
    std::lock_guard lock(m);
    ++calls;
    cv.notify_all();
  });
  const auto wait_for_call = [&](int after) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return calls > after; });
  };
  ASSERT_TRUE(wait_for_call(0)) << "the listener is called once it listens";
  int before;
  {
    std::lock_guard lock(m);
    before = calls;
  }
  const auto asset = make_asset("input");
  api.create_asset(asset);
  api.create_job(make_job(asset.id));  // committed by the other store: NOTIFY mw_work
  EXPECT_TRUE(wait_for_call(before)) << "no wake-up within 5 s";
  worker.set_change_listener({});  // stops the listening thread before `calls` goes
}

TEST_F(PgJobStoreTest, TakingBackExpiredLeasesPassesOverAJobAnotherSessionHolds) {
  // A worker stalled inside its finishing transaction holds the job's row: the other hosts'
  // maintenance must neither wait for it nor take the task from under it.
  PgJobStore store(url_);
  const auto asset = make_asset("input");
  store.create_asset(asset);
  const NewJob job = make_job(asset.id);
  store.create_job(job);
  const auto claim = store.claim_task("w1", kT0, std::chrono::seconds(30));
  ASSERT_TRUE(claim);
  pqxx::connection stalled(url_);
  pqxx::work holding(stalled);
  holding.exec("SELECT 1 FROM jobs WHERE id = " + holding.quote(job.job.id) + " FOR UPDATE");

  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(store.requeue_expired(at(60s), 3).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << "it waited for the lock";
  holding.commit();
  EXPECT_THAT(store.requeue_expired(at(60s), 3), ::testing::ElementsAre(claim->task_id));
}

TEST_F(PgJobStoreTest, NewerSchemaIsRefusedWithTheDatabaseAndVersions) {
  { PgJobStore store(url_); }
  {
    pqxx::connection raw(url_);
    pqxx::nontransaction work(raw);
    work.exec("INSERT INTO schema_version (version, applied_ms) VALUES (70, 0)");
  }
  try {
    PgJobStore store(url_);
    FAIL() << "a database of schema 70 was opened";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Unavailable);
    EXPECT_THAT(e.what(), HasSubstr("schema version 70, newer than version " +
                                    std::to_string(pg::latest_schema_version())));
  }
}

TEST_F(PgJobStoreTest, UnreachableServerIsUnavailableWithoutThePassword) {
  try {
    PgJobStore store("postgresql://someone:hunter2@/nodb?host=/nonexistent-socket-dir&port=1");
    FAIL() << "connected";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Unavailable);
    EXPECT_THAT(e.what(), HasSubstr("cannot connect to job database postgresql://someone:***@"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("hunter2")));
  }
}

TEST_F(PgJobStoreTest, ABrokenConnectionIsReopenedAndTheTransactionRunAgain) {
  PgJobStore store(url_);
  const runtime::Asset input = make_asset("input");
  store.create_asset(input);
  {
    // The server ends the store's session (as a restart or a network cut would).
    pqxx::connection admin(server_url());
    pqxx::nontransaction work(admin);
    const auto killed = work.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = " +
        work.quote(schema_of(dir_.path())));
    ASSERT_EQ(killed.size(), 1u);
  }
  const NewJob job = make_job(input.id);
  store.create_job(job);  // BEGIN fails on the dead connection; retried on a new one
  const auto claim = store.claim_task("w", at(1s), 30s);
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->task_id, job.tasks.front().id);
  EXPECT_EQ(store.find_job(job.job.id)->state, State::Scheduled);
}

TEST_F(PgJobStoreTest, TwoStoresNeverClaimTheSameTask) {
  PgJobStore first(url_), second(url_);
  runtime::Asset input = make_asset("input");
  first.create_asset(input);
  std::set<std::string> expected;
  for (int i = 0; i < 10; ++i) {
    NewJob job = make_job(input.id, {.tasks = 10});
    first.create_job(job);
    for (const auto& t : job.tasks) expected.insert(t.id);
  }
  std::vector<std::string> by_first, by_second;
  const auto drain = [](JobStore& store, std::vector<std::string>& out) {
    while (auto got = store.claim_task("w", at(1s), 30s)) out.push_back(got->task_id);
  };
  std::thread a(drain, std::ref(first), std::ref(by_first));
  std::thread b(drain, std::ref(second), std::ref(by_second));
  a.join();
  b.join();
  std::multiset<std::string> all(by_first.begin(), by_first.end());
  all.insert(by_second.begin(), by_second.end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), expected);
}

}  // namespace
}  // namespace mw::store::test

namespace mw::store {
namespace {

// libpq waits for the OS on a silent network (minutes); the store's connections do not.
TEST(PgConnectionDefaults, TimeoutsAndKeepalivesAreAddedUnlessTheUrlSetsThem) {
  EXPECT_EQ(pg::with_connection_defaults("postgresql://mw@db/mw"),
            "postgresql://mw@db/mw?connect_timeout=10&keepalives=1&keepalives_idle=30&keepalives_interval=10"
            "&keepalives_count=3&tcp_user_timeout=60000");
  EXPECT_EQ(pg::with_connection_defaults("postgresql://mw@db/mw?sslmode=require&connect_timeout=3&keepalives=0"),
            "postgresql://mw@db/mw?sslmode=require&connect_timeout=3&keepalives=0&keepalives_idle=30"
            "&keepalives_interval=10&keepalives_count=3&tcp_user_timeout=60000");
  EXPECT_EQ(pg::with_connection_defaults("host=db dbname=mw connect_timeout=5"),
            "host=db dbname=mw connect_timeout=5 keepalives=1 keepalives_idle=30 keepalives_interval=10"
            " keepalives_count=3 tcp_user_timeout=60000");
}

}  // namespace
}  // namespace mw::store
