// Thumbnails (MES JpgImage / PngImage / BmpImage, AMS-V2-REFERENCE.md §8) made by
// encoders::encode() on real clips: how many images at which times, their sizes and formats,
// that each shows the source picture of its time (compared with a frame decoded by plain libav,
// decoded_media.hpp), {Best} skipping a fade from black, rotation, sprites with their WebVTT
// cues, and the errors of presets that cannot be applied.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "encoders/engine.hpp"
#include "encoders/thumbnail_stage.hpp"
#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/encode_cache.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
using presets::ImageCodec;
using presets::ImageLayer;
using presets::ImagePosition;
using presets::OutputFormat;

constexpr const char* kVfrClip = "vfr-640x360-h264-aac-17s.mp4";  // 17.06 s, 640x360
constexpr const char* kShortClip =
    "bbb-800x640-h264-video-only-14s.mp4";  // 4 s from pts 10 s, 800x640 30 fps

// A thumbnail and the source picture of its time differ by JPEG and scaling only: 0.7 to 2.3
// levels on these clips.
// Pictures a second apart in these clips differ by 9 to 35 levels.
constexpr double kSamePicture = 4.0;

ImagePosition seconds(double s) {
  return {ImagePosition::Unit::Seconds, s};
}
ImagePosition percent(double p) {
  return {ImagePosition::Unit::Percent, p};
}
ImagePosition frame(double n) {
  return {ImagePosition::Unit::Frame, n};
}

ImageLayer pixels(int width, int height) {
  ImageLayer l;
  l.width = width;
  l.height = height;
  return l;
}
ImageLayer percent_size(int width_percent, int height_percent) {
  ImageLayer l;
  l.width_percent = width_percent;
  l.height_percent = height_percent;
  return l;
}

ImageCodec image_codec(OutputFormat format, ImagePosition start, std::optional<ImagePosition> step,
                       std::optional<ImagePosition> range, std::vector<ImageLayer> layers) {
  ImageCodec c;
  c.format = format;
  c.start = start;
  c.step = step;
  c.range = range;
  c.layers = std::move(layers);
  return c;
}

presets::Output image_output(OutputFormat format,
                             std::string file_name = "{Basename}_{Index}{Extension}") {
  presets::Output o;
  o.file_name = std::move(file_name);
  o.format = format;
  return o;
}

/// A thumbnail-only preset: one image codec and its output.
presets::Preset thumbnail_preset(ImageCodec codec) {
  presets::Preset p;
  p.name = "thumbnails";
  p.origin = "inline";
  p.outputs.push_back(image_output(codec.format));
  p.images.push_back(std::move(codec));
  return p;
}

EncodeResult encode_with(const presets::Preset& preset, const std::string& clip, const TempDir& dir,
                         ProgressListener* listener = nullptr) {
  EncodeRequest request;
  request.input = media(clip);
  request.preset = &preset;
  request.output_dir = dir.path();
  return encode(request, listener, std::stop_token{});
}

struct ImageInfo {
  AVCodecID codec = AV_CODEC_ID_NONE;
  int width = 0, height = 0;
};

/// What libavformat reads in an image file (its image2 demuxer picks the codec by content).
ImageInfo image_info(const std::filesystem::path& file) {
  detail::Input in = detail::open(file.string());
  const AVCodecParameters* par = in->streams[0]->codecpar;
  return {par->codec_id, par->width, par->height};
}

/// The files of a result with a given MIME type, in order.
std::vector<OutputAssetFile> files_of(const EncodeResult& r, std::string_view mime) {
  std::vector<OutputAssetFile> out;
  for (const auto& f : r.files)
    if (f.mime_type == mime) out.push_back(f);
  return out;
}

