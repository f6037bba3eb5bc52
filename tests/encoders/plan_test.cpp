// make_plan() and its parts on probed real clips: output sizes (MES StretchMode), the filter
// graph that turns, converts range and tone-maps, the GOP, output file names, and the equivalent
// ffmpeg command.

#include "encoders/plan.hpp"

#include <gtest/gtest.h>

#include <string>

#include "encoders/probe.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
using presets::StretchMode;

constexpr Size k720p{1280, 720};

void expect_size(Size got, int width, int height) {
  EXPECT_EQ(got.width, width);
  EXPECT_EQ(got.height, height);
}

EncodePlan plan_for(std::string_view clip, std::string_view preset_name = kVideoPreset,
                    const PlanOptions& options = {}) {
  return make_plan(preset(preset_name), probe(media(clip)), options);
}

/// The shipped video preset with another stretch mode.
presets::Preset video_preset_with(StretchMode stretch) {
  presets::Preset p = preset(kVideoPreset);
  p.video->stretch = stretch;
  return p;
}

TEST(FitToBox, CinemascopeInto720pKeepsItsAspect) {
  expect_size(fit_to_box(960, 400, k720p, StretchMode::AutoSize, true), 1280, 534);
}

TEST(FitToBox, OddSizedPictureIsScaledUpToEvenSizes) {
  expect_size(fit_to_box(161, 121, k720p, StretchMode::AutoSize, true), 958, 720);
}

TEST(FitToBox, NonSquarePixelsUseTheDisplayedWidth) {
  // 800x640 with SAR 1137:800 displays as 1137x640.
  expect_size(fit_to_box(1137, 640, k720p, StretchMode::AutoSize, true), 1280, 720);
}

TEST(FitToBox, WithoutUpscaleASmallPictureKeepsItsSize) {
  expect_size(fit_to_box(960, 400, k720p, StretchMode::AutoSize, false), 960, 400);
  expect_size(fit_to_box(1920, 800, k720p, StretchMode::AutoSize, false), 1280, 534);
}

TEST(FitToBox, AutoFitAndNoneFillTheBox) {
  expect_size(fit_to_box(960, 400, k720p, StretchMode::AutoFit, true), 1280, 720);
  expect_size(fit_to_box(960, 400, k720p, StretchMode::None, true), 1280, 720);
}

TEST(Plan, PhonePortraitClipGetsAPortraitBox) {
  const EncodePlan plan = plan_for("phone-portrait-4k60-h264-rotate90.mp4");
  ASSERT_EQ(plan.video.size(), 1u);
  expect_size(plan.video[0].size, 720, 1280);
  EXPECT_TRUE(contains(plan.video_filter, "transpose=clock")) << plan.video_filter;
  // Scaled while still landscape (1280x720), turned after.
  EXPECT_TRUE(contains(plan.video_filter, "scale=w=1280:h=720")) << plan.video_filter;
  EXPECT_LT(plan.video_filter.find("scale="), plan.video_filter.find("transpose=clock"));
}

TEST(Plan, PhoneFullRangeInputIsConvertedToLimitedRange) {
  const EncodePlan plan = plan_for("phone-portrait-4k60-h264-rotate90.mp4");
  EXPECT_TRUE(contains(plan.video_filter, "in_range=pc")) << plan.video_filter;
  EXPECT_TRUE(contains(plan.video_filter, "out_range=tv")) << plan.video_filter;
  EXPECT_TRUE(contains(plan.video_filter, "format=yuv420p")) << plan.video_filter;
}

TEST(Plan, RotateAndMirrorClipIsTransposedWithFlip) {
  const EncodePlan plan = plan_for("clip-1080x720-h264-rotate-and-mirror.mp4");
  EXPECT_TRUE(contains(plan.video_filter, "transpose=cclock_flip")) << plan.video_filter;
  expect_size(plan.video[0].size, 720, 1080);
}

TEST(Plan, UpsideDownClipIsFlippedBothWays) {
  const EncodePlan plan = plan_for("screen-720p30-h264-aac-rotate180.mp4");
  EXPECT_TRUE(contains(plan.video_filter, "hflip,vflip")) << plan.video_filter;
  EXPECT_FALSE(contains(plan.video_filter, "transpose")) << plan.video_filter;
  expect_size(plan.video[0].size, 1280, 720);
}

TEST(Plan, UnrotatedClipHasNoTurningFilter) {
  const EncodePlan plan = plan_for("clip-1080x720-h264-aac-mono-1s.mp4");
  EXPECT_FALSE(contains(plan.video_filter, "transpose")) << plan.video_filter;
  EXPECT_FALSE(contains(plan.video_filter, "flip")) << plan.video_filter;
  expect_size(plan.video[0].size, 1080, 720);
}

