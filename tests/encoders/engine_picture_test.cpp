// What the encoded pictures and sound look like: rotated and mirrored inputs come out as their
// display matrix says (checked by turning a decoded input picture in the test, pixel by pixel),
// HDR10 comes out tone-mapped rather than washed out, and 24-bit PCM comes out as the quiet
// original rather than as noise. Pictures are compared as small 8-bit luma images
// (decoded_media.hpp); encodes are shared with engine_test.cpp (encode_cache.hpp).

#include <gtest/gtest.h>

#include <string>

#include "encoders/engine.hpp"
#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/encode_cache.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

// Two pictures of one scene after x264 at 4500 kbps and two scalers differ by a few levels;
// a wrongly turned picture differs by tens.
constexpr double kSamePicture = 8.0;
constexpr double kClearlyDifferent = 2.0;  // wrong transform's difference / right one's

/// The picture at `at_s` of `clip`'s input, small (w x h as coded), turned by `m`, against
/// the same instant of its encode (decoded at the turned size).
struct TurnedComparison {
  GrayImage expected;  ///< the input picture with `m` applied by the test
  GrayImage output;    ///< the encoded picture
};

TurnedComparison compare_turned(const EncodedClip& e, double at_s, int coded_w, int coded_h,
                                Matrix2 m) {
  TurnedComparison c;
  c.expected = apply_matrix(decode_gray_frame(media(e.clip), at_s, coded_w, coded_h), m);
  c.output = decode_gray_frame(e.file().string(), at_s, c.expected.width, c.expected.height);
  return c;
}

TEST(EncodedPicture, UpsideDownScreenRecordingIsTurned180Degrees) {
  const auto& e = EncodeCache::get("screen-720p30-h264-aac-rotate180.mp4", kVideoPreset);
  ASSERT_TRUE(e.result) << e.error;
  const Matrix2 m = display_matrix_of(media(e.clip));
  ASSERT_EQ(m.a, -1);
  ASSERT_EQ(m.d, -1);
  const auto turned = compare_turned(e, 1.0, 160, 90, m);
  const GrayImage as_coded = decode_gray_frame(media(e.clip), 1.0, 160, 90);
  const double right = mean_abs_diff(turned.output, turned.expected);
  const double unturned = mean_abs_diff(turned.output, as_coded);
  EXPECT_LT(right, kSamePicture);
  EXPECT_GT(unturned, kClearlyDifferent * right) << "the output looks like the unturned input";
}

TEST(EncodedPicture, RotateAndMirrorClipIsTransposedNotJustRotated) {
  const auto& e = EncodeCache::get("clip-1080x720-h264-rotate-and-mirror.mp4", kVideoPreset);
  ASSERT_TRUE(e.result) << e.error;
  const Matrix2 m = display_matrix_of(media(e.clip));
  ASSERT_EQ(m.b, 1);  // a plain transpose: out(x, y) = in(y, x)
  ASSERT_EQ(m.c, 1);
  const auto turned = compare_turned(e, 0.5, 150, 100, m);
  // What a rotation-only reading of the matrix (90 degrees clockwise) would produce.
  const GrayImage rotated_only =
      apply_matrix(decode_gray_frame(media(e.clip), 0.5, 150, 100), {0, 1, -1, 0});
  const double right = mean_abs_diff(turned.output, turned.expected);
  const double mirrored = mean_abs_diff(turned.output, rotated_only);
  EXPECT_LT(right, kSamePicture);
  EXPECT_GT(mirrored, kClearlyDifferent * right) << "the output is the rotated, unmirrored input";
}

