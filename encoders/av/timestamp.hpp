#pragma once
// Time is a type: a timestamp travels with its time base, and every conversion goes through
// av_rescale_q (libavutil/mathematics.h), rounding to nearest and passing through AV_NOPTS_VALUE.

#include <cstdint>

extern "C" {
#include <libavutil/avutil.h>
#include <libavutil/mathematics.h>
#include <libavutil/rational.h>
}

namespace mw::av {

struct Timestamp {
  int64_t ticks = AV_NOPTS_VALUE;  ///< in units of time_base; AV_NOPTS_VALUE when unknown
  AVRational time_base{1, AV_TIME_BASE};

  bool valid() const { return ticks != AV_NOPTS_VALUE; }
  /// Seconds, or 0 when unknown.
  double seconds() const { return valid() ? ticks * av_q2d(time_base) : 0.0; }
  /// The same instant in another time base (rounded to nearest; unknown stays unknown).
  Timestamp in(AVRational tb) const {
    if (!valid()) return {AV_NOPTS_VALUE, tb};
    return {av_rescale_q_rnd(ticks, time_base, tb,
                             static_cast<AVRounding>(AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX)),
            tb};
  }
  static Timestamp from_seconds(double s, AVRational tb) {
    return {static_cast<int64_t>(s / av_q2d(tb) + (s >= 0 ? 0.5 : -0.5)), tb};
  }
};

}  // namespace mw::av
