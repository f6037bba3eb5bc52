#include "encoders/frame_rate.hpp"

#include <algorithm>
#include <cmath>

namespace mw::encoders {

double rate_from_timestamps(std::vector<int64_t> pts, AVRational time_base) {
  if (pts.size() < 2) return 0;
  std::sort(pts.begin(), pts.end());
  std::vector<int64_t> deltas;
  for (size_t i = 1; i < pts.size(); ++i)
    if (pts[i] > pts[i - 1]) deltas.push_back(pts[i] - pts[i - 1]);
  if (deltas.empty()) return 0;
  std::sort(deltas.begin(), deltas.end());
  const size_t lo = deltas.size() / 4, hi = std::max(lo + 1, deltas.size() - deltas.size() / 4);
  double sum = 0;
  for (size_t i = lo; i < hi; ++i) sum += static_cast<double>(deltas[i]);
  const double mean = sum / static_cast<double>(hi - lo);
  return 1.0 / (mean * av_q2d(time_base));
}

AVRational snap_frame_rate(double fps) {
  static constexpr AVRational kCommon[] = {{24000, 1001}, {24, 1}, {25, 1}, {30000, 1001}, {30, 1},
                                           {48, 1}, {50, 1}, {60000, 1001}, {60, 1}, {100, 1},
                                           {120000, 1001}, {120, 1}, {15, 1}, {12, 1}, {10, 1}};
  const AVRational* best = nullptr;
  for (const AVRational& r : kCommon)
    if (std::abs(fps - av_q2d(r)) <= av_q2d(r) * 0.005 &&
        (best == nullptr || std::abs(fps - av_q2d(r)) < std::abs(fps - av_q2d(*best))))
      best = &r;
  if (best != nullptr) return *best;
  return {static_cast<int>(std::lround(fps * 1000)), 1000};
}

}  // namespace mw::encoders
