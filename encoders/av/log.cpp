#include "encoders/av/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

extern "C" {
#include <libavutil/log.h>
}

namespace mw::av {

namespace {
thread_local std::string t_last_error;
std::atomic<int> g_forward_level{AV_LOG_QUIET};

void callback(void* avcl, int level, const char* fmt, va_list vl) {
  const int forward = g_forward_level.load(std::memory_order_relaxed);
  if (level > AV_LOG_ERROR && level > forward) return;
  char line[1024];
  int print_prefix = 1;
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (level <= AV_LOG_ERROR && !text.empty()) {
    // Keep only the message (drop the "[mov,mp4,... @ 0x...] " context prefix).
    const auto bracket = text.find("] ");
    t_last_error = (text.front() == '[' && bracket != std::string::npos) ? text.substr(bracket + 2)
                                                                          : text;
  }
  if (level <= forward) std::fprintf(stderr, "%s\n", text.c_str());
}

std::once_flag g_installed;

}  // namespace

void install_log_capture(int forward_level) {
  g_forward_level.store(forward_level);
  // libav calls the callback only for levels up to av_log_level: errors always, more if forwarded.
  av_log_set_level(forward_level > AV_LOG_ERROR ? forward_level : AV_LOG_ERROR);
  std::call_once(g_installed, [] { av_log_set_callback(callback); });
}

void ensure_log_capture() {
  std::call_once(g_installed, [] {
    av_log_set_level(AV_LOG_ERROR);
    av_log_set_callback(callback);
  });
}

std::string last_log_error() { return t_last_error; }
void clear_log_error() { t_last_error.clear(); }

}  // namespace mw::av
