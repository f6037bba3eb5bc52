// SqliteJobStore: runs the JobStore contract suite on it, plus what only SQLite has (the schema
// version table, refusing a newer schema, WAL mode, two connections on one file).

#include "daemon/store/sqlite_job_store.hpp"
#include "daemon/store/sqlite_migrations.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <thread>

#include "tests/daemon/store/job_store_test_support.hpp"

namespace mw::store::test {
namespace {

using ::testing::HasSubstr;

std::filesystem::path database_in(const std::filesystem::path& scratch) {
  return scratch / "jobs.db";
}

StoreFactory sqlite_store_factory() {
  return {"Sqlite", [](const std::filesystem::path& scratch) -> std::unique_ptr<JobStore> {
            return std::make_unique<SqliteJobStore>(database_in(scratch));
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, JobStoreTest, ::testing::Values(sqlite_store_factory()),
                         [](const ::testing::TestParamInfo<StoreFactory>& factory) {
                           return factory.param.name;
                         });
INSTANTIATE_TEST_SUITE_P(Sqlite, FarmStoreTest, ::testing::Values(sqlite_store_factory()),
                         [](const ::testing::TestParamInfo<StoreFactory>& factory) {
                           return factory.param.name;
                         });
INSTANTIATE_TEST_SUITE_P(Sqlite, NotificationStoreTest, ::testing::Values(sqlite_store_factory()),
                         [](const ::testing::TestParamInfo<StoreFactory>& factory) {
                           return factory.param.name;
                         });

/// A raw connection to look at (or tamper with) the file behind the store's back.
class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }
  ~RawDatabase() { sqlite3_close(db_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  /// The first column of the first row of `query`, as text.
  std::string value(const std::string& query) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, query.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(SqliteJobStoreTest, SchemaIsAppliedOnceAndKeptAcrossReopen) {
  mw::test::TempDir dir;
  const auto file = database_in(dir.path());
  {
    SqliteJobStore store(file);
    EXPECT_EQ(store.schema_version(), sqlite::latest_schema_version());
  }
  {
    SqliteJobStore store(file);
    EXPECT_EQ(store.schema_version(), sqlite::latest_schema_version());
  }
  RawDatabase raw(file);
  EXPECT_EQ(raw.value("SELECT COUNT(*) FROM schema_version"),
            std::to_string(sqlite::latest_schema_version()));
  EXPECT_EQ(raw.value("PRAGMA journal_mode"), "wal");
}

TEST(SqliteJobStoreTest, NewerSchemaIsRefusedWithTheFileAndVersions) {
  mw::test::TempDir dir;
  const auto file = database_in(dir.path());
  { SqliteJobStore store(file); }
  RawDatabase(file).exec("INSERT INTO schema_version (version, applied_ms) VALUES (70, 0)");
  try {
    SqliteJobStore store(file);
    FAIL() << "a database of schema 70 was opened";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Unavailable);
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
    EXPECT_THAT(e.what(), HasSubstr("schema version 70, newer than version " +
                                    std::to_string(sqlite::latest_schema_version())));
  }
}

TEST(SqliteJobStoreTest, UnopenableFileIsUnavailableNamingIt) {
  mw::test::TempDir dir;
  const auto file = dir.path() / "no-such-folder" / "jobs.db";
  try {
    SqliteJobStore store(file);
    FAIL() << "opened " << file;
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Unavailable);
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
  }
}

TEST(SqliteJobStoreTest, TwoStoresOnOneFileNeverClaimTheSameTask) {
  mw::test::TempDir dir;
  const auto file = database_in(dir.path());
  SqliteJobStore first(file), second(file);
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
