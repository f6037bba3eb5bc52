// Content-adaptive ladders on real clips: the complexity probe runs on each clip and the built
// ladder has the shape of MES's documented examples (6 layers for 1080p, 5 for 720p, 3 for
// 360p), never above the source's size or bitrate; one short encode through encoders::encode()
// gives GOP-aligned files of those layers. The probe encodes at most a few seconds per clip.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/adaptive_ladder.hpp"
#include "encoders/engine.hpp"
#include "encoders/measure.hpp"
#include "encoders/probe.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

/// "Content Adaptive Multiple Bitrate MP4" as the library describes it (video `ladder:
/// content_adaptive`, AAC, interleaved MP4s), built in code so the test does not depend on the
/// library file.
presets::Preset content_adaptive_preset() {
  presets::Preset p;
  p.name = "Content Adaptive Multiple Bitrate MP4";
  p.origin = "engine_adaptive_test";
  presets::VideoCodec video;
  video.ladder = presets::LadderMode::ContentAdaptive;
  p.video = video;
  p.audio = presets::AudioCodec{};
  presets::Output out;
  out.file_name = "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}";
  p.outputs = {out};
  return p;
}

struct LadderClip {
  const char* name;  ///< test name suffix
  const char* file;
  std::vector<int> heights;  ///< the documented shape: one layer per line count, highest first
  int width;                 ///< of the top layer
};

std::ostream& operator<<(std::ostream& out, const LadderClip& c) { return out << c.file; }

class AdaptiveLadderOfClip : public ::testing::TestWithParam<LadderClip> {};

TEST_P(AdaptiveLadderOfClip, HasTheDocumentedShapeAndStaysUnderTheSource) {
  const LadderClip& clip = GetParam();
  const MediaInfo input = probe(media(clip.file));
  const AdaptiveLadder ladder = build_adaptive_ladder(content_adaptive_preset(), input, {}, std::stop_token{});

  std::vector<int> heights;
  for (const auto& l : ladder.layers) heights.push_back(l.height);
  EXPECT_EQ(heights, clip.heights);
  ASSERT_FALSE(ladder.layers.empty());
  EXPECT_EQ(ladder.layers[0].width, clip.width);

  const auto [dw, dh] = input.primary_video()->display_size();
  const double source_kbps = source_video_kbps(input);
  ASSERT_GT(source_kbps, 0);
  for (size_t i = 0; i < ladder.layers.size(); ++i) {
    const auto& l = ladder.layers[i];
    EXPECT_LE(l.width, dw) << i;
    EXPECT_LE(l.height, dh) << i;
    EXPECT_LE(l.bitrate_kbps, source_kbps) << i;
    EXPECT_GE(l.bitrate_kbps, kMinLayerKbps) << i;
    if (i > 0) {
      EXPECT_LT(l.bitrate_kbps, ladder.layers[i - 1].bitrate_kbps) << i;
    }
    // The documented shape: each layer keeps MES's ratio to the top (1080p example), within
    // the 10 kbps rounding.
    const double ratio = reference_kbps(double(l.width) * l.height) /
                         reference_kbps(double(ladder.layers[0].width) * ladder.layers[0].height);
    EXPECT_NEAR(l.bitrate_kbps, ladder.layers[0].bitrate_kbps * ratio, 5.01) << i;
  }
  ASSERT_EQ(ladder.notes.size(), 2u);
  EXPECT_TRUE(contains(ladder.notes[0], "complexity probe: ")) << ladder.notes[0];
  EXPECT_TRUE(contains(ladder.notes[1], "content-adaptive ladder: top layer ")) << ladder.notes[1];
  std::cout << "  " << clip.file << ": " << ladder.notes[0] << "\n  " << ladder.notes[1] << "\n";
}

INSTANTIATE_TEST_SUITE_P(
    MesExamples, AdaptiveLadderOfClip,
    ::testing::Values(
        LadderClip{"Studio1080p50", "studio-1080p50-h264-pcm.mov", {1080, 720, 540, 360, 270, 180}, 1920},
        LadderClip{"Mpeg2Ts1080p24", "bbb-1080p24-mpeg2-mp2.ts", {1080, 720, 540, 360, 270, 180}, 1920},
        LadderClip{"Screen720p30", "screen-720p30-h264-aac-rotate180.mp4", {720, 540, 360, 270, 180}, 1280},
        LadderClip{"Vfr360p", "vfr-640x360-h264-aac-17s.mp4", {360, 270, 180}, 640}),
    [](const ::testing::TestParamInfo<LadderClip>& param) { return std::string(param.param.name); });