TEST(Plan, Hdr10ClipIsToneMappedToBt709) {
  const EncodePlan plan = plan_for("hdr10-1080p30-hevc-10bit-aac.mp4");
  EXPECT_TRUE(contains(plan.video_filter, "tonemap")) << plan.video_filter;
  EXPECT_TRUE(contains(plan.video_filter, "t=bt709")) << plan.video_filter;
  EXPECT_FALSE(plan.notes.empty()) << "the tone mapping is not told to the user";
}

TEST(Plan, SdrClipIsNotToneMapped) {
  EXPECT_FALSE(contains(plan_for("studio-1080p50-h264-pcm.mov").video_filter, "tonemap"));
}

TEST(Plan, NonSquarePixelClipGetsSquarePixels) {
  const EncodePlan plan = plan_for("bbb-800x640-h264-video-only-14s.mp4");
  expect_size(plan.video[0].size, 1280, 720);
  EXPECT_TRUE(contains(plan.video_filter, "setsar=1")) << plan.video_filter;
  EXPECT_NEAR(plan.origin_s, 10.0, 0.001) << "output time 0 is the first video frame";
  EXPECT_NEAR(plan.duration_s, 4.0, 0.01);
  EXPECT_FALSE(plan.audio.has_value());
}

TEST(Plan, AutoFitPadsCinemascopeToTheBox) {
  const EncodePlan plan = make_plan(video_preset_with(StretchMode::AutoFit),
                                    probe(media("clip-960x400-mpeg4-mp3.avi")));
  expect_size(plan.video[0].size, 1280, 720);
  expect_size(plan.video[0].picture, 1280, 534);
  EXPECT_TRUE(contains(plan.video_filter, "pad=1280:720")) << plan.video_filter;
}

TEST(Plan, StretchNoneScalesCinemascopeToTheWholeBox) {
  const EncodePlan plan =
      make_plan(video_preset_with(StretchMode::None), probe(media("clip-960x400-mpeg4-mp3.avi")));
  expect_size(plan.video[0].size, 1280, 720);
  expect_size(plan.video[0].picture, 1280, 720);
  EXPECT_TRUE(contains(plan.video_filter, "scale=w=1280:h=720")) << plan.video_filter;
  EXPECT_FALSE(contains(plan.video_filter, "pad=")) << plan.video_filter;
}

TEST(Plan, KeyframeEveryTwoSecondsOfFrames) {
  const EncodePlan at24 = plan_for("bbb-1080p24-mpeg2-mp2.ts");
  EXPECT_EQ(at24.video[0].keyint_frames, 48);
  EXPECT_TRUE(contains(at24.video[0].x264_params, "keyint=48")) << at24.video[0].x264_params;
  EXPECT_EQ(plan_for("studio-1080p50-h264-pcm.mov").video[0].keyint_frames, 100);
  // Matroska: 2 s of its real 30 fps, not of the 1000 fps its demuxer claims.
  EXPECT_EQ(plan_for("clip-1080x720-h264-ac3.mkv").video[0].keyint_frames, 60);
}

TEST(Plan, SingleLayerPresetDetectsSceneCuts) {
  const EncodePlan plan = plan_for("bbb-1080p24-mpeg2-mp2.ts");
  EXPECT_TRUE(plan.video[0].scene_cut);
  EXPECT_FALSE(contains(plan.video[0].x264_params, "scenecut=0")) << plan.video[0].x264_params;
  EXPECT_TRUE(contains(plan.video[0].x264_params, "scenecut=")) << plan.video[0].x264_params;
  EXPECT_EQ(plan.video[0].profile, "high");
}

TEST(Plan, AudioPresetOnAVideoFilePlansAudioOnly) {
  const EncodePlan plan = plan_for("clip-1080x720-h264-aac-mono-1s.mp4", kAudioPreset);
  EXPECT_TRUE(plan.video.empty());
  EXPECT_EQ(plan.video_stream, -1);
  EXPECT_EQ(plan.audio_stream, 1);
  ASSERT_TRUE(plan.audio.has_value());
  EXPECT_EQ(plan.audio->channel_layout, "stereo");
  ASSERT_EQ(plan.outputs.size(), 1u);
  EXPECT_EQ(plan.outputs[0].video, -1);
  EXPECT_TRUE(plan.outputs[0].audio);
  EXPECT_EQ(plan.outputs[0].file_name, "clip-1080x720-h264-aac-mono-1s_AAC_192.mp4");
}

