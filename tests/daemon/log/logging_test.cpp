// The daemon's logging (daemon/log): JSON lines, the journal's fields and priorities, the
// JOURNAL_STREAM check, and what config reloads and redaction show. The journal protocol itself
// is exercised end to end by serve_test (ServeJournal).

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/logger.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "daemon/config/config.hpp"
#include "daemon/config/redact.hpp"
#include "daemon/log/context.hpp"
#include "daemon/log/logging.hpp"

namespace mw::log {
namespace {

spdlog::details::log_msg message(std::string_view text, spdlog::level::level_enum level = spdlog::level::info) {
  return spdlog::details::log_msg("mediaworker", level, spdlog::string_view_t(text.data(), text.size()));
}

nlohmann::json json_line(const spdlog::details::log_msg& msg) {
  JsonFormatter formatter;
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  const std::string text(out.data(), out.size());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line: " << text;
  return nlohmann::json::parse(text);
}

TEST(JsonFormatter, OneObjectPerLineWithUtcMicrosecondTimeAndAnyMessageEscaped) {
  const auto line = json_line(message("task \"x\": line one\nline two \xff", spdlog::level::warn));
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["message"], "task \"x\": line one\nline two \xef\xbf\xbd");  // invalid UTF-8 replaced
  const std::string time = line["time"];
  ASSERT_EQ(time.size(), 27u) << time;  // 2026-11-30T09:35:03.123456Z
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time[19], '.');
  EXPECT_EQ(time.back(), 'Z');
  EXPECT_FALSE(line.contains("job_id"));
}

TEST(TextFormatter, AFileNameWithANewlineCannotForgeASecondLine) {
  // An uploaded file's name reaches "task ...: processing '<name>'"; before the escape it
  // printed a second line that looked like the daemon's own.
  TextFormatter formatter;
  const auto msg = message("processing 'evil\n2026-11-30 10:00:00.000 info FAKE\r\x1b[31m\t.mp4'");
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  const std::string text(out.data(), out.size());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  EXPECT_NE(
      text.find(" info processing 'evil\\n2026-11-30 10:00:00.000 info FAKE\\r\\x1b[31m\\t.mp4'"),
      std::string::npos)
      << text;
  EXPECT_EQ(
      std::string(text.data() + msg.color_range_start, msg.color_range_end - msg.color_range_start),
      "info");
  // A clean message is printed as it is.
  spdlog::memory_buf_t plain;
  formatter.format(message("task t: finished \xc3\xa9 \\ done"), plain);
  const std::string plain_text(plain.data(), plain.size());
  EXPECT_NE(plain_text.find(" info task t: finished \xc3\xa9 \\ done\n"), std::string::npos)
      << plain_text;
}

TEST(JsonFormatter, CarriesTheThreadsContextAndScopesNest) {
  {
    const Scope job({"nb:jid:UUID:j", "nb:tid:UUID:t", {}});
    auto line = json_line(message("claimed"));
    EXPECT_EQ(line["job_id"], "nb:jid:UUID:j");
    EXPECT_EQ(line["task_id"], "nb:tid:UUID:t");
    EXPECT_FALSE(line.contains("asset_id"));
    {
      Context with_asset = current();
      with_asset.asset_id = "nb:cid:UUID:a";
      const Scope asset(with_asset);
      line = json_line(message("processing"));
      EXPECT_EQ(line["asset_id"], "nb:cid:UUID:a");
      EXPECT_EQ(line["job_id"], "nb:jid:UUID:j");
    }
    EXPECT_FALSE(json_line(message("after")).contains("asset_id"));
  }
  EXPECT_TRUE(current().job_id.empty());
}

TEST(Journal, FieldsAreMessagePriorityIdentifierAndTheContext) {
  const Scope about({"nb:jid:UUID:j", "nb:tid:UUID:t", "nb:cid:UUID:a"});
  const auto fields = journal_fields(message("task finished", spdlog::level::err));
  const std::vector<std::string> expected = {"MESSAGE=task finished", "PRIORITY=3", "SYSLOG_IDENTIFIER=mediaworker",
                                             "JOB_ID=nb:jid:UUID:j", "TASK_ID=nb:tid:UUID:t",
                                             "ASSET_ID=nb:cid:UUID:a"};
  EXPECT_EQ(fields, expected);
}

