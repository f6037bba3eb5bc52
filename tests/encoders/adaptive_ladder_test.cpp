// ladder_from_probe(): a complexity measurement and a source turned into layers, without
// encoding. The three documented MES "Adaptive Streaming" examples (AMS-V2-REFERENCE.md §7) come
// out exactly; sources of other shapes, bitrates and complexities keep the same rules.

#include "encoders/adaptive_ladder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using test_support::contains;

struct Expected {
  int width, height, kbps;
};

/// The layers as "WxH@kbps" for readable failures.
std::vector<std::string> describe(const std::vector<presets::VideoLayer>& layers) {
  std::vector<std::string> out;
  for (const auto& l : layers) out.push_back(std::to_string(l.width) + "x" + std::to_string(l.height) + "@" + std::to_string(l.bitrate_kbps));
  return out;
}
std::vector<std::string> describe(const std::vector<Expected>& layers) {
  std::vector<std::string> out;
  for (const auto& l : layers) out.push_back(std::to_string(l.width) + "x" + std::to_string(l.height) + "@" + std::to_string(l.kbps));
  return out;
}

/// A probe of `segments` 2 s segments at 640x360 measuring `kbps`.
ComplexityProbe probe_at_360p(double kbps, int segments = 5) {
  ComplexityProbe p;
  p.segments = segments;
  p.seconds = 2.0 * segments;
  p.size = {640, 360};
  p.kbps = kbps;
  p.elapsed_s = 1.5;
  return p;
}

const presets::VideoCodec kTemplate{};  // MES defaults, no layers

