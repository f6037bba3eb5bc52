// The rules across keys (validate_preset), as the loader reports them with file, line and key
// (docs/presets.md "Rules across keys"), and the error text.

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "tests/presets/loader_fixture.hpp"

namespace mw::presets {
namespace {

using test_support::contains;
using test_support::edited;
using test_support::kLadder;
using test_support::kPreset;
using test_support::line_of;
using test_support::LoaderTest;
using test_support::TempDir;

// ---- Validation rules, as the loader reports them (with lines) ---------------------------------

TEST_F(LoaderTest, PresetWithoutVideoOrAudioIsAnError) {
  expect_error(R"(name: Nothing
outputs:
  - file_name: "{Basename}{Extension}"
)",
               "video", "name: Nothing",
               "a video section, an audio section or both (or images for thumbnails only)");
}

TEST_F(LoaderTest, EmptyNameIsAnError) {
  expect_error(edited(kPreset, "name: Test Preset", "name: \"\""), "name", "name:", "empty");
}

TEST_F(LoaderTest, NameWithoutLetterOrDigitIsAnError) {
  expect_error(edited(kPreset, "name: Test Preset", "name: Test\naliases: [\"--\"]"), "aliases[0]",
               "aliases:", "no letter or digit");
}

TEST_F(LoaderTest, EmptyLayerListIsAnError) {
  expect_error(R"(name: X
video:
  layers: []
outputs:
  - file_name: a.mp4
)",
               "video.layers", "layers: []", "at least one layer");
}

TEST_F(LoaderTest, OddWidthIsAnError) {
  expect_error(edited(kPreset, "width: 1280", "width: 1281"), "video.layers[0].width",
               "width: 1281", "1281 is odd");
}

TEST_F(LoaderTest, HeightBelowSixteenPixelsIsAnError) {
  expect_error(edited(kPreset, "height: 720", "height: 8"), "video.layers[0].height", "height: 8",
               "8 pixels is out of range; allowed 16..8192 pixels");
}

TEST_F(LoaderTest, ZeroBitrateIsAnError) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: 0"), "video.layers[0].bitrate",
               "bitrate: 0", "allowed 1..200000 kbps");
}

TEST_F(LoaderTest, MaxBitrateBelowBitrateIsAnError) {
  const std::string yaml =
      edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      max_bitrate: 3000");
  expect_error(yaml, "video.layers[0].max_bitrate", "max_bitrate: 3000",
               "3000 kbps is below bitrate (4500 kbps)");
}

TEST_F(LoaderTest, ZeroBufferWindowIsAnError) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      buffer_window: 0"),
               "video.layers[0].buffer_window", "buffer_window: 0", "more than 0");
}

TEST_F(LoaderTest, ZeroKeyframeIntervalIsAnError) {
  expect_error(edited(kPreset, "keyframe_interval: 2", "keyframe_interval: 00:00:00"),
               "video.keyframe_interval", "keyframe_interval", "more than 0");
}

TEST_F(LoaderTest, UnknownLevelListsTheH264Levels) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      level: 3.3"),
               "video.layers[0].level", "level: 3.3", "'3.3' is not allowed; allowed: 1, 1b, 1.1");
}

TEST_F(LoaderTest, TooManyBFramesIsAnError) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      b_frames: 17"),
               "video.layers[0].b_frames", "b_frames: 17", "allowed 0..16");
}

TEST_F(LoaderTest, ZeroReferenceFramesIsAnError) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      reference_frames: 0"),
               "video.layers[0].reference_frames", "reference_frames: 0", "allowed 1..16");
}

TEST_F(LoaderTest, CabacWithBaselineProfileIsAnError) {
  const std::string yaml = edited(
      kPreset, "bitrate: 4500",
      "bitrate: 4500\n      profile: baseline\n      b_frames: 0\n      entropy_mode: cabac");
  expect_error(yaml, "video.layers[0].entropy_mode", "entropy_mode: cabac", "use cavlc");
}

TEST_F(LoaderTest, BaselineWithDefaultEntropyPointsAtTheLayer) {
  const std::string yaml =
      edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      profile: baseline\n      b_frames: 0");
  expect_error(yaml, "video.layers[0].entropy_mode", "- width: 1280", "use cavlc");
}

