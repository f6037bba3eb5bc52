#pragma once
// The daemon's logging (config `log`: level, format): spdlog's default logger "mediaworker",
// writing to the systemd journal with structured fields when stderr is connected to the
// journal, else to stderr as text or JSON lines. Each line carries the thread's log::Context
// (JOB_ID, TASK_ID, ASSET_ID). Nothing here logs secrets by itself: callers never put tokens or
// signing keys in messages (redact URLs with config::without_password, notify's redaction).

#include <spdlog/common.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mw::log {

/// log.format: "text" (one human line) or "json" (one JSON object per line).
enum class Format { Text, Json };

/// Whether stderr is connected to the journal: systemd sets JOURNAL_STREAM=<device>:<inode> for
/// a service whose stdout/stderr go to journald, and a process checks that stderr still is that
/// stream (systemd.exec(5), "Environment variables set or propagated by the service manager").
bool stderr_is_journal();

/// spdlog level → syslog priority, the journal's PRIORITY field (syslog(3)): trace and debug
/// 7 (debug), info 6 (info), warn 4 (warning), err 3 (err), critical 2 (crit).
int syslog_priority(spdlog::level::level_enum level);

/// Installs the default logger: a JournalSink when stderr_is_journal() (`format` is then
/// irrelevant: the journal stores fields; `journalctl -o json` shows them), else stderr in
/// `format`. `level`: trace, debug, info, warn, error (config::load_config has checked it).
void setup(const std::string& level, Format format);

/// Changes the default logger's level (SIGHUP with a new log.level). Unknown names are ignored.
void set_level(const std::string& level);

/// One JSON object per line, UTC time in microseconds:
/// {"time":"2026-11-30T09:35:03.123456Z","level":"info","message":"…","job_id":"nb:jid:UUID:…"}
/// job_id, task_id and asset_id appear when the thread's log::Context has them. Escaping is
/// nlohmann-json's: any message (quotes, newlines, invalid UTF-8 replaced) stays one valid line.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

/// log.format text: "2026-11-30 09:35:03.123 info <message>", one line per record. Control
/// characters in the message are escaped (newline "\\n", carriage return "\\r", tab "\\t",
/// others "\\xHH"), so that a name from a request (an uploaded file's name, a job's name) cannot
/// start a forged line of its own. The level is coloured when the sink colours (a terminal).
class TextFormatter final : public spdlog::formatter {
 public:
  TextFormatter();
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  std::unique_ptr<spdlog::formatter> pattern_;
};

/// `text` with its control characters (C0 and DEL) escaped as TextFormatter shows them.
std::string escape_control_characters(std::string_view text);

/// The journal's fields of one line, each "NAME=value": MESSAGE, PRIORITY (syslog_priority),
/// SYSLOG_IDENTIFIER=mediaworker, then JOB_ID, TASK_ID and ASSET_ID when set in `context`'s
/// thread (sd_journal_send(3); field names are upper-case letters, digits and underscores).
std::vector<std::string> journal_fields(const spdlog::details::log_msg& msg);

/// A sink sending each line to the journal as structured fields (journal_fields) with
/// sd_journal_sendv(3). `send` replaces sd_journal_sendv (tests); it gets the fields and returns
/// 0 or a negative errno. A line the journal refuses goes to stderr instead, once per failure.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  using Sender = std::function<int(const std::vector<std::string>& fields)>;
  explicit JournalSink(Sender send = {});

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  Sender send_;
};

}  // namespace mw::log
