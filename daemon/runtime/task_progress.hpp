#pragma once
// What a worker slot learns of a running task from the engine (encoders::ProgressListener): its
// Progress for the heartbeat, and its video frames for the metrics (frames total, fps per slot).
// Used by WorkerPool::run_task only.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "daemon/metrics/metrics.hpp"
#include "encoders/engine.hpp"

namespace mw::runtime {

// Stores the engine's progress and its video frame count for the heartbeat to pick up.
class ProgressSink : public encoders::ProgressListener {
 public:
  void on_progress(double percent) override { value_.store(percent, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }
  // Per pipeline run, from 1: a count lower than the last one is a new run (a second pass).
  void on_video_frames(int64_t frames) override {
    if (frames < last_run_) base_ += last_run_;
    last_run_ = frames;
    frames_.store(base_ + frames, std::memory_order_relaxed);
  }
  // Video frames read by every run of the task so far.
  int64_t frames() const { return frames_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
  int64_t base_ = 0, last_run_ = 0;  // the engine's thread only (its Progress serialises calls)
  std::atomic<int64_t> frames_{0};
};

// Turns a task's frame count into mediaworker_video_frames_total and its slot's fps gauge: each
// tick (heartbeat) adds the frames since the last one; the last tick sets the slot back to 0.
class FrameMeter {
 public:
  FrameMeter(metrics::Metrics& metrics, const ProgressSink& progress, int slot)
      : metrics_(metrics), progress_(progress), slot_(slot) {}
  void tick(bool last = false) {
    const int64_t frames = progress_.frames();
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - at_).count();
    metrics_.add_video_frames(frames - reported_);
    metrics_.set_slot_fps(slot_, last || seconds <= 0 ? 0.0 : static_cast<double>(frames - reported_) / seconds);
    reported_ = frames;
    at_ = now;
  }

 private:
  metrics::Metrics& metrics_;
  const ProgressSink& progress_;
  int slot_;
  int64_t reported_ = 0;
  std::chrono::steady_clock::time_point at_ = std::chrono::steady_clock::now();
};

}  // namespace mw::runtime
