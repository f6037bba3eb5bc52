#pragma once
// Progress display for CLI verbs: a redrawn bar on a terminal, plain "NN%" lines otherwise.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "encoders/measure.hpp"
#include "encoders/pipeline.hpp"

namespace mw::cli {

class ProgressBar : public encoders::ProgressListener {
 public:
  /// @param out  where to draw (stderr); a terminal gets the bar, anything else whole-percent lines
  explicit ProgressBar(std::FILE* out, std::string label = {});
  void on_progress(double percent) override;  ///< thread-safe
  /// Ends the bar's line (call once, after the last report).
  void finish();

 private:
  std::FILE* out_;
  std::string label_;
  bool tty_;
  std::mutex mutex_;
  int last_whole_ = -1;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// "1.5 MB", "12.0 kB", "815 B" (decimal units).
std::string human_size(int64_t bytes);

/// One line about a measured file: "10.03 s, H.264 Main 640x360 30 fps 814 kbps, AAC 2 ch 48000 Hz 96 kbps".
std::string describe(const encoders::MeasuredFile& f);

}  // namespace mw::cli
