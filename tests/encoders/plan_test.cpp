// make_plan() and its parts on probed real clips: output sizes (MES StretchMode), the filter
// graph that turns, converts range and tone-maps, the GOP, output file names, and the equivalent
// ffmpeg command.

#include "encoders/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "encoders/probe.hpp"
#include "presets/loader.hpp"
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

// --- MES Sources, Filters, Conditions, output layouts ---------------------------------------

/// The shipped video preset with `sources`.
presets::Preset with_sources(std::vector<presets::Source> sources) {
  presets::Preset p = preset(kVideoPreset);
  p.sources = std::move(sources);
  return p;
}

PlanInput input_of(std::string_view clip, std::string asset_id) {
  return {probe(media(clip)), std::move(asset_id)};
}

TEST(PlanSources, StartTimeIsAnInputTimestamp) {
  // The clip's first picture is stamped 10 s: StartTime 11 s is 1 s into it.
  const EncodePlan plan = make_plan(with_sources({{"", 11.0, 2.0}}),
                                    probe(media("bbb-800x640-h264-video-only-14s.mp4")));
  EXPECT_NEAR(plan.start_s, 1.0, 1e-6);
  EXPECT_NEAR(plan.duration_s, 2.0, 1e-6);
  ASSERT_EQ(plan.segments.size(), 1u);
  EXPECT_TRUE(contains(plan.video_filter, "trim=start=0:end=2.000000")) << plan.video_filter;
}

