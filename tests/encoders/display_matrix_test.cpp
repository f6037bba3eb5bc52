#include "encoders/display_matrix.hpp"

#include <gtest/gtest.h>

extern "C" {
#include <libavutil/display.h>
}

namespace mw::encoders {
namespace {

DisplayTransform from(const int32_t (&m)[9]) {
  auto t = transform_from_matrix(m);
  EXPECT_TRUE(t.has_value());
  return t.value_or(DisplayTransform{});
}

TEST(DisplayMatrix, PhoneRotationIsAClockwiseTurn) {
  // The matrix of phone-portrait-4k60-h264-rotate90.mp4 (ffprobe: "rotation -90", i.e. 90
  // degrees clockwise); av_display_rotation_set takes a clockwise angle and writes the same.
  const int32_t m[9] = {0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30};
  int32_t set[9];
  av_display_rotation_set(set, 90);
  EXPECT_EQ(from(set).filter_chain(), from(m).filter_chain());
  const DisplayTransform t = from(m);
  EXPECT_EQ(t.rotation_degrees(), 90);
  EXPECT_FALSE(t.mirrored());
  EXPECT_TRUE(t.swaps_axes());
  EXPECT_EQ(t.filter_chain(), "transpose=clock");
}

TEST(DisplayMatrix, UpsideDownScreenRecordingFlipsBothAxes) {
  int32_t m[9];
  av_display_rotation_set(m, 180);
  const DisplayTransform t = from(m);
  EXPECT_EQ(t.rotation_degrees(), 180);
  EXPECT_FALSE(t.swaps_axes());
  EXPECT_EQ(t.filter_chain(), "hflip,vflip");
}

TEST(DisplayMatrix, RotateAndMirrorMatrixIsAPlainTranspose) {
  // The matrix of clip-1080x720-h264-rotate-and-mirror.mp4: a=0 b=1 c=1 d=0.
  const int32_t m[9] = {0, 65536, 0, 65536, 0, 0, 0, 0, 1 << 30};
  const DisplayTransform t = from(m);
  EXPECT_TRUE(t.mirrored());
  EXPECT_TRUE(t.swaps_axes());
  EXPECT_EQ(t.filter_chain(), "transpose=cclock_flip");
  EXPECT_EQ(t.describe(), "rotate 90 + mirror");
}

TEST(DisplayMatrix, HorizontalMirrorAlone) {
  int32_t m[9];
  av_display_rotation_set(m, 0);
  av_display_matrix_flip(m, 1, 0);
  const DisplayTransform t = from(m);
  EXPECT_TRUE(t.mirrored());
  EXPECT_EQ(t.filter_chain(), "hflip");
}

TEST(DisplayMatrix, ScaledMatrixIsNotARightAngleTransform) {
  const int32_t m[9] = {2 * 65536, 0, 0, 0, 65536, 0, 0, 0, 1 << 30};
  EXPECT_FALSE(transform_from_matrix(m).has_value());
}

TEST(DisplayMatrix, IdentityNeedsNoFilter) {
  int32_t m[9];
  av_display_rotation_set(m, 0);
  EXPECT_TRUE(from(m).is_identity());
  EXPECT_EQ(from(m).filter_chain(), "");
}

}  // namespace
}  // namespace mw::encoders
