// The test PostgreSQL server (tests/support/pg_server.*): it answers libpqxx, keeps committed rows
// across a restart, breaks client sessions on demand, gives each PgServer its own database, and
// says why when there is no server.

#include "tests/support/pg_server.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace mw::test {
namespace {

using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point begun) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begun).count();
}

// Sets (or, with nullopt, unsets) an environment variable for a scope, then puts it back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(PgServer, AnswersLibpqxxOnItsOwnDatabase) {
  auto& pg = PgServer::shared();
  if (!pg.available()) GTEST_SKIP() << pg.reason();
  EXPECT_EQ(pg.reason(), "");
  pqxx::connection conn(pg.url());
  pqxx::work work(conn);
  EXPECT_NE(work.exec1("SELECT version()")[0].as<std::string>().find("PostgreSQL"),
            std::string::npos);
  EXPECT_EQ(work.exec1("SELECT current_database()")[0].as<std::string>().rfind("mw_test_", 0), 0u)
      << pg.url();
}

TEST(PgServer, CommittedRowsSurviveARestartThatBreaksTheClients) {
  auto& pg = PgServer::restartable();
  if (!pg.available()) GTEST_SKIP() << pg.reason();
  ASSERT_TRUE(pg.owns_cluster());
  pqxx::connection before(pg.url());
  {
    pqxx::work work(before);
    work.exec0("CREATE TABLE survivors (id integer PRIMARY KEY, name text NOT NULL)");
    work.exec0("INSERT INTO survivors VALUES (1, 'committed')");
    work.commit();
  }

  const auto begun = Clock::now();
  pg.restart();
  std::cout << "[ timing ] restart (pg_ctl stop -m immediate, start -w): " << ms_since(begun)
            << " ms, of which start " << pg.last_start_duration().count() << " ms\n";

  // The old session is gone with the server (its next statement finds the connection broken).
  EXPECT_THROW(pqxx::nontransaction(before).exec("SELECT 1"), pqxx::broken_connection);
  pqxx::connection after(pg.url());
  pqxx::work work(after);
  EXPECT_EQ(work.exec1("SELECT name FROM survivors WHERE id = 1")[0].as<std::string>(),
            "committed");
}

TEST(PgServer, StoppedServerRefusesConnectionsUntilStarted) {
  auto& pg = PgServer::restartable();
  if (!pg.available()) GTEST_SKIP() << pg.reason();
  ASSERT_TRUE(pg.owns_cluster());
  pg.stop();
  EXPECT_THROW(pqxx::connection(pg.url()), pqxx::broken_connection);
  pg.start();
  pqxx::connection conn(pg.url());
  EXPECT_TRUE(conn.is_open());
}

TEST(PgServer, TerminateConnectionsEndsEveryClientSessionOfTheDatabase) {
  auto& pg = PgServer::shared();
  if (!pg.available()) GTEST_SKIP() << pg.reason();
  pqxx::connection first(pg.url()), second(pg.url());
  EXPECT_EQ(pg.terminate_connections(pg.url()), 2);
  EXPECT_THROW(pqxx::nontransaction(first).exec("SELECT 1"), pqxx::broken_connection);
  EXPECT_THROW(pqxx::nontransaction(second).exec("SELECT 1"), pqxx::broken_connection);
  pqxx::connection again(pg.url());
  EXPECT_EQ(pqxx::nontransaction(again).exec1("SELECT 40 + 2")[0].as<int>(), 42);
}

TEST(PgServer, CreateDatabaseGivesAnEmptyDatabaseOfItsOwn) {
  auto& pg = PgServer::shared();
  if (!pg.available()) GTEST_SKIP() << pg.reason();
  const auto begun = Clock::now();
  const std::string other = pg.create_database();
  std::cout << "[ timing ] CREATE DATABASE: " << ms_since(begun) << " ms\n";
  ASSERT_NE(other, pg.url());
  {
    pqxx::connection conn(pg.url());
    pqxx::work work(conn);
    work.exec0("CREATE TABLE only_in_the_first (id integer)");
    work.commit();
  }
  pqxx::connection conn(other);
  pqxx::work work(conn);
  EXPECT_EQ(work.exec1("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_the_first'")[0]
                .as<int>(),
            0);
}

