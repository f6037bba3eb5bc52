#include "encoders/display_matrix.hpp"

#include <cmath>

namespace mw::encoders {

namespace {
// 16.16 fixed point to the nearest of -1, 0, 1, or 2 (not a unit value).
int unit(int32_t fixed) {
  const double v = fixed / 65536.0;
  if (std::abs(v) < 0.01) return 0;
  if (std::abs(v - 1.0) < 0.01) return 1;
  if (std::abs(v + 1.0) < 0.01) return -1;
  return 2;
}
}  // namespace

std::optional<DisplayTransform> transform_from_matrix(const int32_t matrix[9]) {
  // libavutil/display.h layout: a=m[0] b=m[1] c=m[3] d=m[4].
  DisplayTransform t{unit(matrix[0]), unit(matrix[1]), unit(matrix[3]), unit(matrix[4])};
  for (int v : {t.a, t.b, t.c, t.d})
    if (v == 2) return std::nullopt;
  const bool axis_aligned = (t.b == 0 && t.c == 0 && t.a != 0 && t.d != 0);
  const bool axis_swapped = (t.a == 0 && t.d == 0 && t.b != 0 && t.c != 0);
  if (!axis_aligned && !axis_swapped) return std::nullopt;
  return t;
}

int DisplayTransform::rotation_degrees() const {
  // Output (x, y) = (a*p + c*q, b*p + d*q) with y pointing down. The coded top row (q = 0) ends
  // up along direction (a, b); a clockwise turn by 90 sends it to (0, 1) (the right column).
  if (a == 1 && b == 0) return 0;
  if (a == 0 && b == 1) return 90;
  if (a == -1 && b == 0) return 180;
  return 270;
}

std::string DisplayTransform::filter_chain() const {
  // Each case maps to the libavfilter transpose/hflip/vflip chain (doc/filters.texi, transpose:
  // 0 cclock_flip = plain transpose (x,y)->(y,x), 1 clock, 2 cclock, 3 clock_flip).
  if (a == 1 && d == 1) return "";
  if (a == -1 && d == -1) return "hflip,vflip";
  if (a == -1 && d == 1) return "hflip";
  if (a == 1 && d == -1) return "vflip";
  if (b == 1 && c == -1) return "transpose=clock";
  if (b == -1 && c == 1) return "transpose=cclock";
  if (b == 1 && c == 1) return "transpose=cclock_flip";
  return "transpose=clock_flip";  // b == -1 && c == -1
}

std::string DisplayTransform::describe() const {
  std::string s = "rotate " + std::to_string(rotation_degrees());
  if (mirrored()) s += " + mirror";
  return s;
}

}  // namespace mw::encoders