/// How far a thumbnail is from the source picture of its time (and, to show the comparison can
/// tell pictures apart, from the source picture of another time), as small luma pictures.
struct Match {
  double right = 0, other = 0;
};
struct Capture {
  std::filesystem::path thumbnail;
  double at_s = 0, other_s = 0;
};
std::vector<Match> compare_with_source(const std::vector<Capture>& captures,
                                       const std::string& clip) {
  std::vector<double> times;
  for (const auto& c : captures) times.push_back(c.at_s);
  for (const auto& c : captures) times.push_back(c.other_s);
  const auto source = decode_gray_frames(media(clip), times, 64, 36);  // one pass over the clip
  std::vector<Match> matches;
  for (size_t i = 0; i < captures.size(); ++i) {
    const GrayImage thumb = decode_gray_frame(captures[i].thumbnail.string(), 0, 64, 36);
    matches.push_back(
        {mean_abs_diff(thumb, source[i]), mean_abs_diff(thumb, source[captures.size() + i])});
  }
  return matches;
}
Match compare_with_source(const std::filesystem::path& thumbnail, const std::string& clip,
                          double at_s, double other_s) {
  return compare_with_source({{thumbnail, at_s, other_s}}, clip).front();
}

TEST(Thumbnails, EveryTwoSecondsOfA17SecondClipShowTheSourceAtThoseTimes) {
  TempDir dir;
  const auto preset = thumbnail_preset(
      image_codec(OutputFormat::Jpg, seconds(0), seconds(2), std::nullopt, {pixels(320, 180)}));
  ProgressRecorder progress(dir.path());
  const EncodeResult r = encode_with(preset, kVfrClip, dir, &progress);

  const auto jpegs = files_of(r, "image/jpeg");
  ASSERT_EQ(jpegs.size(), 9u);  // 0, 2, ..., 16 s of 17.06 s
  EXPECT_EQ(jpegs[0].name, "vfr-640x360-h264-aac-17s_000001.jpg");
  EXPECT_EQ(jpegs[8].name, "vfr-640x360-h264-aac-17s_000009.jpg");
  EXPECT_TRUE(jpegs[0].is_primary);
  std::vector<Capture> captures;
  for (size_t i = 0; i < jpegs.size(); ++i) {
    const auto info = image_info(dir.path() / jpegs[i].name);
    EXPECT_EQ(info.codec, AV_CODEC_ID_MJPEG);
    EXPECT_EQ(info.width, 320);
    EXPECT_EQ(info.height, 180);
    EXPECT_GT(jpegs[i].size_bytes, 2000);
    const double t = 2.0 * static_cast<double>(i);
    captures.push_back({dir.path() / jpegs[i].name, t, t < 8 ? t + 1.5 : t - 1.5});
  }
  const auto matches = compare_with_source(captures, kVfrClip);
  for (size_t i = 0; i < matches.size(); ++i) {
    EXPECT_LT(matches[i].right, kSamePicture)
        << "thumbnail " << i + 1 << " at " << captures[i].at_s << " s";
    EXPECT_LT(2 * matches[i].right, matches[i].other)
        << "thumbnail " << i + 1 << " looks like another time";
  }
  // A thumbnail-only task still gets both metadata files, after the images.
  EXPECT_EQ(r.files.back().mime_type, "application/xml");
  EXPECT_EQ(entries_of(dir.path()).size(), 9u + 2u) << "no temporary file is left";
  // Progress follows the frames the thumbnail stage has seen, then 100 with every file in place.
  const auto values = progress.values();
  ASSERT_GE(values.size(), 10u);
  EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
  EXPECT_GT(values[values.size() - 2], 90.0);
  EXPECT_EQ(values.back(), 100.0);
  EXPECT_EQ(progress.folder_at_100().size(), 9u + 2u);
}

TEST(Thumbnails, PercentPositionsArePercentsOfTheDuration) {
  TempDir dir;
  const auto preset = thumbnail_preset(image_codec(OutputFormat::Jpg, percent(10), percent(20),
                                                   std::nullopt, {percent_size(25, 25)}));
  const EncodeResult r = encode_with(preset, kVfrClip, dir);
  const auto jpegs = files_of(r, "image/jpeg");
  ASSERT_EQ(jpegs.size(), 5u);  // 10, 30, 50, 70, 90 %
  const double duration = 17.063;
  std::vector<Capture> captures;
  for (size_t i = 0; i < jpegs.size(); ++i) {
    const auto info = image_info(dir.path() / jpegs[i].name);
    EXPECT_EQ(info.width, 160);
    EXPECT_EQ(info.height, 90);
    const double t = duration * (0.1 + 0.2 * static_cast<double>(i));
    captures.push_back({dir.path() / jpegs[i].name, t, t + 1.5});
  }
  const auto matches = compare_with_source(captures, kVfrClip);
  for (size_t i = 0; i < matches.size(); ++i) {
    EXPECT_LT(matches[i].right, kSamePicture) << "thumbnail at " << captures[i].at_s << " s";
    EXPECT_LT(2 * matches[i].right, matches[i].other)
        << "thumbnail at " << captures[i].at_s << " s looks like another time";
  }
}

