#include "daemon/log/logging.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "daemon/log/context.hpp"

namespace mw::log {

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream || !*stream) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == device && static_cast<unsigned long long>(st.st_ino) == inode;
}

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;
    case spdlog::level::info: return 6;
    case spdlog::level::warn: return 4;
    case spdlog::level::err: return 3;
    case spdlog::level::critical: return 2;
    default: return 6;
  }
}

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  nlohmann::ordered_json line;
  line["time"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", fmt::gmtime(seconds), micros % 1000000);
  const auto level = spdlog::level::to_string_view(msg.level);
  line["level"] = std::string(level.data(), level.size());
  line["message"] = std::string(msg.payload.data(), msg.payload.size());
  const Context& context = current();
  if (!context.job_id.empty()) line["job_id"] = context.job_id;
  if (!context.task_id.empty()) line["task_id"] = context.task_id;
  if (!context.asset_id.empty()) line["asset_id"] = context.asset_id;
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  dest.append(text.data(), text.data() + text.size());
  dest.push_back('\n');
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const { return std::make_unique<JsonFormatter>(); }

std::string escape_control_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

TextFormatter::TextFormatter()
    : pattern_(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v")) {}

void TextFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  const bool clean = std::none_of(payload.begin(), payload.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
  if (clean) {
    pattern_->format(msg, dest);
    return;
  }
  const std::string escaped = escape_control_characters(payload);
  spdlog::details::log_msg copy = msg;
  copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
  pattern_->format(copy, dest);
  msg.color_range_start = copy.color_range_start;  // mutable: where the colour sink colours
  msg.color_range_end = copy.color_range_end;
}

std::unique_ptr<spdlog::formatter> TextFormatter::clone() const {
  return std::make_unique<TextFormatter>();
}

std::vector<std::string> journal_fields(const spdlog::details::log_msg& msg) {
  std::vector<std::string> fields;
  fields.push_back("MESSAGE=" + std::string(msg.payload.data(), msg.payload.size()));
  fields.push_back(fmt::format("PRIORITY={}", syslog_priority(msg.level)));
  fields.push_back("SYSLOG_IDENTIFIER=mediaworker");
  const Context& context = current();
  if (!context.job_id.empty()) fields.push_back("JOB_ID=" + context.job_id);
  if (!context.task_id.empty()) fields.push_back("TASK_ID=" + context.task_id);
  if (!context.asset_id.empty()) fields.push_back("ASSET_ID=" + context.asset_id);
  return fields;
}

namespace {
int send_to_journal(const std::vector<std::string>& fields) {
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (const auto& f : fields) iov.push_back({const_cast<char*>(f.data()), f.size()});
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}
}  // namespace

JournalSink::JournalSink(Sender send) : send_(send ? std::move(send) : Sender(send_to_journal)) {}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  const int r = send_(journal_fields(msg));
  if (r < 0) {
    const auto level = spdlog::level::to_string_view(msg.level);
    // One line on the journal's stream: a newline in the message would start a forged entry.
    fmt::print(stderr, "{} {} (the journal refused it: {})\n",
               std::string_view(level.data(), level.size()),
               escape_control_characters(std::string_view(msg.payload.data(), msg.payload.size())),
               std::strerror(-r));
  }
}

void setup(const std::string& level, Format format) {
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_journal()) {
    logger = std::make_shared<spdlog::logger>("mediaworker", std::make_shared<JournalSink>());
  } else {
    logger = std::make_shared<spdlog::logger>("mediaworker", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    if (format == Format::Json)
      logger->set_formatter(std::make_unique<JsonFormatter>());
    else
      logger->set_formatter(std::make_unique<TextFormatter>());
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

void set_level(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return;
  spdlog::default_logger()->set_level(parsed);
}

}  // namespace mw::log
