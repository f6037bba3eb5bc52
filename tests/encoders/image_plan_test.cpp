// plan_images() and make_plan() for thumbnails on probed real clips: capture times from
// Start/Step/Range in each notation (the MES documentation's own examples), sizes, {Index} file
// names, sprites, and the preset mistakes that must fail with a message naming the field.

#include "encoders/image_plan.hpp"

#include <gtest/gtest.h>

#include <string>

#include "encoders/plan.hpp"
#include "encoders/probe.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
using presets::ImageCodec;
using presets::ImageLayer;
using presets::ImagePosition;
using presets::OutputFormat;

constexpr const char* kVfrClip =
    "vfr-640x360-h264-aac-17s.mp4";  // 17.06 s, 640x360, 30 fps average

ImageLayer layer(int width, int height, int width_percent = 0, int height_percent = 0) {
  ImageLayer l;
  l.width = width;
  l.height = height;
  l.width_percent = width_percent;
  l.height_percent = height_percent;
  return l;
}

presets::Preset thumbnails(ImageCodec codec,
                           std::string file_name = "{Basename}_{Index}{Extension}") {
  presets::Preset p;
  p.name = "thumbnails";
  presets::Output out;
  out.file_name = std::move(file_name);
  out.format = codec.format;
  p.outputs.push_back(out);
  p.images.push_back(std::move(codec));
  return p;
}

ImageCodec codec(ImagePosition start, std::optional<ImagePosition> step = std::nullopt,
                 std::optional<ImagePosition> range = std::nullopt,
                 std::vector<ImageLayer> layers = {layer(0, 0, 25, 25)}) {
  ImageCodec c;
  c.start = start;
  c.step = step;
  c.range = range;
  c.layers = std::move(layers);
  return c;
}

ImagePosition pct(double v) {
  return {ImagePosition::Unit::Percent, v};
}
ImagePosition sec(double v) {
  return {ImagePosition::Unit::Seconds, v};
}
ImagePosition frames(double v) {
  return {ImagePosition::Unit::Frame, v};
}

std::vector<ImagePlan> plan(const presets::Preset& preset, std::string_view clip = kVfrClip) {
  const MediaInfo info = probe(media(clip));
  return plan_images(preset, *info.primary_video(), info.primary_video()->duration_s, info.name,
                     info.path);
}

std::string configuration_error(const presets::Preset& preset, std::string_view clip = kVfrClip) {
  const auto error = encode_error_of([&] { plan(preset, clip); });
  if (!error) return "";
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  return error->what();
}

TEST(ImagePlan, MesSeriesSampleGivesTenImagesAtFiveToNinetyFivePercent) {
  // media-services-dotnet-generate-thumbnail-with-mes.md: Start 5%, Step 10%, Range 96%.
  const auto plans = plan(thumbnails(codec(pct(5), pct(10), pct(96))));
  ASSERT_EQ(plans.size(), 1u);
  const ImagePlan& p = plans[0];
  ASSERT_EQ(p.times_s.size(), 10u);
  const double duration = probe(media(kVfrClip)).primary_video()->duration_s;
  for (size_t i = 0; i < 10; ++i)
    EXPECT_NEAR(p.times_s[i], duration * (0.05 + 0.1 * static_cast<double>(i)), 1e-6);
  ASSERT_EQ(p.layers.size(), 1u);
  EXPECT_EQ(p.layers[0].width, 160);
  EXPECT_EQ(p.layers[0].height, 90);
  EXPECT_EQ(p.layers[0].qscale, 3);  // quality 90
  EXPECT_EQ(p.layers[0].file_names.front(), "vfr-640x360-h264-aac-17s_000001.jpg");
  EXPECT_EQ(p.layers[0].file_names.back(), "vfr-640x360-h264-aac-17s_000010.jpg");
}

TEST(ImagePlan, OneFrameRangeGivesOneImage) {
  // The MES "one image at a specific timestamp" sample: Start 00:00:30, Step 1, Range 1.
  const auto plans = plan(thumbnails(codec(sec(3), frames(1), frames(1))));
  ASSERT_EQ(plans[0].times_s, std::vector<double>{3.0});
}

TEST(ImagePlan, NoStepIsOneImageAndFramesUseTheAverageRate) {
  const auto plans = plan(thumbnails(codec(frames(60))));
  ASSERT_EQ(plans[0].times_s.size(), 1u);
  EXPECT_NEAR(plans[0].times_s[0], 2.0, 0.01);  // frame 60 at 30 fps
}

