#include "daemon/cli/progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace mw::cli {

ProgressBar::ProgressBar(std::FILE* out, std::string label)
    : out_(out), label_(std::move(label)), tty_(isatty(fileno(out)) != 0) {}

void ProgressBar::on_progress(double percent) {
  std::lock_guard lock(mutex_);
  const int whole = static_cast<int>(std::floor(percent / 5.0)) * 5;  // lines every 5 %
  if (!tty_) {
    if (whole == last_whole_) return;
    last_whole_ = whole;
    fmt::print(out_, "{}{}%\n", label_.empty() ? "" : label_ + " ", whole);
    std::fflush(out_);
    return;
  }
  constexpr int kWidth = 40;
  const int filled = static_cast<int>(percent / 100.0 * kWidth);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  fmt::print(out_, "\r{}[{}{}] {:5.1f}%  {:.1f} s", label_.empty() ? "" : label_ + " ",
             std::string(static_cast<size_t>(filled), '#'), std::string(static_cast<size_t>(kWidth - filled), ' '),
             percent, elapsed);
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  std::lock_guard lock(mutex_);
  if (tty_ && drawn_) fmt::print(out_, "\n");
  drawn_ = false;
}

std::string human_size(int64_t bytes) {
  if (bytes >= 1'000'000) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1'000) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{} B", bytes);
}

std::string describe(const encoders::MeasuredFile& f) {
  std::vector<std::string> parts;
  if (const auto* v = f.video())
    parts.push_back(fmt::format("H.264 {} {}x{} {:.3g} fps {:.0f} kbps", v->profile, v->width,
                                v->height, v->frame_rate, v->bitrate_kbps));
  if (const auto* a = f.audio())
    parts.push_back(fmt::format("AAC {} ch {} Hz {:.0f} kbps", a->channels, a->sampling_rate, a->bitrate_kbps));
  std::string out = fmt::format("{:.2f} s", f.duration_s);
  for (const auto& p : parts) out += ", " + p;
  return out;
}

}  // namespace mw::cli
