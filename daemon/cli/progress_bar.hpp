#pragma once
// Progress display for CLI verbs: a redrawn bar on a terminal, plain "NN%" lines otherwise.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

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

}  // namespace mw::cli