TEST(ImagePlan, BestIsOneCaptureDecidedInTheFirstSeconds) {
  const auto plans = plan(thumbnails(codec(ImagePosition{}, sec(1), sec(10))));
  EXPECT_TRUE(plans[0].best);
  EXPECT_EQ(plans[0].captures(), 1u);
  EXPECT_TRUE(plans[0].times_s.empty()) << "Step and Range are ignored with {Best}";
  EXPECT_EQ(plans[0].end_s, kBestWindowS);
}

TEST(ImagePlan, PortraitPhoneClipTurnsThePixelBoxAndTheFilterTurnsThePicture) {
  const auto plans = plan(thumbnails(codec(sec(0), std::nullopt, std::nullopt, {layer(320, 180)})),
                          "phone-portrait-4k60-h264-rotate90.mp4");
  EXPECT_EQ(plans[0].layers[0].width, 180);
  EXPECT_EQ(plans[0].layers[0].height, 320);
  // Scaled in the coded (landscape) orientation, then turned, then full-range JPEG pixels.
  EXPECT_TRUE(contains(plans[0].filter, "scale=w=320:h=180")) << plans[0].filter;
  EXPECT_TRUE(contains(plans[0].filter, "transpose=clock")) << plans[0].filter;
  EXPECT_TRUE(contains(plans[0].filter, "out_range=pc")) << plans[0].filter;
  EXPECT_TRUE(contains(plans[0].filter, "format=yuvj420p[v0]")) << plans[0].filter;
}

TEST(ImagePlan, LayersOfOneCaptureShareTheIndexAndDifferByResolution) {
  auto c = codec(pct(50), std::nullopt, std::nullopt, {layer(0, 0, 100, 100), layer(0, 0, 50, 50)});
  c.format = OutputFormat::Png;
  const auto plans = plan(thumbnails(c, "{Basename}_{Resolution}_{Index}{Extension}"));
  ASSERT_EQ(plans[0].layers.size(), 2u);
  EXPECT_EQ(plans[0].layers[0].file_names[0], "vfr-640x360-h264-aac-17s_640x360_000001.png");
  EXPECT_EQ(plans[0].layers[1].file_names[0], "vfr-640x360-h264-aac-17s_320x180_000001.png");
  EXPECT_TRUE(contains(plans[0].filter, "split=2")) << plans[0].filter;
  EXPECT_TRUE(contains(plans[0].filter, "format=rgb24[v1]")) << plans[0].filter;
  // Without a size in the name the two layers would write one file.
  EXPECT_TRUE(contains(configuration_error(thumbnails(c)),
                       "gives 'vfr-640x360-h264-aac-17s_000001.png' twice"));
}

TEST(ImagePlan, FileNameNeedsExactlyOneIndexAndOnlyThumbnailMacros) {
  EXPECT_TRUE(contains(configuration_error(thumbnails(codec(sec(1)), "{Basename}{Extension}")),
                       "must contain {Index} exactly once (MES), not 0 times"));
  EXPECT_TRUE(contains(configuration_error(thumbnails(codec(sec(1)), "{Index}_{Index}{Extension}")),
                       "not 2 times"));
  EXPECT_TRUE(
      contains(configuration_error(thumbnails(codec(sec(1)), "{Basename}_{Bitrate}_{Index}.jpg")),
               "{Bitrate} is not a thumbnail macro"));
}

TEST(ImagePlan, TimesBeyondTheEndFailStepsStopAtTheEnd) {
  const std::string message = configuration_error(thumbnails(codec(sec(60))));
  EXPECT_TRUE(contains(
      message, "JpgImage 1 Start 60.000 s is beyond the input's duration (17.063 s)"))
      << message;
  // A frame number is given in seconds too.
  const std::string frame = configuration_error(thumbnails(codec(frames(999999))));
  EXPECT_TRUE(contains(frame, "Start frame 999999 (33326.746 s) is beyond")) << frame;
  // A Step under a millisecond is shown as it is, not as "0.000 s".
  const std::string tiny = configuration_error(thumbnails(codec(sec(0), sec(1e-7), std::nullopt)));
  EXPECT_TRUE(contains(tiny, "Step 1e-07 s makes more than 100000 images")) << tiny;
  EXPECT_TRUE(
      contains(configuration_error(thumbnails(codec(pct(100)))), "beyond the input's duration"));
  // A Range past the end is cut at the end, as the default Range (100%) is.
  const auto plans = plan(thumbnails(codec(sec(10), sec(3), sec(60))));
  EXPECT_EQ(plans[0].times_s, (std::vector<double>{10, 13, 16}));
  EXPECT_TRUE(contains(configuration_error(thumbnails(codec(sec(1), sec(0)))),
                       "Step 0.000 s must be above 0"));
}