TEST_F(LoaderTest, BFramesWithBaselineProfileIsAnError) {
  const std::string yaml = edited(
      kPreset, "bitrate: 4500",
      "bitrate: 4500\n      profile: baseline\n      entropy_mode: cavlc\n      b_frames: 2");
  expect_error(yaml, "video.layers[0].b_frames", "b_frames: 2", "no B-frames");
}

TEST_F(LoaderTest, SceneChangeDetectionOnALadderIsAnError) {
  const std::string yaml = edited(kLadder, "video:\n", "video:\n  scene_change_detection: true\n");
  expect_error(yaml, "video.scene_change_detection", "scene_change_detection: true",
               "needs exactly one layer");
}

TEST_F(LoaderTest, LayersAtDifferentFrameRatesAreAnError) {
  const std::string yaml =
      edited(kLadder, "bitrate: 1000", "bitrate: 1000\n      frame_rate: 30/1");
  expect_error(yaml, "video.layers[1].frame_rate", "frame_rate: 30/1",
               "30/1 differs from layers[0] (source)");
}

TEST_F(LoaderTest, LadderAtOneFrameRateLoads) {
  std::string yaml = edited(kLadder, "bitrate: 3400", "bitrate: 3400\n      frame_rate: 30/1");
  yaml = edited(yaml, "bitrate: 1000", "bitrate: 1000\n      frame_rate: 60/2");
  EXPECT_EQ(load(yaml).video->layers.size(), 2u);
}

TEST_F(LoaderTest, FrameRateAbove240IsAnError) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      frame_rate: 1000"),
               "video.layers[0].frame_rate", "frame_rate: 1000", "at most 240 fps");
}

TEST_F(LoaderTest, HeAacV2WithSixChannelsIsAnError) {
  expect_error(edited(kPreset, "  channels: 2", "  profile: he_aac_v2\n  channels: 6"),
               "audio.channels", "channels: 6", "needs 2");
}

TEST_F(LoaderTest, FiveChannelsIsAnError) {
  expect_error(edited(kPreset, "  channels: 2", "  channels: 5"), "audio.channels", "channels: 5",
               "allowed: 1, 2, 6, 8");
}

TEST_F(LoaderTest, UnlistedSamplingRateIsAnError) {
  expect_error(edited(kPreset, "  channels: 2", "  sampling_rate: 44000"), "audio.sampling_rate",
               "sampling_rate: 44000", "44100, 48000");
}

TEST_F(LoaderTest, AudioBitrateBelowEightKbpsIsAnError) {
  expect_error(edited(kPreset, "  bitrate: 128", "  bitrate: 4"), "audio.bitrate", "  bitrate: 4\n",
               "allowed 8..1024 kbps");
}

TEST_F(LoaderTest, NoOutputsIsAnError) {
  const std::string yaml =
      std::string(kPreset.substr(0, kPreset.find("outputs:"))) + "outputs: []\n";
  expect_error(yaml, "outputs", "outputs: []", "at least one output");
}

TEST_F(LoaderTest, EmptyFileNameIsAnError) {
  expect_error(edited(kPreset, "\"{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}\"", "\"\""),
               "outputs[0].file_name", "file_name:", "empty");
}

TEST_F(LoaderTest, FileNameWithAFolderIsAnError) {
  expect_error(edited(kPreset, "\"{Basename}_", "\"../{Basename}_"), "outputs[0].file_name",
               "file_name:", "no '/', '\\' or '..'");
  expect_error(edited(kPreset, "\"{Basename}_", "\"out/{Basename}_"), "outputs[0].file_name",
               "file_name:", "no '/', '\\' or '..'");
}

TEST_F(LoaderTest, FileNameWithAControlCharacterOrTooLongIsAnError) {
  // A NUL once cut the written file's name short ("a\0b.mp4" wrote "a"): the manifest named a
  // file that did not exist.
  expect_error(edited(kPreset, "\"{Basename}_", "\"a\\0b{Basename}_"), "outputs[0].file_name",
               "file_name:", "control character 0x00");
  expect_error(edited(kPreset, "\"{Basename}_", "\"a\\tb{Basename}_"), "outputs[0].file_name",
               "file_name:", "control character 0x09");
  expect_error(edited(kPreset, "\"{Basename}_", "\"" + std::string(300, 'a') + "{Basename}_"),
               "outputs[0].file_name", "file_name:", "a file name is at most 255 bytes");
}