TEST(Thumbnails, FrameNumbersCountFramesOfTheSource) {
  // Frames 15, 45 and 75 of a 30 fps clip: 0.5, 1.5 and 2.5 s (Range 90 frames from frame 15).
  TempDir dir;
  const auto preset = thumbnail_preset(
      image_codec(OutputFormat::Jpg, frame(15), frame(30), frame(90), {pixels(200, 160)}));
  const EncodeResult r = encode_with(preset, kShortClip, dir);
  const auto jpegs = files_of(r, "image/jpeg");
  ASSERT_EQ(jpegs.size(), 3u);
  std::vector<Capture> captures;
  for (size_t i = 0; i < jpegs.size(); ++i) {
    const double t = 0.5 + static_cast<double>(i);
    captures.push_back({dir.path() / jpegs[i].name, t, t < 2 ? t + 1.4 : t - 1.4});
  }
  const auto matches = compare_with_source(captures, kShortClip);
  for (size_t i = 0; i < matches.size(); ++i) {
    EXPECT_LT(matches[i].right, kSamePicture) << "frame " << 15 + 30 * i;
    EXPECT_LT(2 * matches[i].right, matches[i].other)
        << "frame " << 15 + 30 * i << " looks like another time";
  }
}

TEST(Thumbnails, BestSkipsTheFadeFromBlack) {
  // Big Buck Bunny opens black and fades in over two seconds.
  const std::string clip = "bbb-1080p24-mpeg2-mp2.ts";
  ASSERT_LT(decode_gray_frame(media(clip), 0, 64, 36).mean(), 10.0) << "the clip should open black";
  TempDir dir;
  const auto preset = thumbnail_preset(image_codec(OutputFormat::Jpg, ImagePosition{}, std::nullopt,
                                                   std::nullopt, {percent_size(10, 10)}));
  const EncodeResult r = encode_with(preset, clip, dir);
  const auto jpegs = files_of(r, "image/jpeg");
  ASSERT_EQ(jpegs.size(), 1u);
  EXPECT_EQ(jpegs[0].name, "bbb-1080p24-mpeg2-mp2_000001.jpg");
  const auto info = image_info(dir.path() / jpegs[0].name);
  EXPECT_EQ(info.width, 192);
  EXPECT_EQ(info.height, 108);
  const GrayImage best = decode_gray_frame((dir.path() / jpegs[0].name).string(), 0, 64, 36);
  EXPECT_GE(best.mean(), kBestMinMean - 5) << "a black or fading frame was chosen";
  EXPECT_GE(best.stddev(), kBestMinStddev - 3) << "a flat frame was chosen";
}

TEST(Thumbnails, PngAndBmpDecodeBackAtTheirSizes) {
  TempDir dir;
  presets::Preset preset;
  preset.name = "png and bmp";
  preset.images.push_back(image_codec(OutputFormat::Png, seconds(1), std::nullopt, std::nullopt,
                                      {percent_size(50, 50), pixels(100, 0)}));
  preset.images.push_back(
      image_codec(OutputFormat::Bmp, seconds(2), std::nullopt, std::nullopt, {pixels(0, 128)}));
  preset.outputs.push_back(
      image_output(OutputFormat::Png, "{Basename}_{Resolution}_{Index}{Extension}"));
  preset.outputs.push_back(
      image_output(OutputFormat::Bmp, "still_{Width}x{Height}_{Index}{Extension}"));
  const EncodeResult r = encode_with(preset, kShortClip, dir);

  const auto pngs = files_of(r, "image/png");
  ASSERT_EQ(pngs.size(), 2u);
  // 800x640 coded with pixels of 1137:800: the displayed picture is 1137x640 square pixels.
  EXPECT_EQ(pngs[0].name, "bbb-800x640-h264-video-only-14s_569x320_000001.png");
  EXPECT_EQ(pngs[1].name,
            "bbb-800x640-h264-video-only-14s_100x56_000001.png");  // 56 from the aspect
  const auto png = image_info(dir.path() / pngs[0].name);
  EXPECT_EQ(png.codec, AV_CODEC_ID_PNG);
  EXPECT_EQ(png.width, 569);
  EXPECT_EQ(png.height, 320);
  const auto bmps = files_of(r, "image/bmp");
  ASSERT_EQ(bmps.size(), 1u);
  EXPECT_EQ(bmps[0].name, "still_227x128_000001.bmp");
  const auto bmp = image_info(dir.path() / bmps[0].name);
  EXPECT_EQ(bmp.codec, AV_CODEC_ID_BMP);
  EXPECT_EQ(bmp.width, 227);
  EXPECT_EQ(bmp.height, 128);
  // Lossless formats: the picture is the source's, and not upside down or colour-swapped.
  EXPECT_LT(compare_with_source(dir.path() / pngs[0].name, kShortClip, 1.0, 3.0).right,
            kSamePicture);
  EXPECT_LT(compare_with_source(dir.path() / bmps[0].name, kShortClip, 2.0, 0.5).right,
            kSamePicture);
}