TEST(PgServer, OwnClusterStartsAndIsRemovedWithItsFolder) {
  const auto begun = Clock::now();
  std::optional<PgServer> pg;
  {
    // Asked for, an own cluster is started even when MW_TEST_PG_URL names a server.
    ScopedEnv env("MW_TEST_PG_URL", "postgresql://farm@127.0.0.1:1/jobs");
    pg.emplace(PgServer::Source::own_cluster);
  }
  if (!pg->available()) GTEST_SKIP() << pg->reason();
  std::cout << "[ timing ] own cluster up (initdb, start, CREATE DATABASE): " << ms_since(begun)
            << " ms, of which start " << pg->last_start_duration().count() << " ms\n";
  const std::filesystem::path folder = pg->folder();
  EXPECT_TRUE(pg->owns_cluster());
  EXPECT_TRUE(std::filesystem::exists(folder / "data" / "postmaster.pid"));
  EXPECT_EQ(pg->url().rfind("postgresql://postgres@127.0.0.1:", 0), 0u) << pg->url();

  const auto stopping = Clock::now();
  pg.reset();
  std::cout << "[ timing ] own cluster down (pg_ctl stop -m immediate, folder removed): "
            << ms_since(stopping) << " ms\n";
  EXPECT_FALSE(std::filesystem::exists(folder)) << folder;
}

TEST(PgServer, ExternalUrlGetsADatabaseOfItsOwnDroppedAfterwards) {
  auto& pg = PgServer::shared();
  if (!pg.available()) GTEST_SKIP() << pg.reason();
  std::string external_db;
  {
    ScopedEnv env("MW_TEST_PG_URL", pg.url());
    PgServer external;
    ASSERT_TRUE(external.available()) << external.reason();
    EXPECT_FALSE(external.owns_cluster());
    EXPECT_NE(external.url(), pg.url());
    EXPECT_TRUE(external.folder().empty());
    EXPECT_THROW(external.restart(), std::logic_error);
    pqxx::connection conn(external.url());
    external_db =
        pqxx::nontransaction(conn).exec1("SELECT current_database()")[0].as<std::string>();
  }  // `conn` closes first, then the database is dropped
  pqxx::connection conn(pg.url());
  EXPECT_TRUE(pqxx::nontransaction(conn)
                  .exec_params("SELECT 1 FROM pg_database WHERE datname = $1", external_db)
                  .empty())
      << external_db << " was not dropped";
}

TEST(PgServer, UnreachableUrlIsNotAvailableAndSaysWhereAndWhy) {
  ScopedEnv env("MW_TEST_PG_URL", "postgresql://farm:s3cret@127.0.0.1:1/jobs");
  PgServer pg;
  EXPECT_FALSE(pg.available());
  // Names the variable, the server and libpq's error; never the password.
  EXPECT_NE(pg.reason().find("MW_TEST_PG_URL=postgresql:///jobs?"), std::string::npos)
      << pg.reason();
  EXPECT_NE(pg.reason().find("password=***&host=127.0.0.1&port=1: "), std::string::npos)
      << pg.reason();
  EXPECT_NE(pg.reason().find("Connection refused"), std::string::npos) << pg.reason();
  EXPECT_EQ(pg.reason().find("s3cret"), std::string::npos) << pg.reason();
  std::cout << "[ reason ] " << pg.reason() << "\n";
}

TEST(PgServer, MalformedUrlIsNotAvailableAndQuotesLibpq) {
  ScopedEnv env("MW_TEST_PG_URL", "host=db.example colour=blue");
  PgServer pg;
  EXPECT_FALSE(pg.available());
  EXPECT_EQ(pg.reason().rfind("MW_TEST_PG_URL: not a libpq connection string: ", 0), 0u)
      << pg.reason();
  EXPECT_NE(pg.reason().find("invalid connection option \"colour\""), std::string::npos)
      << pg.reason();
  std::cout << "[ reason ] " << pg.reason() << "\n";
}

TEST(PgServer, MissingServerProgramsAreNotAvailableAndSayWhere) {
  ScopedEnv url("MW_TEST_PG_URL", std::nullopt);
  ScopedEnv bindir("MW_TEST_PG_BINDIR", "/nonexistent/postgresql/bin");
  PgServer pg;
  EXPECT_FALSE(pg.available());
  EXPECT_EQ(pg.reason(),
            "MW_TEST_PG_BINDIR=/nonexistent/postgresql/bin holds no initdb and pg_ctl");
  EXPECT_TRUE(pg.folder().empty());
}

}  // namespace
}  // namespace mw::test