TEST(Journal, PrioritiesFollowSyslog) {
  EXPECT_EQ(syslog_priority(spdlog::level::trace), 7);
  EXPECT_EQ(syslog_priority(spdlog::level::debug), 7);
  EXPECT_EQ(syslog_priority(spdlog::level::info), 6);
  EXPECT_EQ(syslog_priority(spdlog::level::warn), 4);
  EXPECT_EQ(syslog_priority(spdlog::level::err), 3);
  EXPECT_EQ(syslog_priority(spdlog::level::critical), 2);
}

TEST(Journal, SinkSendsEachLinesFields) {
  std::vector<std::vector<std::string>> sent;
  auto sink = std::make_shared<JournalSink>([&](const std::vector<std::string>& f) {
    sent.push_back(f);
    return 0;
  });
  spdlog::logger logger("t", sink);
  logger.warn("lease lost for task {}", 7);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0][0], "MESSAGE=lease lost for task 7");
  EXPECT_EQ(sent[0][1], "PRIORITY=4");
}

TEST(Journal, ALineTheJournalRefusesGoesToStderrAsOneEscapedLine) {
  auto sink =
      std::make_shared<JournalSink>([](const std::vector<std::string>&) { return -ENOENT; });
  spdlog::logger logger("t", sink);
  testing::internal::CaptureStderr();
  logger.info("processing 'evil\nerror FAKE ENTRY'");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err,
            "info processing 'evil\\nerror FAKE ENTRY' (the journal refused it: No such file or "
            "directory)\n");
}

TEST(Journal, StderrIsTheJournalOnlyWhenJournalStreamNamesIt) {
  struct stat st {};
  ASSERT_EQ(fstat(STDERR_FILENO, &st), 0);
  const char* saved = getenv("JOURNAL_STREAM");
  const std::string previous = saved ? saved : "";
  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).c_str(), 1);
  EXPECT_TRUE(stderr_is_journal());
  // A child of a service inherits JOURNAL_STREAM but may have its stderr elsewhere.
  setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), 1);
  EXPECT_FALSE(stderr_is_journal());
  setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(stderr_is_journal());
  if (saved)
    setenv("JOURNAL_STREAM", previous.c_str(), 1);
  else
    unsetenv("JOURNAL_STREAM");
}

TEST(ConfigChangedKeys, NamesTheKeysThatDifferAndNeverTheTokens) {
  config::Config a;
  a.api.tokens = {"secret-one"};
  config::Config b = a;
  EXPECT_TRUE(config::changed_keys(a, b).empty());
  b.api.tokens = {"secret-two"};
  b.store.url = "sqlite:///elsewhere.db";
  b.worker.max_width = 1920;
  b.preset_folders = {"/srv/presets"};
  b.notifications.verify_tls = false;
  b.log.level = "debug";
  const std::vector<std::string> expected = {"api.tokens_file", "store.url", "worker.max_resolution", "presets.dirs",
                                             "notifications.verify_tls", "log.level"};
  EXPECT_EQ(config::changed_keys(a, b), expected);
}

TEST(Redact, WebhookQueryValuesAndPasswordsAreMasked) {
  EXPECT_EQ(config::without_query_values("https://fn.example/api/hook?code=SECRET&clientId=default#frag"),
            "https://fn.example/api/hook?code=***&clientId=***");
  EXPECT_EQ(config::without_query_values("https://alice:pw@hooks.example/x?flag"), "https://alice:***@hooks.example/x?flag");
  EXPECT_EQ(config::without_query_values("http://127.0.0.1:9000/hook"), "http://127.0.0.1:9000/hook");
  EXPECT_EQ(config::without_password("postgresql://mw:s3cret@db/mw?sslmode=require"),
            "postgresql://mw:***@db/mw?sslmode=require");
  EXPECT_EQ(config::without_password("host=db password=s3cret dbname=mw"), "host=db password=*** dbname=mw");
}

}  // namespace
}  // namespace mw::log