TEST(ImagePlan, EveryImageCodecNeedsAnOutputOfItsFormatAndTheReverse) {
  auto no_output = thumbnails(codec(sec(1)));
  no_output.outputs[0].format = OutputFormat::Png;
  const std::string message = configuration_error(no_output);
  EXPECT_TRUE(contains(message, "JpgImage 1 has no output with Format JpgFormat")) << message;
  auto extra = thumbnails(codec(sec(1)));
  presets::Output bmp;
  bmp.file_name = "x_{Index}.bmp";
  bmp.format = OutputFormat::Bmp;
  extra.outputs.push_back(bmp);
  EXPECT_TRUE(
      contains(configuration_error(extra),
               "output 'x_{Index}.bmp' has Format BmpFormat but the preset has no BmpImage"));
}

TEST(ImagePlan, SpriteIsOneGridWithItsVttAndHasLimits) {
  auto c = codec(sec(0), pct(10), pct(100), {layer(0, 0, 10, 10)});
  c.sprite_columns = 4;
  const auto plans = plan(thumbnails(c));
  const ImageLayerPlan& l = plans[0].layers[0];
  EXPECT_EQ(plans[0].times_s.size(), 10u);
  EXPECT_EQ(l.width, 64);
  EXPECT_EQ(l.height, 36);
  EXPECT_EQ(l.sprite_width, 4 * 64);
  EXPECT_EQ(l.sprite_height, 3 * 36);
  EXPECT_TRUE(l.file_names.empty());
  EXPECT_EQ(l.sprite_file_name, "vfr-640x360-h264-aac-17s_000001.jpg");
  EXPECT_EQ(l.vtt_file_name, "vfr-640x360-h264-aac-17s_000001.vtt");

  auto huge = codec(sec(0), sec(0.5), std::nullopt, {layer(0, 0, 100, 100)});
  huge.sprite_columns = 10;
  const std::string message = configuration_error(thumbnails(huge));
  EXPECT_TRUE(contains(message, "JpgImage 1 SpriteColumn 10: sprite of 35 images of 640x360 in 10 columns is 6400x1440"))
      << message;
  auto by_frames = codec(frames(0), frames(30), std::nullopt);
  by_frames.sprite_columns = 2;
  EXPECT_TRUE(contains(configuration_error(thumbnails(by_frames)), "must be times or percents"));
  auto png = codec(sec(0), sec(1), std::nullopt);
  png.sprite_columns = 2;
  png.format = OutputFormat::Png;
  EXPECT_TRUE(contains(configuration_error(thumbnails(png)), "sprites are JPEG only"));
}

TEST(ImagePlan, ThumbnailOnlyPresetDecodesVideoAndEncodesNothingElse) {
  const EncodePlan p = make_plan(thumbnails(codec(sec(1))), probe(media(kVfrClip)));
  EXPECT_GE(p.video_stream, 0);
  EXPECT_EQ(p.audio_stream, -1);
  EXPECT_TRUE(p.video.empty());
  EXPECT_TRUE(p.outputs.empty());
  ASSERT_EQ(p.images.size(), 1u);
  EXPECT_EQ(p.images[0].times_s, std::vector<double>{1.0});
  // Decoding stops a frame after the last capture rather than at the end of the 17 s clip.
  EXPECT_NEAR(p.max_duration_s, 1.033, 0.002);
  EXPECT_NEAR(p.duration_s, 1.033, 0.002);
}

TEST(ImagePlan, JpegQualityMapsToMjpegQscale) {
  EXPECT_EQ(jpeg_qscale(100), 1);
  EXPECT_EQ(jpeg_qscale(90), 3);
  EXPECT_EQ(jpeg_qscale(75), 8);
  EXPECT_EQ(jpeg_qscale(50), 15);
  EXPECT_EQ(jpeg_qscale(1), 31);
}

TEST(ImagePlan, VttTimestampsAreHoursMinutesSecondsMilliseconds) {
  EXPECT_EQ(vtt_timestamp(0), "00:00:00.000");
  EXPECT_EQ(vtt_timestamp(3725.5), "01:02:05.500");
  EXPECT_EQ(vtt_timestamp(1.0 / 3), "00:00:00.333");
}

}  // namespace
}  // namespace mw::encoders