TEST(EncodedPicture, PhonePortraitClipIsTurnedClockwiseUpright) {
  const auto& e = EncodeCache::get("phone-portrait-4k60-h264-rotate90.mp4", kVideoPreset);
  ASSERT_TRUE(e.result) << e.error;
  const Matrix2 m = display_matrix_of(media(e.clip));
  ASSERT_EQ(m.b, 1);  // (x, y) -> (-y, x): clockwise with y pointing down
  ASSERT_EQ(m.c, -1);
  const auto turned = compare_turned(e, 0.15, 160, 90, m);
  const GrayImage counter_clockwise =
      apply_matrix(decode_gray_frame(media(e.clip), 0.15, 160, 90), {0, -1, 1, 0});
  const double right = mean_abs_diff(turned.output, turned.expected);
  const double wrong_way = mean_abs_diff(turned.output, counter_clockwise);
  EXPECT_LT(right, kSamePicture);
  EXPECT_GT(wrong_way, kClearlyDifferent * right) << "the output is turned the wrong way";
}

TEST(EncodedPicture, OddSizedClipKeepsItsPicture) {
  // 161x121 scaled into 958x720 (even sizes for 4:2:0): the same picture, not a black or
  // shifted one.
  const auto& e = EncodeCache::get("bear-161x121-vp9-odd-size.webm", kVideoPreset);
  ASSERT_TRUE(e.result) << e.error;
  const auto same = compare_turned(e, 0.5, 80, 60, {});
  EXPECT_LT(mean_abs_diff(same.output, same.expected), kSamePicture);
  EXPECT_GT(same.output.stddev(), 10.0);
}

TEST(EncodedPicture, Hdr10ClipIsToneMappedNotWashedOutNorClipped) {
  const auto& e = EncodeCache::get("hdr10-1080p30-hevc-10bit-aac.mp4", kVideoPreset);
  ASSERT_TRUE(e.result) << e.error;
  const GrayImage out = decode_gray_frame(e.file().string(), 0.5, 160, 90);
  // The PQ code values shown as if they were SDR: what skipping the conversion looks like
  // (mean 122, std dev 40: washed out). Converting to BT.709 without tone mapping instead
  // burns a quarter of the picture to white (mean 185). The tone-mapped frame: mean 133, std
  // dev 56, 0.4 % at white.
  const GrayImage naive = decode_gray_frame(media(e.clip), 0.5, 160, 90);
  EXPECT_GT(out.mean(), 60.0) << "too dark";
  EXPECT_LT(out.mean(), 170.0) << "too bright";
  EXPECT_LT(out.share_at_least(250), 0.05) << "highlights burnt to white";
  EXPECT_GT(out.stddev(), 45.0) << "flat, grey picture";
  EXPECT_GT(out.stddev(), 1.25 * naive.stddev()) << "no more contrast than the unconverted input";
}

TEST(EncodedSound, Pcm24BitClipComesOutQuietNotAsNoise) {
  const auto& e = EncodeCache::get("clip-pcm-24bit-in-mp4.mp4", kVideoPreset);
  ASSERT_TRUE(e.result) << e.error;
  // libavformat 5.1 alone reads these 24-bit samples as 16-bit ones: noise at about -9 dBFS.
  EXPECT_LT(mean_volume_db(e.file().string()), -40.0);
  EXPECT_GT(mean_volume_db(e.file().string()), -90.0) << "silence: the audio was dropped";
}

TEST(EncodedSound, Pcm24BitClipSoundsLikeTheSameTakeEncodedAsAac) {
  // clip-1080x720-h264-aac-mono-1s.mp4 is the same take with AAC audio: both outputs must be
  // about as loud.
  const auto& pcm = EncodeCache::get("clip-pcm-24bit-in-mp4.mp4", kVideoPreset);
  const auto& aac = EncodeCache::get("clip-1080x720-h264-aac-mono-1s.mp4", kVideoPreset);
  ASSERT_TRUE(pcm.result) << pcm.error;
  ASSERT_TRUE(aac.result) << aac.error;
  EXPECT_NEAR(mean_volume_db(pcm.file().string()), mean_volume_db(aac.file().string()), 6.0);
}

}  // namespace
}  // namespace mw::encoders