TEST(Thumbnails, PhonePortraitClipGivesUprightPortraitThumbnails) {
  const std::string clip = "phone-portrait-4k60-h264-rotate90.mp4";  // 3840x2160 coded, rotation 90
  TempDir dir;
  const auto preset = thumbnail_preset(image_codec(OutputFormat::Jpg, seconds(0.1), std::nullopt,
                                                   std::nullopt, {percent_size(10, 10)}));
  const EncodeResult r = encode_with(preset, clip, dir);
  const auto jpegs = files_of(r, "image/jpeg");
  ASSERT_EQ(jpegs.size(), 1u);
  const auto info = image_info(dir.path() / jpegs[0].name);
  EXPECT_EQ(info.width, 216);
  EXPECT_EQ(info.height, 384);
  // The source picture turned as its display matrix says, against the other way round.
  const Matrix2 m = display_matrix_of(media(clip));
  const GrayImage coded = decode_gray_frame(media(clip), 0.1, 160, 90);
  const GrayImage upright = apply_matrix(coded, m);
  const GrayImage wrong_way = apply_matrix(coded, {0, -1, 1, 0});
  const GrayImage thumb = decode_gray_frame((dir.path() / jpegs[0].name).string(), 0, 90, 160);
  EXPECT_LT(mean_abs_diff(thumb, upright), 8.0);
  EXPECT_GT(mean_abs_diff(thumb, wrong_way), 2 * mean_abs_diff(thumb, upright));
}

TEST(Thumbnails, Hdr10ClipGivesToneMappedThumbnails) {
  // As the H.264 layers (engine_picture_test.cpp): PQ code values shown as SDR look washed out.
  const std::string clip = "hdr10-1080p30-hevc-10bit-aac.mp4";
  TempDir dir;
  const auto preset = thumbnail_preset(
      image_codec(OutputFormat::Jpg, seconds(0.5), std::nullopt, std::nullopt, {pixels(320, 180)}));
  const EncodeResult r = encode_with(preset, clip, dir);
  const auto jpegs = files_of(r, "image/jpeg");
  ASSERT_EQ(jpegs.size(), 1u);
  const GrayImage thumb = decode_gray_frame((dir.path() / jpegs[0].name).string(), 0, 160, 90);
  const GrayImage naive = decode_gray_frame(media(clip), 0.5, 160, 90);
  EXPECT_GT(thumb.mean(), 60.0) << "too dark";
  EXPECT_LT(thumb.mean(), 170.0) << "too bright";
  EXPECT_LT(thumb.share_at_least(250), 0.05) << "highlights burnt to white";
  EXPECT_GT(thumb.stddev(), 1.25 * naive.stddev()) << "no more contrast than the unconverted input";
}

