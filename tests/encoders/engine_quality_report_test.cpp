// The quality report (quality_report.hpp) on real encodes: PSNR and SSIM against the source
// through each layer's own chain, bitrate against the target, encode speed.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "encoders/engine.hpp"
#include "encoders/quality_report.hpp"
#include "tests/encoders/test_support.hpp"
#include "tests/support/process.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

presets::Preset two_bitrates_at_one_size() {
  presets::Preset p = preset(kVideoPreset);
  p.audio.reset();
  presets::VideoLayer high = p.video->layers.at(0);
  high.width = 640;
  high.height = 360;
  high.bitrate_kbps = 2000;
  high.max_bitrate_kbps = 3000;
  presets::VideoLayer low = high;
  low.bitrate_kbps = 150;
  low.max_bitrate_kbps = 225;
  p.video->layers = {high, low};
  return p;
}

struct Reported {
  TempDir dir;
  EncodeResult result;
  QualityReport report;
};

std::unique_ptr<Reported> encode_and_report(const std::string& clip, const presets::Preset& p,
                                            double duration_s) {
  auto r = std::make_unique<Reported>();
  EncodeRequest request;
  request.input = media(clip);
  request.preset = &p;
  request.output_dir = r->dir.path();
  request.options.duration_s = duration_s;
  r->result = encode(request, nullptr, std::stop_token{});
  r->report = make_quality_report(r->result, r->dir.path(), std::stop_token{});
  return r;
}

TEST(QualityReport, LowerBitrateLayerOfTheSameSizeScoresLower) {
  // The upside-down screen recording: the reference goes through the same rotation as the encode,
  // so a wrong transform would show as a PSNR far below 30 dB.
  const auto p = two_bitrates_at_one_size();
  const auto r = encode_and_report("screen-720p30-h264-aac-rotate180.mp4", p, 2.0);
  ASSERT_EQ(r->report.video.size(), 2u);
  const auto& high = r->report.video[0];
  const auto& low = r->report.video[1];
  EXPECT_EQ(high.target_kbps, 2000);
  EXPECT_EQ(low.target_kbps, 150);
  EXPECT_GT(high.psnr_y_db, 35.0);
  EXPECT_GT(high.ssim, 0.95);
  EXPECT_LT(low.psnr_y_db, high.psnr_y_db - 2.0);
  EXPECT_LT(low.psnr_avg_db, high.psnr_avg_db);
  EXPECT_LT(low.ssim, high.ssim);
  // Every output frame found its source picture.
  EXPECT_EQ(high.frames_compared, high.frames);
  EXPECT_EQ(high.frames, 60);
  EXPECT_NEAR(high.bitrate_percent, 100.0 * high.bitrate_kbps / 2000, 1e-9);
  EXPECT_GT(high.encode_fps, 0.0);
  EXPECT_FALSE(r->report.audio);
  const std::string table = quality_report_table(r->report);
  EXPECT_TRUE(contains(table, "640x360")) << table;
  const auto json = quality_report_json(r->report);
  EXPECT_EQ(json["video"].size(), 2u);
  EXPECT_EQ(json["video"][1]["target_kbps"], 150);
  EXPECT_TRUE(json["audio"].is_null());
}

// ffmpeg's own PSNR of the luma of `encoded` (cropped to w x h at x, y) against the first
// `seconds` of an SD `source` scaled to w x h as the plan scales it (bicubic, BT.601 to BT.709
// limited range), run as a separate program.
double ffmpeg_psnr_y(const std::filesystem::path& encoded, const std::string& source,
                     double seconds, int w, int h, int x, int y) {
  const auto r = mw::test::run(
      {"/usr/bin/env", "ffmpeg", "-hide_banner", "-nostats", "-i", encoded.string(), "-t",
       std::to_string(seconds), "-i", source, "-filter_complex",
       "[0:v]crop=" + std::to_string(w) + ":" + std::to_string(h) + ":" + std::to_string(x) + ":" +
           std::to_string(y) + "[d];[1:v]scale=" + std::to_string(w) + ":" + std::to_string(h) +
           ":flags=bicubic:in_color_matrix=bt601:out_color_matrix=bt709:out_range=tv[r];"
           "[d][r]psnr",
       "-f", "null", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const size_t at = r.err.find("PSNR y:");
  EXPECT_NE(at, std::string::npos) << r.err;
  return at == std::string::npos ? 0 : std::strtod(r.err.c_str() + at + 7, nullptr);
}

TEST(QualityReport, InsertedBlackLayersReportTheirBitrateWithoutAComparison) {
  // InsertBlackIfNoVideo on an audio-only input: the report once failed the finished encode
  // ("the plan decodes no video stream"); there is no source picture to compare with.
  presets::Preset p = preset(kVideoPreset);
  p.video->condition = presets::VideoCondition::InsertBlackIfNoVideo;
  p.video->layers.at(0).width = 320;
  p.video->layers.at(0).height = 180;
  const auto r = encode_and_report("speech-audio-only.flac", p, 1.0);
  ASSERT_EQ(r->report.video.size(), 1u);
  const VideoLayerQuality& v = r->report.video[0];
  EXPECT_EQ(v.frames_compared, 0);
  EXPECT_GT(v.bitrate_kbps, 0);
  EXPECT_EQ(v.target_kbps, 4500);
  ASSERT_TRUE(r->report.audio);
  const std::string table = quality_report_table(r->report);
  // PSNR Y, PSNR avg and SSIM read "-" (not measured), not 0.
  EXPECT_NE(table.find("         -        -       -"), std::string::npos) << table;
  const nlohmann::json j = quality_report_json(r->report);
  EXPECT_TRUE(j["video"][0]["psnr_y_db"].is_null()) << j.dump();
  EXPECT_TRUE(j["video"][0]["ssim"].is_null()) << j.dump();
}

TEST(QualityReport, AutoFitPaddingIsLeftOutOfTheComparison) {
  // 960x400 (2.4:1) into a 1280x720 box with AutoFit: a 1280x534 picture between black bars.
  // At a low bitrate the bars (a quarter of the frame, coded almost perfectly) lift a
  // whole-frame PSNR about 0.9 dB above the picture's own.
  presets::Preset p = preset(kVideoPreset);
  p.video->stretch = presets::StretchMode::AutoFit;
  p.video->layers.at(0).bitrate_kbps = 150;
  p.video->layers.at(0).max_bitrate_kbps = 225;
  const auto r = encode_and_report("clip-960x400-mpeg4-mp3.avi", p, 2.0);
  ASSERT_EQ(r->report.video.size(), 1u);
  const auto& v = r->report.video[0];
  EXPECT_EQ(v.size.width, 1280);
  EXPECT_EQ(v.size.height, 720);
  EXPECT_EQ(v.picture.width, 1280);
  EXPECT_EQ(v.picture.height, 534);
  const double independent = ffmpeg_psnr_y(
      r->dir.path() / v.file, media("clip-960x400-mpeg4-mp3.avi"), 2.0, 1280, 534, 0, 92);
  EXPECT_NEAR(v.psnr_y_db, independent, 0.3);
  EXPECT_GT(v.ssim, 0.9);
  EXPECT_EQ(v.frames_compared, v.frames);
  ASSERT_TRUE(r->report.audio);
  EXPECT_EQ(r->report.audio->target_kbps, 128);
  EXPECT_NEAR(r->report.audio->bitrate_percent, 100.0, 25.0);
}

}  // namespace
}  // namespace mw::encoders