TEST(PlanSources, StartTimeBeforeTheFirstTimestampNamesSourceAssetAndTimes) {
  const auto error = encode_error_of([&] {
    make_plan(with_sources({{"in-1", 5.0, std::nullopt}}),
              {input_of("bbb-800x640-h264-video-only-14s.mp4", "in-1")});
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  for (const char* part : {"Sources[0]", "in-1", "5.000", "10.000"})
    EXPECT_TRUE(contains(error->what(), part)) << error->what();
}

TEST(PlanSources, StartTimeBeyondTheEndIsAConfigurationError) {
  const auto error = encode_error_of([&] {
    make_plan(with_sources({{"", 20.0, std::nullopt}}), probe(media("bbb-800x640-h264-video-only-14s.mp4")));
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(), "20.000")) << error->what();
  EXPECT_TRUE(contains(error->what(), "14.000")) << error->what();
}

TEST(PlanSources, UnknownAssetIdIsAConfigurationError) {
  const auto error = encode_error_of([&] {
    make_plan(with_sources({{"nb:cid:UUID:other", std::nullopt, std::nullopt}}),
              {input_of("clip-1080x720-h264-aac-mono-1s.mp4", "mine")});
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(), "nb:cid:UUID:other")) << error->what();
}

TEST(PlanSources, ConcatenationAddsTheSpansInSourcesOrder) {
  const EncodePlan plan = make_plan(
      with_sources({{"b", std::nullopt, 0.5}, {"a", std::nullopt, std::nullopt}}),
      {input_of("clip-1080x720-h264-aac-mono-1s.mp4", "a"), input_of("clip-pcm-24bit-in-mp4.mp4", "b")});
  ASSERT_EQ(plan.segments.size(), 2u);
  EXPECT_EQ(plan.segments[0].input, 1u);
  EXPECT_EQ(plan.segments[1].input, 0u);
  EXPECT_NEAR(plan.duration_s, 0.5 + 1.001, 0.01);
  EXPECT_FALSE(contains(plan.video_filter, "trim")) << "the source stage trims concatenated spans";
  EXPECT_TRUE(contains(plan.segments[0].audio_filter, "atrim=start=0:end=0.500000")) << plan.segments[0].audio_filter;
}

TEST(PlanSources, ConcatenatedInputsNeedTheSameFrameRate) {
  const auto error = encode_error_of([&] {
    make_plan(with_sources({{"a", std::nullopt, std::nullopt}, {"b", std::nullopt, std::nullopt}}),
              {input_of("clip-1080x720-h264-aac-mono-1s.mp4", "a"), input_of("studio-1080p50-h264-pcm.mov", "b")});
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(), "Sources[1]")) << error->what();
  EXPECT_TRUE(contains(error->what(), "frame rate")) << error->what();
}

TEST(PlanSources, ConcatenatedInputsNeedAnAudioTrack) {
  const auto error = encode_error_of([&] {
    make_plan(with_sources({{"a", std::nullopt, std::nullopt}, {"b", std::nullopt, std::nullopt}}),
              {input_of("screen-720p30-h264-aac-rotate180.mp4", "a"),
               input_of("bear-161x121-vp9-odd-size.webm", "b")});
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(), "no audio stream")) << error->what();
}

TEST(PlanFilters, CropOutsideThePictureIsAConfigurationError) {
  presets::Preset p = preset(kVideoPreset);
  p.filters.crop = presets::Crop{1000, 0, 400, 300};  // 1400 > 1280
  const auto error = encode_error_of([&] { make_plan(p, probe(media("screen-720p30-h264-aac-rotate180.mp4"))); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(), "1280x720")) << error->what();
}

TEST(PlanFilters, PercentSizesAreOfTheCroppedPicture) {
  presets::Preset p = preset(kVideoPreset);
  p.filters.crop = presets::Crop{0, 0, 640, 480};
  auto& layer = p.video->layers[0];
  layer.width = layer.height = 0;
  layer.width_percent = layer.height_percent = 50;
  const EncodePlan plan = make_plan(p, probe(media("screen-720p30-h264-aac-rotate180.mp4")));
  expect_size(plan.video[0].size, 320, 240);
  EXPECT_TRUE(contains(plan.video_filter, "crop=w=640:h=480:x=0:y=0")) << plan.video_filter;
}

TEST(PlanFilters, DeinterlaceOffKeepsFields) {
  MediaInfo info = probe(media("bbb-1080p24-mpeg2-mp2.ts"));
  info.video_tracks[0].interlaced = true;
  presets::Preset p = preset(kVideoPreset);
  EXPECT_TRUE(contains(make_plan(p, info).video_filter, "bwdif"));
  p.filters.deinterlace = presets::DeinterlaceMode::Off;
  EXPECT_FALSE(contains(make_plan(p, info).video_filter, "bwdif"));
}

TEST(PlanConditions, BottomLayerOnlyEncodesTheLowestBitrateInBlack) {
  presets::Preset p = preset(kVideoPreset);
  presets::VideoLayer low = p.video->layers[0];
  low.width = 640;
  low.height = 360;
  low.bitrate_kbps = 900;
  p.video->layers.push_back(low);
  p.video->condition = presets::VideoCondition::InsertBlackIfNoVideoBottomLayerOnly;
  const EncodePlan plan = make_plan(p, probe(media("speech-audio-only.flac")));
  ASSERT_EQ(plan.video.size(), 1u);
  EXPECT_EQ(plan.video[0].layer.bitrate_kbps, 900);
  EXPECT_TRUE(plan.black_video);
  EXPECT_TRUE(contains(plan.video_filter, "color=c=black:s=640x360:r=25/1")) << plan.video_filter;
  ASSERT_EQ(plan.outputs.size(), 1u);
  EXPECT_TRUE(plan.outputs[0].audio);
}

TEST(PlanConditions, WithoutInsertSilenceAVideoOnlyInputIsNotedVideoOnly) {
  const EncodePlan plan = plan_for("bbb-800x640-h264-video-only-14s.mp4");
  EXPECT_FALSE(plan.audio.has_value());
  EXPECT_TRUE(std::any_of(plan.notes.begin(), plan.notes.end(),
                          [](const std::string& n) { return contains(n, "video only"); }));
}

TEST(PlanAudio, HeAacFallsBackToAacLcWithANote) {
  presets::Preset p = preset(kAudioPreset);
  p.audio->profile = presets::AacProfile::HeAacV2;
  const EncodePlan plan = make_plan(p, probe(media("speech-audio-only.flac")));
  EXPECT_EQ(plan.audio->profile, "aac_low");
  ASSERT_FALSE(plan.notes.empty());
  EXPECT_TRUE(contains(plan.notes.front(), "HE-AAC v2")) << plan.notes.front();
  EXPECT_TRUE(contains(plan.notes.front(), "AAC-LC")) << plan.notes.front();
}

TEST(PlanLevels, LayerBeyondItsPublishedLevelIsNoted) {
  // The iOS ladder's 1920x1080 layer is level 4, which covers 1080p up to 30 fps; on a 60 fps
  // source x264 wrote "level 4" on a stream that needs 4.2, silently.
  const EncodePlan plan =
      plan_for("bbb-1080p60-vp8-vorbis-6ch.webm", "H264 Multiple Bitrate 16x9 for iOS");
  ASSERT_FALSE(plan.video.empty());
  EXPECT_EQ(plan.video[0].level, "4");
  const auto note = std::find_if(plan.notes.begin(), plan.notes.end(), [](const std::string& n) {
    return n.starts_with("layer 0 (1920x1080 at 60.000 fps: 8160 macroblocks a frame, 489600 a second) "
                         "is beyond level 4");
  });
  ASSERT_NE(note, plan.notes.end()) << ::testing::PrintToString(plan.notes);
  EXPECT_TRUE(contains(*note, "level 4.2 would cover it")) << *note;
  // At 30 fps the same ladder fits its levels: no note.
  const EncodePlan at30 = plan_for("bbb-1080p24-mpeg2-mp2.ts", "H264 Multiple Bitrate 16x9 for iOS");
  EXPECT_FALSE(std::any_of(at30.notes.begin(), at30.notes.end(),
                           [](const std::string& n) { return contains(n, "is beyond level"); }))
      << ::testing::PrintToString(at30.notes);
}

TEST(PlanOutputs, AudioOnlyOutputOnAnInputWithoutAudioIsLeftOutWithANote) {
  // "Adaptive Streaming" on a silent clip once failed the task for its audio-only file, while
  // every interleaved ladder gave video-only files.
  presets::Preset p = preset(kVideoPreset);
  p.outputs.push_back({"{Basename}_audio{Extension}", presets::OutputFormat::Mp4,
                       presets::OutputStreams::AudioOnly, 0});
  const EncodePlan plan = make_plan(p, probe(media("bbb-800x640-h264-video-only-14s.mp4")));
  ASSERT_EQ(plan.outputs.size(), 1u);
  EXPECT_EQ(plan.outputs[0].video, 0);
  EXPECT_FALSE(plan.outputs[0].audio);
  EXPECT_TRUE(std::any_of(plan.notes.begin(), plan.notes.end(), [](const std::string& n) {
    return contains(n, "audio-only output '{Basename}_audio{Extension}' is not written");
  }));
}

TEST(PlanOutputs, AudioOnlyOutputOfAnAudioPresetOnAnInputWithoutAudioIsUnsupported) {
  presets::Preset p = preset(kAudioPreset);
  p.outputs[0].streams = presets::OutputStreams::AudioOnly;
  const auto error = encode_error_of([&] { make_plan(p, probe(media("bbb-800x640-h264-video-only-14s.mp4"))); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::UnsupportedFormat);
}

TEST(PlanOutputs, ExtraAudioBitratesShareOneGraph) {
  presets::Preset p = preset(kVideoPreset);
  p.outputs.push_back({"{Basename}_{AudioBitrate}{Extension}", presets::OutputFormat::Mp4,
                       presets::OutputStreams::AudioOnly, 128});
  p.outputs.push_back({"{Basename}_{AudioBitrate}{Extension}", presets::OutputFormat::Mp4,
                       presets::OutputStreams::AudioOnly, 56});
  const EncodePlan plan = make_plan(p, probe(media("screen-720p30-h264-aac-rotate180.mp4")));
  ASSERT_EQ(plan.outputs.size(), 3u);
  EXPECT_EQ(plan.outputs[1].audio_encoder, 0);
  EXPECT_EQ(plan.outputs[2].audio_encoder, 1);
  ASSERT_EQ(plan.extra_audio.size(), 1u);
  EXPECT_EQ(plan.extra_audio[0].codec.bitrate_kbps, 56);
  EXPECT_EQ(plan.outputs[2].file_name, "screen-720p30-h264-aac-rotate180_56.mp4");
  EXPECT_TRUE(contains(plan.audio_filter, "asplit=2[a0][a1]")) << plan.audio_filter;
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

// 32 characters, not bytes: cutting a UTF-8 name at byte 32 split a character, and the MPD and
// playlists named after it were not UTF-8 (libxml2: "Input is not proper UTF-8").
TEST(ExpandFileName, BasenameOfAUnicodeNameKeepsWholeCharacters) {
  const std::string name =
      "日本語のファイル名がとても長いビデオクリップです_テストの名前はもっと長い.mp4";
  EXPECT_EQ(expand_file_name("{Basename}", name, nullptr, nullptr, presets::OutputFormat::Mp4),
            "日本語のファイル名がとても長いビデオクリップです_テストの名前は");
  EXPECT_EQ(expand_file_name("{Basename}", "café-crème-brûlée-à-la-carte-édition-spéciale.mov",
                             nullptr, nullptr, presets::OutputFormat::Mp4),
            "café-crème-brûlée-à-la-carte-édi");
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

// A streaming output: its layers are MP4s in the staging folder, the command makes that folder
// and ends with the `mediaworker package` line; a layer that two outputs carry is split, since
// a filter graph output can be mapped once.
TEST(FfmpegCommand, StreamingOutputsAreStagedMp4sThenThePackageCommand) {
  const presets::Preset preset = presets::parse_preset_yaml(R"(name: Cmaf and Smooth
video:
  keyframe_interval: 2
  layers: [{width: 640, height: 360, bitrate: 800}]
audio: {bitrate: 96}
outputs:
  - {file_name: "{Basename}_{Height}", format: cmaf, streams: video_only, segment_duration: 4}
  - {file_name: "{Basename}_{Height}", format: smooth}
)", "test");
  const EncodePlan plan = make_plan(preset, probe(media("vfr-640x360-h264-aac-17s.mp4")));
  ASSERT_EQ(plan.packages.size(), 2u);
  const std::string cmd = plan.ffmpeg_command("/out");
  EXPECT_TRUE(cmd.starts_with("mkdir -p '/out/.mw-staging/cmaf' '/out/.mw-staging/smooth' && ffmpeg ")) << cmd;
  EXPECT_TRUE(contains(cmd, "[v0]split=2[v0_0][v0_1]")) << cmd;
  EXPECT_TRUE(contains(cmd, "-map '[v0_0]'")) << cmd;
  EXPECT_TRUE(contains(cmd, "-map '[v0_1]'")) << cmd;
  EXPECT_TRUE(contains(cmd, "'/out/.mw-staging/cmaf/vfr-640x360-h264-aac-17s_360.mp4'")) << cmd;
  EXPECT_TRUE(contains(cmd, "\n# then, without re-encoding: mediaworker package -f cmaf -n 'vfr-640x360-h264-aac-17s' "
                            "--segment-duration 4 -o '/out' '/out/.mw-staging/cmaf/vfr-640x360-h264-aac-17s_360.mp4'"))
      << cmd;
  EXPECT_TRUE(contains(cmd, "\n# then, without re-encoding: mediaworker package -f smooth")) << cmd;
}

}  // namespace
}  // namespace mw::encoders