TEST_F(LoaderTest, UnknownFileNameMacroIsNamed) {
  expect_error(edited(kPreset, "{Extension}", "_{Frame}{Extension}"), "outputs[0].file_name",
               "file_name:", "unknown macro '{Frame}'; allowed: {Basename}, {Width}");
}

TEST_F(LoaderTest, UnclosedFileNameMacroIsAnError) {
  expect_error(edited(kPreset, "{Extension}", "{Extension"), "outputs[0].file_name",
               "file_name:", "without its closing '}'");
}

// ---- validate_preset on a model, and the error text ---------------------------------------------

TEST(ValidatePresetTest, ModelErrorNamesOriginAndKeyWithoutALine) {
  Preset preset;
  preset.name = "Built in code";
  preset.origin = "inline";
  preset.video = VideoCodec{};
  for (const auto& [width, height, kbps] : {std::tuple{1280, 720, 4500}, {641, 360, 1000}}) {
    VideoLayer layer;
    layer.width = width;
    layer.height = height;
    layer.bitrate_kbps = kbps;
    preset.video->layers.push_back(layer);
  }
  preset.outputs.emplace_back().file_name = "{Basename}{Extension}";
  try {
    validate_preset(preset);
    ADD_FAILURE() << "an odd width validated";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), "inline");
    EXPECT_EQ(error.line(), 0);
    EXPECT_EQ(error.key(), "video.layers[1].width");
    EXPECT_STREQ(error.what(),
                 "inline: video.layers[1].width: 641 is odd; sizes must be even (MES: Width and "
                 "Height are even)");
  }
  preset.video->layers[1].width = 640;
  EXPECT_NO_THROW(validate_preset(preset));
}

TEST(PresetErrorTest, WhatReadsFileLineKeyMessageLeavingOutUnknownParts) {
  EXPECT_STREQ(PresetError("a.yaml", 3, "video.layers[0].bitrate", "too low").what(),
               "a.yaml:3: video.layers[0].bitrate: too low");
  EXPECT_STREQ(PresetError("a.yaml", 0, "", "cannot open").what(), "a.yaml: cannot open");
  EXPECT_STREQ(PresetError("", 0, "", "unknown preset 'X'").what(), "unknown preset 'X'");
  EXPECT_STREQ(PresetError("", 4, "name", "empty").what(), "line 4: name: empty");
}

// ---- Rules of the issue 4 keys ------------------------------------------------------------------

/// One JPEG thumbnail codec and its output; tests change one line.
constexpr std::string_view kThumbnails = R"(name: Thumbs
images:
  - format: jpg
    start: "00:00:00"
    step: "00:00:05"
    layers:
      - width: 300
        quality: 90
outputs:
  - file_name: "{Basename}_{Index}{Extension}"
    format: jpg
)";

TEST_F(LoaderTest, ThumbnailOnlyPresetLoads) {
  const Preset preset = load(kThumbnails);
  ASSERT_EQ(preset.images.size(), 1u);
  EXPECT_EQ(preset.images[0].layers.at(0).width, 300);
}

TEST_F(LoaderTest, ContentAdaptiveLadderWithLayersIsAnError) {
  expect_error(edited(kLadder, "video:\n", "video:\n  ladder: content_adaptive\n"), "video.layers",
               "layers:", "ladder content_adaptive builds its layers from the input");
}

TEST_F(LoaderTest, ContentAdaptiveLadderWithSceneCutsIsAnError) {
  expect_error(R"(name: X
video:
  ladder: content_adaptive
  scene_change_detection: true
outputs:
  - file_name: "{Basename}_{Width}x{Height}{Extension}"
)",
               "video.scene_change_detection", "scene_change_detection", "GOPs aligned");
}

TEST_F(LoaderTest, FixedLadderWithoutLayersIsAnError) {
  expect_error(edited(kPreset, "  layers:\n    - width: 1280\n      height: 720\n      bitrate: 4500\n",
                      ""),
               "video.layers", "video:", "at least one layer is required");
}

TEST_F(LoaderTest, PercentAboveAHundredIsAnError) {
  expect_error(edited(kPreset, "height: 720", "height: \"150%\""), "video.layers[0].height",
               "height:", "150 % is out of range; allowed 1..100 %");
}

