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

}  // namespace mw::cli
