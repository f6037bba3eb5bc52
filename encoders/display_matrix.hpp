#pragma once
// The display transform of a video track: the 2x2 part of the ISO/IEC 14496-12 §8.2.2 (tkhd)
// display matrix, as libavutil/display.h exports it (AV_PKT_DATA_DISPLAYMATRIX). A point (p, q) of
// the coded picture maps to (a*p + c*q, b*p + d*q) of the displayed picture. Only the eight
// right-angle transforms (rotations by multiples of 90 degrees, with or without a mirror) are
// representable; anything else is treated as identity by the caller.

#include <cstdint>
#include <optional>
#include <string>

namespace mw::encoders {

struct DisplayTransform {
  int a = 1, b = 0, c = 0, d = 1;  ///< matrix entries, each -1, 0 or 1

  bool is_identity() const { return a == 1 && b == 0 && c == 0 && d == 1; }
  /// True when width and height trade places (a 90 or 270 degree turn).
  bool swaps_axes() const { return a == 0; }
  /// True when the transform includes a mirror (determinant -1).
  bool mirrored() const { return a * d - b * c < 0; }
  /// Clockwise rotation in degrees of the displayed picture relative to the coded one
  /// (0, 90, 180, 270), ignoring a mirror.
  int rotation_degrees() const;
  /// The libavfilter chain that turns the coded picture into the displayed one
  /// ("" for identity), e.g. "transpose=clock", "hflip,vflip", "transpose=cclock_flip".
  std::string filter_chain() const;
  /// Readable description, e.g. "rotate 90" or "rotate 90 + mirror".
  std::string describe() const;
};

/// Reads a 3x3 display matrix of 9 int32 (16.16 fixed point in a,b,c,d). Returns nullopt when the
/// matrix is not a right-angle transform (scaled or skewed).
std::optional<DisplayTransform> transform_from_matrix(const int32_t matrix[9]);

}  // namespace mw::encoders