TEST_F(LoaderTest, ImageOutputWithoutItsCodecIsAnError) {
  expect_error(edited(kPreset, "{VideoBitrate}{Extension}\"", "{VideoBitrate}{Extension}\"\n"
                                                             "  - file_name: \"{Basename}_{Index}{Extension}\"\n"
                                                             "    format: png"),
               "outputs[1].format", "format: png", "1 png output(s) but 0 images[] entries");
}

TEST_F(LoaderTest, ImageCodecWithoutAnOutputOfItsFormatIsAnError) {
  expect_error(edited(kThumbnails, "    format: jpg\n", "    format: png\n"), "images[0].format",
               "format: jpg", "each image codec needs an output of its format");
}

TEST_F(LoaderTest, ImageFileNameNeedsIndexExactlyOnce) {
  expect_error(edited(kThumbnails, "_{Index}", ""), "outputs[0].file_name", "file_name:",
               "has {Index} 0 times; an image output's file name needs it exactly once");
  expect_error(edited(kThumbnails, "_{Index}", "_{Index}_{Index}"), "outputs[0].file_name",
               "file_name:", "has {Index} 2 times");
}

TEST_F(LoaderTest, IndexInAnMp4FileNameIsAnError) {
  expect_error(edited(kPreset, "{Extension}", "_{Index}{Extension}"), "outputs[0].file_name",
               "file_name:", "uses {Index}, which is for image outputs (jpg, png, bmp) only");
}

TEST_F(LoaderTest, SpriteNeedsTimesOrPercentsNotFrames) {
  const std::string sprite = edited(kThumbnails, "layers:", "sprite_columns: 5\n    layers:");
  EXPECT_EQ(load(sprite).images.at(0).sprite_columns, 5);
  expect_error(edited(sprite, "step: \"00:00:05\"", "step: 120"), "images[0].step", "step: 120",
               "frame 120 with sprite_columns; a sprite needs times or percents");
  expect_error(edited(sprite, "start: \"00:00:00\"", "start: \"{Best}\""), "images[0].start",
               "start:", "{Best} with sprite_columns");
}

TEST_F(LoaderTest, SpriteOfPngIsAnError) {
  std::string yaml = edited(kThumbnails, "layers:", "sprite_columns: 5\n    layers:");
  yaml = edited(edited(yaml, "format: jpg", "format: png"), "format: jpg", "format: png");
  expect_error(yaml, "images[0].sprite_columns", "sprite_columns", "format is png");
}

TEST_F(LoaderTest, ImagePercentPositionAboveAHundredIsAnError) {
  expect_error(edited(kThumbnails, "start: \"00:00:00\"", "start: \"150%\""), "images[0].start",
               "start:", "150% is out of range");
  expect_error(edited(kThumbnails, "step: \"00:00:05\"", "step: 0"), "images[0].step", "step: 0",
               "frame 0 is out of range; allowed more than 0");
}

TEST_F(LoaderTest, ImageLayerWithoutASizeIsAnError) {
  expect_error(edited(kThumbnails, "      - width: 300\n        quality: 90\n", "      - quality: 80\n"),
               "images[0].layers[0].width", "- quality: 80", "neither width nor height");
}

TEST_F(LoaderTest, JpegQualityAboveAHundredIsAnError) {
  expect_error(edited(kThumbnails, "quality: 90", "quality: 101"), "images[0].layers[0].quality",
               "quality: 101", "allowed 1..100");
}

TEST_F(LoaderTest, AudioOnlyOutputNeedsAudio) {
  expect_error(edited(kLadder, "{Extension}\"", "{Extension}\"\n    streams: audio_only"),
               "outputs[0].streams", "streams: audio_only",
               "audio_only needs an audio section; the preset has none");
}

TEST_F(LoaderTest, VideoOnlyOutputNeedsVideo) {
  expect_error(R"(name: Voice
audio: {}
outputs:
  - file_name: "{Basename}{Extension}"
    streams: video_only
)",
               "outputs[0].streams", "streams: video_only", "video_only needs a video section");
}

TEST_F(LoaderTest, AudioOnlyFileNameWithAVideoMacroIsAnError) {
  expect_error(edited(kPreset, "{Extension}\"", "{Extension}\"\n    streams: audio_only"),
               "outputs[0].file_name", "file_name:",
               "uses {Width} but an audio_only file has no video");
}