TEST(Thumbnails, SpriteTilesEveryCaptureAndItsVttPointsAtEachTile) {
  TempDir dir;
  auto codec =
      image_codec(OutputFormat::Jpg, seconds(0), seconds(2), seconds(10), {pixels(64, 36)});
  codec.sprite_columns = 3;
  const auto preset = thumbnail_preset(codec);
  const EncodeResult r = encode_with(preset, kVfrClip, dir);

  const auto jpegs = files_of(r, "image/jpeg");
  const auto vtts = files_of(r, "text/vtt");
  ASSERT_EQ(jpegs.size(), 1u);
  ASSERT_EQ(vtts.size(), 1u);
  EXPECT_EQ(jpegs[0].name, "vfr-640x360-h264-aac-17s_000001.jpg");
  EXPECT_EQ(vtts[0].name, "vfr-640x360-h264-aac-17s_000001.vtt");
  const auto info = image_info(dir.path() / jpegs[0].name);
  EXPECT_EQ(info.width, 3 * 64);   // 3 columns
  EXPECT_EQ(info.height, 2 * 36);  // 5 captures (0, 2, 4, 6, 8 s) in 2 rows
  const std::string sprite = jpegs[0].name;
  EXPECT_EQ(read_text(dir.path() / vtts[0].name),
            "WEBVTT\n"
            "\n00:00:00.000 --> 00:00:02.000\n" +
                sprite + "#xywh=0,0,64,36\n" + "\n00:00:02.000 --> 00:00:04.000\n" + sprite +
                "#xywh=64,0,64,36\n" + "\n00:00:04.000 --> 00:00:06.000\n" + sprite +
                "#xywh=128,0,64,36\n" + "\n00:00:06.000 --> 00:00:08.000\n" + sprite +
                "#xywh=0,36,64,36\n" + "\n00:00:08.000 --> 00:00:10.000\n" + sprite +
                "#xywh=64,36,64,36\n");
  // The tile of 6 s (row 2, column 1) is the source at 6 s; the empty last tile is black.
  const GrayImage grid = decode_gray_frame((dir.path() / sprite).string(), 0, 192, 72);
  GrayImage tile{64, 36, {}}, last{64, 36, {}};
  for (int y = 0; y < 36; ++y)
    for (int x = 0; x < 64; ++x) {
      tile.pixels.push_back(static_cast<uint8_t>(grid.at(x, 36 + y)));
      last.pixels.push_back(static_cast<uint8_t>(grid.at(128 + x, 36 + y)));
    }
  EXPECT_LT(mean_abs_diff(tile, decode_gray_frame(media(kVfrClip), 6.0, 64, 36)), kSamePicture + 2);
  EXPECT_LT(last.mean(), 5.0);
}

