#pragma once
// The nominal frame rate of a video track from its presentation timestamps.

#include <cstdint>
#include <vector>

extern "C" {
#include <libavutil/rational.h>
}

namespace mw::encoders {

/// Frames per second from the interquartile mean of the intervals between sorted presentation
/// times (in `time_base` ticks): the nominal rate, not thrown off by a gap (frames the source
/// could not decode), by VFR jitter or by a coarse time base (60 fps in Matroska's 1 ms ticks
/// alternates 16 and 17 ms). Returns 0 for fewer than two timestamps.
double rate_from_timestamps(std::vector<int64_t> pts, AVRational time_base);

/// The same as a fraction, snapped to the common rates (24000/1001, 24, 25, 30000/1001, 30,
/// 50, 60000/1001, 60, ...) nearest within 0.5 %, else rounded to 1/1000.
AVRational snap_frame_rate(double fps);

}  // namespace mw::encoders