TEST(AdaptiveLadder, Mes1080pExampleFromTypicalContent) {
  // MES: 1080p 29.97 source -> 1920x1080@6780 ... 320x180@380.
  const auto ladder = ladder_from_probe({1920, 1080, 12000}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  EXPECT_EQ(describe(ladder.layers),
            describe(std::vector<Expected>{{1920, 1080, 6780}, {1280, 720, 3520}, {960, 540, 2210},
                                           {640, 360, 1150}, {480, 270, 720}, {320, 180, 380}}));
  EXPECT_DOUBLE_EQ(ladder.complexity, 1.0);
}

TEST(AdaptiveLadder, Mes720pExampleFromSimplerContent) {
  // MES: 720p 23.97 source -> 1280x720@2940, 960x540@1850, 640x360@960, 480x270@600, 320x180@320.
  // 2940 / 3520 (the 1080p example's 720p layer) = 0.835 of typical complexity.
  const auto ladder = ladder_from_probe({1280, 720, 5000}, probe_at_360p(0.835 * kTypicalProbeKbps), kTemplate);
  EXPECT_EQ(describe(ladder.layers),
            describe(std::vector<Expected>{{1280, 720, 2940}, {960, 540, 1850}, {640, 360, 960},
                                           {480, 270, 600}, {320, 180, 320}}));
}

TEST(AdaptiveLadder, Mes720pExampleFromTheSourceBitrateCap) {
  // The same ladder when complex content is capped by a 2948 kbps source: the top layer is
  // rounded down under the source's bitrate, the rest keep the documented ratios.
  const auto ladder = ladder_from_probe({1280, 720, 2948}, probe_at_360p(1000), kTemplate);
  EXPECT_EQ(describe(ladder.layers),
            describe(std::vector<Expected>{{1280, 720, 2940}, {960, 540, 1850}, {640, 360, 960},
                                           {480, 270, 600}, {320, 180, 320}}));
  ASSERT_FALSE(ladder.notes.empty());
  EXPECT_TRUE(contains(ladder.notes.back(), "capped")) << ladder.notes.back();
}

TEST(AdaptiveLadder, Mes360pExample) {
  // MES: 360p 29.97 source -> 640x360@700, 480x270@440, 320x180@230 (700 / 1150 = 0.609).
  const auto ladder = ladder_from_probe({640, 360, 1500}, probe_at_360p(0.609 * kTypicalProbeKbps), kTemplate);
  EXPECT_EQ(describe(ladder.layers),
            describe(std::vector<Expected>{{640, 360, 700}, {480, 270, 440}, {320, 180, 230}}));
}

TEST(AdaptiveLadder, ComplexContentGetsMoreBitsUpToTheLimit) {
  const auto busy = ladder_from_probe({1920, 1080, 0}, probe_at_360p(1.2 * kTypicalProbeKbps), kTemplate);
  EXPECT_EQ(busy.layers.front().bitrate_kbps, 8140);  // 1.2 x 6780 = 8136
  const auto noise = ladder_from_probe({1920, 1080, 0}, probe_at_360p(5000), kTemplate);
  EXPECT_DOUBLE_EQ(noise.complexity, kMaxComplexity);
  EXPECT_EQ(noise.layers.front().bitrate_kbps, 10170);
  EXPECT_TRUE(contains(noise.notes.front(), "limited to 1.50")) << noise.notes.front();
  const auto still = ladder_from_probe({1920, 1080, 0}, probe_at_360p(20), kTemplate);
  EXPECT_DOUBLE_EQ(still.complexity, kMinComplexity);
  EXPECT_EQ(still.layers.front().bitrate_kbps, 2710);
}

TEST(AdaptiveLadder, NoLayerAboveTheSourceBitrate) {
  const auto ladder = ladder_from_probe({640, 360, 1159}, probe_at_360p(2 * kTypicalProbeKbps), kTemplate);
  ASSERT_EQ(ladder.layers.size(), 3u);
  EXPECT_EQ(ladder.layers[0].bitrate_kbps, 1150);
  for (const auto& l : ladder.layers) EXPECT_LE(l.bitrate_kbps, 1159);
  EXPECT_EQ(ladder.layers[1].bitrate_kbps, 720);  // 1150 x 720 / 1150
}

TEST(AdaptiveLadder, LowBitrateSourceLeavesOutLayersUnder100Kbps) {
  const auto ladder = ladder_from_probe({1920, 1080, 1000}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  EXPECT_EQ(describe(ladder.layers),
            describe(std::vector<Expected>{{1920, 1080, 1000}, {1280, 720, 520}, {960, 540, 330},
                                           {640, 360, 170}, {480, 270, 110}}));
  EXPECT_TRUE(contains(ladder.notes.back(), "320x180 (60 kbps)")) << ladder.notes.back();
}

TEST(AdaptiveLadder, TheTopLayerIsKeptWhateverTheSourceBitrate) {
  const auto ladder = ladder_from_probe({1920, 1080, 10.4}, probe_at_360p(50), kTemplate);
  ASSERT_EQ(ladder.layers.size(), 1u);
  EXPECT_EQ(ladder.layers[0].bitrate_kbps, 10);
  EXPECT_EQ(ladder.layers[0].height, 1080);
}

TEST(AdaptiveLadder, PortraitSourceGetsPortraitLayers) {
  const auto ladder = ladder_from_probe({1080, 1920, 0}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  EXPECT_EQ(describe(ladder.layers),
            describe(std::vector<Expected>{{1080, 1920, 6780}, {720, 1280, 3520}, {540, 960, 2210},
                                           {360, 640, 1150}, {270, 480, 720}, {180, 320, 380}}));
}

TEST(AdaptiveLadder, FourByThreeSdSourceKeepsItsOwnSizeOnTop) {
  // 640x480 lies between the 640x360 and 960x540 boxes: its own size is the top layer; the
  // boxes below keep the 4:3 picture (480x360, 360x270, 240x180 after AutoSize).
  const auto ladder = ladder_from_probe({640, 480, 0}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  ASSERT_EQ(ladder.layers.size(), 4u);
  EXPECT_EQ(ladder.layers[0].width, 640);
  EXPECT_EQ(ladder.layers[0].height, 480);
  EXPECT_EQ(ladder.layers[1].height, 360);
  // Between the 640x360 (1150) and 960x540 (2210) references, by area.
  EXPECT_GT(ladder.layers[0].bitrate_kbps, 1150);
  EXPECT_LT(ladder.layers[0].bitrate_kbps, 2210);
  // 480x360 has 3/4 of 640x360's pixels: less than 1150.
  EXPECT_LT(ladder.layers[1].bitrate_kbps, 1150);
  EXPECT_GT(ladder.layers[1].bitrate_kbps, 720);
  EXPECT_TRUE(contains(ladder.notes.back(), "640x480@")) << ladder.notes.back();
  EXPECT_TRUE(contains(ladder.notes.back(), "480x360@")) << ladder.notes.back();
}

TEST(AdaptiveLadder, CinemascopeFitsItsPicturesInTheBoxes) {
  const auto ladder = ladder_from_probe({960, 400, 0}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  ASSERT_EQ(ladder.layers.size(), 4u);
  EXPECT_EQ(ladder.layers[0].width, 960);  // the 960x540 box: a 960x400 picture
  EXPECT_TRUE(contains(ladder.notes.back(), "960x400@")) << ladder.notes.back();
  EXPECT_LT(ladder.layers[0].bitrate_kbps, 2210);  // fewer pixels than 960x540
}

TEST(AdaptiveLadder, SourceSmallerThan180pGetsOneLayerAtItsSize) {
  const auto ladder = ladder_from_probe({161, 121, 300}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  ASSERT_EQ(ladder.layers.size(), 1u);
  EXPECT_EQ(ladder.layers[0].width, 160);
  EXPECT_EQ(ladder.layers[0].height, 120);
  EXPECT_LT(ladder.layers[0].bitrate_kbps, 380);
}

TEST(AdaptiveLadder, FourKSourceStopsAt1080p) {
  const auto ladder = ladder_from_probe({3840, 2160, 40000}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  ASSERT_EQ(ladder.layers.size(), 6u);
  EXPECT_EQ(ladder.layers[0].height, 1080);
  EXPECT_TRUE(contains(ladder.notes.back(), "stop at 1920x1080")) << ladder.notes.back();
}

TEST(AdaptiveLadder, ProbeAtASmallSourceIsComparedByArea) {
  // A 320x180 source is probed at 320x180: 266 kbps there is typical content at 640x360
  // (266 x 4^0.8 = 806).
  ComplexityProbe probe = probe_at_360p(266, 1);
  probe.size = {320, 180};
  const auto ladder = ladder_from_probe({320, 180, 0}, probe, kTemplate);
  EXPECT_NEAR(ladder.complexity, 1.0, 0.02);
  ASSERT_EQ(ladder.layers.size(), 1u);
  EXPECT_EQ(ladder.layers[0].bitrate_kbps, 380);
}

TEST(AdaptiveLadder, LayersTakeTheTemplatesLayerSettings) {
  presets::VideoCodec tmpl;
  presets::VideoLayer settings;
  settings.profile = presets::H264Profile::Main;
  settings.level = "3.1";
  settings.b_frames = 2;
  settings.reference_frames = 4;
  settings.bitrate_kbps = 1000;
  settings.max_bitrate_kbps = 1500;
  settings.buffer_window_s = 3;
  tmpl.layers = {settings};
  const auto ladder = ladder_from_probe({1280, 720, 0}, probe_at_360p(kTypicalProbeKbps), tmpl);
  ASSERT_EQ(ladder.layers.size(), 5u);
  for (const auto& l : ladder.layers) {
    EXPECT_EQ(l.profile, presets::H264Profile::Main);
    EXPECT_EQ(l.level, "");  // a level for one size is wrong for another
    EXPECT_EQ(l.b_frames, 2);
    EXPECT_EQ(l.reference_frames, 4);
    EXPECT_DOUBLE_EQ(l.buffer_window_s, 3);
    EXPECT_EQ(l.max_bitrate_kbps, l.bitrate_kbps * 3 / 2);
  }
  // Without a template layer: High profile and MES's defaults.
  const auto plain = ladder_from_probe({1280, 720, 0}, probe_at_360p(kTypicalProbeKbps), kTemplate);
  EXPECT_EQ(plain.layers[0].profile, presets::H264Profile::High);
  EXPECT_EQ(plain.layers[0].b_frames, 3);
  EXPECT_EQ(plain.layers[0].max_bitrate_kbps, 0);
}

TEST(AdaptiveLadder, NotesSayWhatTheProbeMeasuredAndWhy) {
  const auto ladder = ladder_from_probe({1920, 1080, 8000}, probe_at_360p(1450), kTemplate);
  ASSERT_EQ(ladder.notes.size(), 2u);
  EXPECT_TRUE(contains(ladder.notes[0], "complexity probe: 5 segments (10.0 s), CRF 23 at 640x360 -> 1450 kbps"))
      << ladder.notes[0];
  EXPECT_TRUE(contains(ladder.notes[1], "top layer 1920x1080 at 8000 kbps (source video 8000 kbps, capped: the "
                                        "content asks for 10170 kbps)"))
      << ladder.notes[1];
}

TEST(ReferenceKbps, IsMesTableAtItsSizesAndMonotonicBetween) {
  EXPECT_DOUBLE_EQ(reference_kbps(1920.0 * 1080), 6780);
  EXPECT_DOUBLE_EQ(reference_kbps(640.0 * 360), 1150);
  EXPECT_DOUBLE_EQ(reference_kbps(320.0 * 180), 380);
  double last = 0;
  for (double pixels = 10000; pixels < 9e6; pixels *= 1.1) {
    EXPECT_GT(reference_kbps(pixels), last) << pixels;
    last = reference_kbps(pixels);
  }
}

TEST(SourceVideoKbps, FallsBackToTheContainerMinusAudio) {
  MediaInfo in;
  in.video_tracks.resize(1);
  in.audio_tracks.resize(1);
  in.audio_tracks[0].bitrate_bps = 384000;
  in.overall_bitrate_bps = 6099266;
  EXPECT_NEAR(source_video_kbps(in), 5715.3, 0.1);
  in.video_tracks[0].bitrate_bps = 5946664;
  EXPECT_NEAR(source_video_kbps(in), 5946.7, 0.1);
}

}  // namespace
}  // namespace mw::encoders