TEST(Thumbnails, StartBeyondTheEndFailsNamingTheTimeAndTheDuration) {
  TempDir dir;
  const auto preset = thumbnail_preset(
      image_codec(OutputFormat::Jpg, seconds(60), seconds(1), seconds(1), {percent_size(25, 25)}));
  const auto error = encode_error_of([&] { encode_with(preset, kShortClip, dir); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  const std::string message = error->what();
  EXPECT_TRUE(contains(message, "JpgImage 1 Start 60.000 s")) << message;
  EXPECT_TRUE(contains(message, "beyond the input's duration (4.000 s)")) << message;
  EXPECT_EQ(entries_of(dir.path()), std::vector<std::string>{});
}

// generate-thumbnail-sprite.md: "around 8M pixels or less". 18 captures (0 to 17 s) of
// 1280x720 in 10 columns make a 12800x1440 grid: refused before anything is decoded.
TEST(Thumbnails, SpriteOverEightMegapixelsFailsNamingSpriteColumnAndLeavesNothing) {
  TempDir dir;
  auto codec =
      image_codec(OutputFormat::Jpg, seconds(0), seconds(1), std::nullopt, {pixels(1280, 720)});
  codec.sprite_columns = 10;
  const auto preset = thumbnail_preset(codec);
  const auto error = encode_error_of([&] { encode_with(preset, kVfrClip, dir); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  const std::string message = error->what();
  EXPECT_TRUE(contains(message, media(kVfrClip) + ": JpgImage 1 SpriteColumn 10: sprite of 18 images of "
                                                   "1280x720 in 10 columns is 12800x1440 (17.6 Mpixel)"))
      << message;
  EXPECT_TRUE(contains(message, "the limit is 8.0 Mpixel")) << message;
  EXPECT_TRUE(contains(message, "a longer Step or a shorter Range")) << message;
  EXPECT_EQ(entries_of(dir.path()), std::vector<std::string>{});
}

// A thumbnail beside the H.264 layers: the bad Start fails the task before the encode starts,
// so neither the MP4 nor the output metadata is written.
TEST(Thumbnails, StartTenMinutesIntoA17SecondClipFailsBeforeAnyFileIsWritten) {
  TempDir dir;
  presets::Preset video = preset(kVideoPreset);
  video.images.push_back(image_codec(OutputFormat::Jpg, seconds(600), std::nullopt, std::nullopt,
                                     {percent_size(50, 50)}));
  video.outputs.push_back(image_output(OutputFormat::Jpg, "{Basename}_thumb_{Index}{Extension}"));
  const auto error = encode_error_of([&] { encode_with(video, kVfrClip, dir); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  const std::string message = error->what();
  EXPECT_TRUE(contains(message, "JpgImage 1 Start 600.000 s is beyond the input's duration (17.063 s)"))
      << message;
  EXPECT_EQ(entries_of(dir.path()), std::vector<std::string>{});
}

// Frame 512 at the clip's 30.006 fps is at 17.063 s, the end: the last frame is 511.
TEST(Thumbnails, FrameNumberAfterTheLastFrameFailsNamingItsTimeAndTheDuration) {
  TempDir dir;
  const auto preset = thumbnail_preset(
      image_codec(OutputFormat::Jpg, frame(512), std::nullopt, std::nullopt, {pixels(64, 36)}));
  const auto error = encode_error_of([&] { encode_with(preset, kVfrClip, dir); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  const std::string message = error->what();
  EXPECT_TRUE(contains(message, "JpgImage 1 Start frame 512 (17.063 s) is beyond the input's duration (17.063 s)"))
      << message;
  EXPECT_EQ(entries_of(dir.path()), std::vector<std::string>{});
}

TEST(Thumbnails, ThumbnailOnlyPresetOnAudioOnlyFileFailsClearly) {
  TempDir dir;
  const auto preset = thumbnail_preset(image_codec(OutputFormat::Png, ImagePosition{}, std::nullopt,
                                                   std::nullopt, {percent_size(100, 100)}));
  const std::string input = media("speech-audio-only.flac");
  const auto error = encode_error_of([&] { encode_with(preset, "speech-audio-only.flac", dir); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::UnsupportedFormat);
  const std::string message = error->what();
  EXPECT_TRUE(contains(message, input)) << message;
  EXPECT_TRUE(contains(message, "no video stream")) << message;
  EXPECT_TRUE(contains(message, "thumbnails (PngImage)")) << message;
  EXPECT_EQ(entries_of(dir.path()), std::vector<std::string>{});
}

TEST(Thumbnails, VideoPresetWithAThumbnailWritesBothFromOneDecode) {
  TempDir dir;
  presets::Preset video = preset(kVideoPreset);
  ASSERT_TRUE(video.video);
  video.images.push_back(image_codec(OutputFormat::Jpg, seconds(0.5), std::nullopt, std::nullopt,
                                     {percent_size(50, 50)}));
  video.outputs.push_back(image_output(OutputFormat::Jpg, "{Basename}_thumb_{Index}{Extension}"));
  const std::string clip = "clip-1080x720-h264-aac-mono-1s.mp4";
  const EncodeResult r = encode_with(video, clip, dir);

  ASSERT_EQ(r.files.size(), 4u);
  EXPECT_EQ(r.files[0].mime_type, "video/mp4");
  EXPECT_TRUE(r.files[0].is_primary);
  EXPECT_EQ(r.files[1].name, "clip-1080x720-h264-aac-mono-1s_thumb_000001.jpg");
  EXPECT_EQ(r.files[1].mime_type, "image/jpeg");
  EXPECT_FALSE(r.files[1].is_primary);
  const auto info = image_info(dir.path() / r.files[1].name);
  EXPECT_EQ(info.width, 540);
  EXPECT_EQ(info.height, 360);
  EXPECT_LT(compare_with_source(dir.path() / r.files[1].name, clip, 0.5, 0).right, kSamePicture);
  // The manifest describes media files only (its AssetFile has a Duration and tracks).
  const std::string manifest =
      read_text(dir.path() / "clip-1080x720-h264-aac-mono-1s_manifest.xml");
  EXPECT_TRUE(contains(manifest, r.files[0].name)) << manifest;
  EXPECT_FALSE(contains(manifest, ".jpg")) << manifest;
}

}  // namespace
}  // namespace mw::encoders