TEST(Plan, VideoPresetOnAudioOnlyFlacIsUnsupported) {
  const MediaInfo flac = probe(media("speech-audio-only.flac"));
  const auto error = encode_error_of([&] { make_plan(preset(kVideoPreset), flac); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::UnsupportedFormat);
  EXPECT_TRUE(contains(error->what(), flac.path)) << error->what();
}

TEST(Plan, VideoOnlyClipPlansNoAudio) {
  const EncodePlan plan = plan_for("bear-161x121-vp9-odd-size.webm");
  EXPECT_EQ(plan.audio_stream, -1);
  ASSERT_EQ(plan.outputs.size(), 1u);
  EXPECT_FALSE(plan.outputs[0].audio);
  expect_size(plan.video[0].size, 958, 720);
}

TEST(Plan, DurationOptionTrimsBothTracks) {
  PlanOptions options;
  options.duration_s = 20;
  const EncodePlan plan = plan_for("long-1080p60-av1-aac-6min.mp4", kVideoPreset, options);
  EXPECT_DOUBLE_EQ(plan.duration_s, 20.0);
  EXPECT_TRUE(contains(plan.video_filter, "trim=start=0:end=20")) << plan.video_filter;
  EXPECT_TRUE(contains(plan.audio_filter, "atrim=start=0:end=20")) << plan.audio_filter;
}

TEST(Plan, StartBeyondTheEndIsAConfigurationError) {
  PlanOptions options;
  options.start_s = 30;
  const auto error = encode_error_of(
      [&] { plan_for("clip-1080x720-h264-aac-mono-1s.mp4", kVideoPreset, options); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
}

TEST(ExpandFileName, MacrosTakeTheLayerAndAudioValues) {
  VideoEncodePlan video;
  video.size = {1280, 534};
  video.layer.bitrate_kbps = 4500;
  AudioEncodePlan audio;
  audio.codec.bitrate_kbps = 128;
  audio.codec.channels = 2;
  EXPECT_EQ(expand_file_name("{Basename}_{Width}x{Height}_{VideoBitrate}_{AudioBitrate}{Extension}",
                             "film.avi", &video, &audio, presets::OutputFormat::Mp4),
            "film_1280x534_4500_128.mp4");
  EXPECT_EQ(expand_file_name("{Basename}_{Resolution}_{Channel}ch", "film.avi", &video, &audio,
                             presets::OutputFormat::Mp4),
            "film_1280x534_2ch");
}

TEST(ExpandFileName, BasenameIsTheFirst32CharactersOfTheStem) {
  EXPECT_EQ(expand_file_name("{Basename}{Extension}", "phone-portrait-4k60-h264-rotate90.mp4",
                             nullptr, nullptr, presets::OutputFormat::Mp4),
            "phone-portrait-4k60-h264-rotate9.mp4");
  EXPECT_EQ(expand_file_name("{Basename}", "short.name.mov", nullptr, nullptr,
                             presets::OutputFormat::Mp4),
            "short.name");
}

TEST(ExpandFileName, VideoMacroWithoutVideoIsAConfigurationError) {
  const auto error = encode_error_of([] {
    expand_file_name("{Basename}_{Width}", "speech.flac", nullptr, nullptr,
                     presets::OutputFormat::Mp4);
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(), "{Width}")) << error->what();
}

TEST(FfmpegCommand, CarriesThePlansFilterGraphAndRateControl) {
  const EncodePlan plan = plan_for("phone-portrait-4k60-h264-rotate90.mp4");
  const std::string cmd = plan.ffmpeg_command("/out");
  // The same graph, with [in] bound to the input's streams.
  const std::string body = plan.video_filter.substr(4, plan.video_filter.size() - 4 - 4);
  EXPECT_TRUE(contains(cmd, "[0:0]" + body + "[v0]")) << cmd;
  EXPECT_TRUE(contains(cmd, "[0:1]" + plan.audio_filter.substr(4))) << cmd;
  EXPECT_TRUE(contains(cmd, "-b:v 4500k -maxrate 6750k -bufsize 33750k")) << cmd;
  EXPECT_TRUE(contains(cmd, "-g 120")) << cmd;
  EXPECT_TRUE(contains(cmd, "-color_range tv")) << cmd;
  EXPECT_TRUE(contains(cmd, "'/out/" + plan.outputs[0].file_name + "'")) << cmd;
  EXPECT_TRUE(contains(cmd, "-i '" + media("phone-portrait-4k60-h264-rotate90.mp4") + "'")) << cmd;
}

}  // namespace
}  // namespace mw::encoders