TEST(AdaptiveLadderProbe, SamplesSegmentsAcrossTheInputAt640x360) {
  // 17 s: two 2 s segments, a 640x360 picture, the clip's content measured.
  const MediaInfo input = probe(media("vfr-640x360-h264-aac-17s.mp4"));
  const ComplexityProbe p = probe_complexity(content_adaptive_preset(), input, {}, std::stop_token{});
  EXPECT_EQ(p.segments, 2);
  EXPECT_NEAR(p.seconds, 4.0, 0.1);
  EXPECT_EQ(p.size.width, 640);
  EXPECT_EQ(p.size.height, 360);
  EXPECT_GT(p.kbps, 100);
  EXPECT_LT(p.kbps, 3000);
}

TEST(AdaptiveLadderProbe, ObeysTheStopToken) {
  std::stop_source stop;
  stop.request_stop();
  const MediaInfo input = probe(media("vfr-640x360-h264-aac-17s.mp4"));
  const auto error = encode_error_of(
      [&] { probe_complexity(content_adaptive_preset(), input, {}, stop.get_token()); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->category(), ErrorCategory::Canceled);
}

/// encode() of `clip` with the content-adaptive preset; `elapsed_s` gets the wall-clock time.
EncodeResult encode_adaptive(const std::string& clip, const TempDir& out, double duration_s, double& elapsed_s) {
  static const presets::Preset preset = content_adaptive_preset();
  EncodeRequest request;
  request.input = media(clip);
  request.preset = &preset;
  request.output_dir = out.path();
  request.options.duration_s = duration_s;
  const auto started = std::chrono::steady_clock::now();
  EncodeResult result = encode(request, nullptr, std::stop_token{});
  elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

TEST(AdaptiveLadderEncode, ThreeSecondsOf360pGiveThreeGopAlignedFiles) {
  TempDir out;
  double elapsed = 0;
  const EncodeResult result = encode_adaptive("vfr-640x360-h264-aac-17s.mp4", out, 3, elapsed);

  ASSERT_EQ(result.plan.video.size(), 3u);
  ASSERT_GE(result.plan.notes.size(), 2u);
  EXPECT_TRUE(contains(result.plan.notes[0], "complexity probe: 1 segment (2.0 s)")) << result.plan.notes[0];
  EXPECT_TRUE(contains(result.plan.notes[1], "3 layers: 640x360@")) << result.plan.notes[1];
  std::cout << "  encode with the probe took " << elapsed << " s; " << result.plan.notes[0] << "\n";

  const int heights[] = {360, 270, 180};
  const int widths[] = {640, 480, 320};
  ASSERT_EQ(result.measured.size(), 3u);
  const MeasuredTrack* top = result.measured[0].video();
  ASSERT_NE(top, nullptr);
  ASSERT_EQ(top->keyframe_times_s.size(), 2u) << "a 3 s encode with a 2 s GOP has keyframes at 0 and 2 s";
  EXPECT_NEAR(top->keyframe_times_s[1] - top->keyframe_times_s[0], 2.0, 0.1);
  for (size_t i = 0; i < result.measured.size(); ++i) {
    const MeasuredTrack* v = result.measured[i].video();
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(v->width, widths[i]) << i;
    EXPECT_EQ(v->height, heights[i]) << i;
    EXPECT_EQ(v->keyframe_times_s, top->keyframe_times_s) << "layer " << i << " is not GOP-aligned";
    EXPECT_NE(result.measured[i].audio(), nullptr) << "the MP4s are interleaved";
    EXPECT_EQ(result.files[i].name, "vfr-640x360-h264-aac-17s_" + std::to_string(widths[i]) + "x" +
                                        std::to_string(heights[i]) + "_" +
                                        std::to_string(result.plan.video[i].layer.bitrate_kbps) + ".mp4");
    // ABR at the layer's bitrate: a 3 s encode lands within a third of it.
    EXPECT_NEAR(v->bitrate_kbps, result.plan.video[i].layer.bitrate_kbps,
                result.plan.video[i].layer.bitrate_kbps / 3.0) << i;
  }
}

// The probe's cost against the whole ladder encode (docs/presets.md, "Content-adaptive
// ladders"). Slow (whole clips): run by hand with --gtest_also_run_disabled_tests.
TEST(AdaptiveLadderEncode, DISABLED_ProbeCostAgainstTheLadderEncode) {
  for (const char* clip : {"vfr-640x360-h264-aac-17s.mp4", "screen-720p30-h264-aac-rotate180.mp4",
                           "studio-1080p50-h264-pcm.mov"}) {
    TempDir out;
    double elapsed = 0;
    const EncodeResult result = encode_adaptive(clip, out, 0, elapsed);
    const std::string& note = result.plan.notes.at(0);
    const double probe_s = std::stod(note.substr(note.find("the probe took ") + 15));
    std::cout << "  " << clip << ": " << result.input.duration_s << " s, " << result.plan.video.size()
              << " layers: encode " << elapsed << " s, of which the probe " << probe_s << " s ("
              << 100 * probe_s / elapsed << " %)\n";
  }
}

}  // namespace
}  // namespace mw::encoders