TEST_F(LoaderTest, AudioBitrateNeedsAnAudioOnlyOutput) {
  expect_error(edited(kPreset, "{Extension}\"", "{Extension}\"\n    audio_bitrate: 56"),
               "outputs[0].audio_bitrate", "audio_bitrate: 56", "needs streams: audio_only");
  expect_error(edited(kPreset, "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}\"",
                      "{Basename}_{AudioBitrate}{Extension}\"\n    streams: audio_only\n"
                      "    audio_bitrate: 4"),
               "outputs[0].audio_bitrate", "audio_bitrate: 4", "allowed 8..1024 kbps");
}

TEST_F(LoaderTest, StreamsOnAnImageOutputIsAnError) {
  expect_error(edited(kThumbnails, "    format: jpg\n", "    format: jpg\n    streams: video_only\n"),
               "outputs[0].streams", "streams: video_only", "mp4 outputs only");
}

TEST_F(LoaderTest, LoudnessOutsideLoudnormRangesIsAnError) {
  expect_error(edited(kPreset, "  bitrate: 128", "  bitrate: 128\n  loudness: {integrated: -3}"),
               "audio.loudness.integrated", "loudness:", "-3 LUFS is out of range; allowed -70..-5 LUFS");
  expect_error(edited(kPreset, "  bitrate: 128", "  bitrate: 128\n  loudness:\n    true_peak: 1"),
               "audio.loudness.true_peak", "true_peak: 1", "allowed -9..0 dBTP");
}

TEST_F(LoaderTest, CropOutsideTheLimitsIsAnError) {
  expect_error(edited(kPreset, "outputs:", "filters:\n  crop: {x: 8000, y: 0, width: 640, height: 360}\noutputs:"),
               "filters.crop.width", "crop:", "x + width = 8640 is beyond 8192 pixels");
  expect_error(edited(kPreset, "outputs:", "filters:\n  crop: {x: 0, y: -2, width: 640, height: 360}\noutputs:"),
               "filters.crop.y", "crop:", "-2 pixels is out of range");
  expect_error(edited(kPreset, "outputs:", "filters:\n  crop: {x: 0, y: 0, width: 641, height: 360}\noutputs:"),
               "filters.crop.width", "crop:", "641 is odd");
}

TEST_F(LoaderTest, SourceAssetIdMustBeAGuid) {
  expect_error(edited(kPreset, "outputs:", "sources:\n  - asset_id: nb:cid:UUID:2a5b3c4d-0000-1111-2222-333344445555\noutputs:"),
               "sources[0].asset_id", "asset_id:", "without its nb:cid:UUID: prefix");
  expect_error(edited(kPreset, "outputs:", "sources:\n  - duration: 0\noutputs:"),
               "sources[0].duration", "duration: 0", "allowed more than 0 s");
}

TEST_F(LoaderTest, UnsupportedPresetNeedsUseInstead) {
  expect_error("name: VC1 X\nunsupported: no VC-1\n", "use_instead", "name: VC1 X",
               "required with unsupported");
}

TEST_F(LoaderTest, UnsupportedPresetWithACodecIsAnError) {
  expect_error("name: VC1 X\nunsupported: no VC-1\nuse_instead: Y\naudio: {}\n", "audio",
               "audio: {}", "an unsupported preset encodes nothing; remove audio");
}

TEST_F(LoaderTest, UseInsteadWithoutUnsupportedIsAnError) {
  expect_error(edited(kPreset, "video:", "use_instead: Other\nvideo:"), "use_instead",
               "use_instead", "only for a preset marked unsupported");
}
// ---- Streaming outputs (docs/presets.md outputs[], docs/streaming.md) --------------------------

constexpr std::string_view kStreaming = R"(name: Test Streaming
video:
  keyframe_interval: 2
  layers:
    - {width: 1280, height: 720, bitrate: 3400}
    - {width: 640, height: 360, bitrate: 1000}
audio: {bitrate: 128}
outputs:
  - file_name: "{Basename}_{Height}"
    format: cmaf
    streams: video_only
  - file_name: "{Basename}_audio"
    format: cmaf
    streams: audio_only
)";

TEST_F(LoaderTest, StreamingOutputsLoadWithTheirPackagingKeys) {
  const Preset p = load(edited(kStreaming, "    format: cmaf\n    streams: video_only",
                               "    format: cmaf\n    streams: video_only\n    segment_duration: 4\n"
                               "    manifest_name: \"{Basename}_master\""));
  ASSERT_EQ(p.outputs.size(), 2u);
  EXPECT_EQ(p.outputs[0].format, OutputFormat::Cmaf);
  EXPECT_EQ(p.outputs[0].segment_duration_s, 4.0);
  EXPECT_EQ(p.outputs[0].manifest_name, "{Basename}_master");
}

TEST_F(LoaderTest, SegmentDurationMustBeWholeGops) {
  expect_error(edited(kStreaming, "    streams: video_only", "    streams: video_only\n    segment_duration: 3"),
               "outputs[0].segment_duration", "segment_duration: 3",
               "3 s is not a multiple of video.keyframe_interval (2 s)");
}

TEST_F(LoaderTest, PackagingKeysOnAnMp4OutputAreAnError) {
  expect_error(edited(kLadder, "{Extension}\"", "{Extension}\"\n    segment_duration: 2"),
               "outputs[0].segment_duration", "segment_duration: 2", "streaming formats");
}

TEST_F(LoaderTest, ManifestNamedLikeTheRenditionsIsAnError) {
  expect_error(edited(kStreaming, "    streams: audio_only", "    streams: audio_only\n    manifest_name: \"{Basename}_audio\""),
               "outputs[1].manifest_name", "manifest_name:", "would overwrite the master playlist");
}

TEST_F(LoaderTest, ManifestNameWithAFolderIsAnError) {
  // "x/../../victim" once made the packager's staging folder OUTPUT/../victim, which it
  // removed (with whatever that folder held); "../evil" wrote evil.m3u8 beside the output folder.
  auto with_name = [](const std::string& name) {
    return edited(kStreaming, "    streams: video_only",
                  "    streams: video_only\n    manifest_name: \"" + name + "\"");
  };
  expect_error(with_name("x/../../victim"), "outputs[0].manifest_name",
               "manifest_name:", "no '/', '\\' or '..'");
  expect_error(with_name("../evil"), "outputs[0].manifest_name",
               "manifest_name:", "no '/', '\\' or '..'");
  expect_error(with_name("{Basename}\\\\x"), "outputs[0].manifest_name",
               "manifest_name:", "no '/', '\\' or '..'");
  expect_error(with_name("."), "outputs[0].manifest_name",
               "manifest_name:", "is the output folder");
  expect_error(with_name(".hidden"), "outputs[0].manifest_name",
               "manifest_name:", "not start with '.'");
  expect_error(with_name("{Frame}"), "outputs[0].manifest_name",
               "manifest_name:", "unknown macro '{Frame}'");
}

TEST_F(LoaderTest, CmafBesideHlsIsAnError) {
  expect_error(edited(kStreaming, "    format: cmaf\n    streams: audio_only", "    format: hls\n    streams: audio_only"),
               "outputs[0].format", "format: cmaf", "cmaf already writes HLS and DASH");
}

// HLS at 2 s (the keyframe interval) and DASH at 4 s segments of one file_name once wrote
// STEM_00001.m4s twice: the HLS playlist then named 4 s segments as 2 s ones. (Of one length
// they are the same files: allowed.)
TEST_F(LoaderTest, HlsAndDashOutputsOfOneFileNameWithOtherSegmentLengthsAreAnError) {
  const std::string yaml =
      edited(edited(kStreaming, "    format: cmaf\n    streams: video_only",
                    "    format: hls\n    streams: video_only"),
             "  - file_name: \"{Basename}_audio\"\n    format: cmaf",
             "  - file_name: \"{Basename}_{Height}\"  # the DASH renditions\n    format: dash\n    "
             "streams: video_only\n"
             "    segment_duration: 4\n  - file_name: \"{Basename}_audio\"\n    format: hls");
  expect_error(yaml, "outputs[1].file_name", "# the DASH renditions",
               "is also the file_name of outputs[0], whose segments have another segment_duration");
  // segment_duration 2 is the keyframe interval, the hls output's length: the same files.
  std::string same = yaml;
  same.replace(same.find("segment_duration: 4"), 19, "segment_duration: 2");
  EXPECT_EQ(load(same).outputs.size(), 3u);
}

TEST_F(LoaderTest, OutputsOfOneFormatShareTheirManifest) {
  expect_error(edited(kStreaming, "    streams: audio_only", "    streams: audio_only\n    segment_duration: 4"),  // the first: default
               "outputs[1]", "- file_name: \"{Basename}_audio\"", "share one manifest");
}

}  // namespace
}  // namespace mw::presets
