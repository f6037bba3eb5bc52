// The YAML preset format read into the model: every key and its forms, the defaults, and the
// structure and type errors with their file, line and key (docs/presets.md "The format").

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

// ---- Reading values -----------------------------------------------------------------------------

TEST_F(LoaderTest, EveryKeyIsReadIntoThePreset) {
  const Preset preset = load(R"(name: Every Key
aliases: [Everything, "All Keys"]
description: A preset that sets every key.
source: |
  Made up for a test.
video:
  keyframe_interval: "00:00:03"
  scene_change_detection: false
  complexity: quality
  stretch_mode: auto_fit
  orientation: pinned
  allow_upscale: false
  layers:
    - width: 1920
      height: 1080
      bitrate: 6000
      max_bitrate: 9000
      buffer_window: 0:00:02.5
      profile: main
      level: "4.1"
      b_frames: 2
      reference_frames: 4
      adaptive_b_frames: false
      entropy_mode: cavlc
      slices: 4
      frame_rate: 30000/1001
    - width: 640
      height: 360
      bitrate: 800
      profile: baseline
      level: 1b
      b_frames: 0
      entropy_mode: cavlc
      frame_rate: 60000/2002
audio:
  profile: he_aac_v1
  channels: 6
  sampling_rate: 44100
  bitrate: 256
outputs:
  - file_name: "{Basename}_{Resolution}_{Bitrate}_{Codec}_{Channel}{Extension}"
    format: mp4
  - file_name: "{Basename}_{AudioBitrate}{Extension}"
)");
  EXPECT_EQ(preset.name, "Every Key");
  EXPECT_EQ(preset.aliases, (std::vector<std::string>{"Everything", "All Keys"}));
  EXPECT_EQ(preset.description, "A preset that sets every key.");
  EXPECT_EQ(preset.source, "Made up for a test.\n");
  ASSERT_TRUE(preset.video);
  const VideoCodec& video = *preset.video;
  EXPECT_DOUBLE_EQ(video.keyframe_interval_s, 3.0);
  EXPECT_FALSE(video.scene_change_detection);
  EXPECT_EQ(video.complexity, Complexity::Quality);
  EXPECT_EQ(video.stretch, StretchMode::AutoFit);
  EXPECT_EQ(video.orientation, Orientation::Pinned);
  EXPECT_EQ(video.allow_upscale, std::optional<bool>(false));
  EXPECT_FALSE(video.upscale_allowed());
  ASSERT_EQ(video.layers.size(), 2u);
  const VideoLayer& top = video.layers[0];
  EXPECT_EQ(top.width, 1920);
  EXPECT_EQ(top.height, 1080);
  EXPECT_EQ(top.bitrate_kbps, 6000);
  EXPECT_EQ(top.max_bitrate_kbps, 9000);
  EXPECT_DOUBLE_EQ(top.buffer_window_s, 2.5);
  EXPECT_EQ(top.bufsize_kbit(), 22500);
  EXPECT_EQ(top.profile, H264Profile::Main);
  EXPECT_EQ(top.level, "4.1");
  EXPECT_EQ(top.b_frames, 2);
  EXPECT_EQ(top.reference_frames, 4);
  EXPECT_FALSE(top.adaptive_b_frames);
  EXPECT_EQ(top.entropy, EntropyMode::Cavlc);
  EXPECT_EQ(top.slices, 4);
  EXPECT_EQ(top.frame_rate.num, 30000);
  EXPECT_EQ(top.frame_rate.den, 1001);
  const VideoLayer& bottom = video.layers[1];
  EXPECT_EQ(bottom.profile, H264Profile::Baseline);
  EXPECT_EQ(bottom.level, "1b");
  EXPECT_EQ(bottom.b_frames, 0);
  EXPECT_EQ(bottom.maxrate_kbps(), 800);
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->profile, AacProfile::HeAacV1);
  EXPECT_EQ(preset.audio->channels, 6);
  EXPECT_EQ(preset.audio->sampling_rate, 44100);
  EXPECT_EQ(preset.audio->bitrate_kbps, 256);
  ASSERT_EQ(preset.outputs.size(), 2u);
  EXPECT_EQ(preset.outputs[0].file_name,
            "{Basename}_{Resolution}_{Bitrate}_{Codec}_{Channel}{Extension}");
  EXPECT_EQ(preset.outputs[1].file_name, "{Basename}_{AudioBitrate}{Extension}");
}

TEST_F(LoaderTest, OmittedKeysTakeTheMesDefaults) {
  const Preset preset = load(kPreset);
  EXPECT_TRUE(preset.aliases.empty());
  EXPECT_EQ(preset.description, "");
  ASSERT_TRUE(preset.video);
  EXPECT_FALSE(preset.video->scene_change_detection);
  EXPECT_EQ(preset.video->complexity, Complexity::Balanced);
  EXPECT_EQ(preset.video->stretch, StretchMode::AutoSize);
  EXPECT_EQ(preset.video->orientation, Orientation::FollowSource);
  EXPECT_FALSE(preset.video->allow_upscale.has_value());
  EXPECT_TRUE(preset.video->upscale_allowed());  // one layer: scales to its box
  const VideoLayer& layer = preset.video->layers.at(0);
  EXPECT_EQ(layer.max_bitrate_kbps, 0);
  EXPECT_EQ(layer.maxrate_kbps(), 4500);
  EXPECT_EQ(layer.bufsize_kbit(), 22500);
  EXPECT_EQ(layer.profile, H264Profile::Auto);
  EXPECT_EQ(layer.level, "");
  EXPECT_EQ(layer.b_frames, 3);
  EXPECT_EQ(layer.reference_frames, 3);
  EXPECT_TRUE(layer.adaptive_b_frames);
  EXPECT_EQ(layer.entropy, EntropyMode::Cabac);
  EXPECT_TRUE(layer.frame_rate.is_source());
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->profile, AacProfile::AacLc);
  EXPECT_EQ(preset.audio->sampling_rate, 48000);
  EXPECT_EQ(preset.outputs.at(0).format, OutputFormat::Mp4);
}

TEST_F(LoaderTest, DurationsAreSecondsOrXsTime) {
  for (const auto& [written, seconds] : {std::pair<std::string_view, double>{"1.5", 1.5},
                                         {"4", 4.0},
                                         {"00:00:02", 2.0},
                                         {"\"0:00:05.5\"", 5.5},
                                         {"00:01:00", 60.0}}) {
    SCOPED_TRACE(written);
    const Preset preset =
        load(edited(kPreset, "keyframe_interval: 2", "keyframe_interval: " + std::string(written)));
    EXPECT_DOUBLE_EQ(preset.video->keyframe_interval_s, seconds);
  }
}

TEST_F(LoaderTest, FrameRateIsSourceAWholeNumberOrAFraction) {
  for (const auto& [written, num, den] : {std::tuple<std::string_view, int, int>{"source", 0, 1},
                                          {"0/1", 0, 1},
                                          {"25", 25, 1},
                                          {"24000/1001", 24000, 1001}}) {
    SCOPED_TRACE(written);
    const Preset preset = load(edited(kPreset, "bitrate: 4500",
                                      "bitrate: 4500\n      frame_rate: " + std::string(written)));
    const FrameRate& rate = preset.video->layers.at(0).frame_rate;
    EXPECT_EQ(rate.num, num);
    EXPECT_EQ(rate.den, den);
  }
}

TEST_F(LoaderTest, AudioOnlyPresetHasNoVideo) {
  const Preset preset = load(R"(name: Voice
audio:
  channels: 1
  bitrate: 64
outputs:
  - file_name: "{Basename}_{AudioBitrate}{Extension}"
)");
  EXPECT_FALSE(preset.video);
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->channels, 1);
}

// ---- Structure and type errors ------------------------------------------------------------------

TEST_F(LoaderTest, UnknownKeyNamesFileLineAndKey) {
  const std::string yaml = edited(kPreset, "bitrate: 4500", "bitrat: 4500");
  expect_error(yaml, "video.layers[0].bitrat", "bitrat: 4500", "unknown key 'bitrat'");
  try {
    load(yaml);
  } catch (const PresetError& error) {
    const std::string where =
        (dir_.path() / "preset.yaml").string() + ":7: video.layers[0].bitrat: ";
    EXPECT_EQ(std::string(error.what()).substr(0, where.size()), where);
    EXPECT_TRUE(contains(error.message(), "allowed here: width, height, bitrate")) << error.what();
  }
}

TEST_F(LoaderTest, MisspeltTopLevelSectionIsAnError) {
  expect_error(edited(kPreset, "audio:", "audoi:"), "audoi", "audoi:", "unknown key 'audoi'");
}

TEST_F(LoaderTest, TextWhereANumberBelongsNamesTheKey) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: fast"), "video.layers[0].bitrate",
               "bitrate: fast", "expected an integer, found 'fast'");
}

TEST_F(LoaderTest, NonBooleanFlagNamesTheKey) {
  expect_error(edited(kPreset, "keyframe_interval: 2", "scene_change_detection: maybe"),
               "video.scene_change_detection", "scene_change_detection", "true or false");
}

TEST_F(LoaderTest, UnknownChoiceListsTheAllowedValues) {
  expect_error(edited(kPreset, "keyframe_interval: 2", "complexity: fast"), "video.complexity",
               "complexity: fast", "one of speed, balanced, quality, found 'fast'");
}

TEST_F(LoaderTest, MalformedDurationNamesTheKey) {
  expect_error(edited(kPreset, "keyframe_interval: 2", "keyframe_interval: 2s"),
               "video.keyframe_interval", "keyframe_interval", "HH:MM:SS");
}

TEST_F(LoaderTest, DecimalFrameRateIsRejectedWithTheAllowedForms) {
  expect_error(edited(kPreset, "bitrate: 4500", "bitrate: 4500\n      frame_rate: 29.97"),
               "video.layers[0].frame_rate", "frame_rate", "a fraction (30000/1001)");
}

TEST_F(LoaderTest, MissingRequiredKeyNamesItAndItsSection) {
  expect_error(edited(kPreset, "      height: 720\n", ""), "video.layers[0].height",
               "- width: 1280", "required key is missing");
}

TEST_F(LoaderTest, MissingNameIsAnError) {
  expect_error(edited(kPreset, "name: Test Preset\n", ""), "name",
               "video:", "required key is missing");
}

TEST_F(LoaderTest, MissingOutputsIsAnError) {
  const std::string yaml(kPreset.substr(0, kPreset.find("outputs:")));
  expect_error(yaml, "outputs", "name:", "required key is missing");
}

TEST_F(LoaderTest, SectionThatIsNotAMappingIsAnError) {
  expect_error(edited(kPreset, "audio:\n  channels: 2\n  bitrate: 128", "audio: aac"), "audio",
               "audio: aac", "expected a mapping of profile, channels, sampling_rate, bitrate");
}

TEST_F(LoaderTest, LayersThatAreNotAListAreAnError) {
  expect_error(R"(name: X
video:
  layers: 1280x720
outputs:
  - file_name: a.mp4
)",
               "video.layers", "layers:", "expected a list, found '1280x720'");
}

TEST_F(LoaderTest, KeyWrittenTwiceIsAnError) {
  expect_error(edited(kPreset, "  bitrate: 128", "  bitrate: 128\n  bitrate: 96"), "audio.bitrate",
               "bitrate: 96", "written twice");
}

TEST_F(LoaderTest, YamlSyntaxErrorReportsItsLine) {
  expect_error(edited(kPreset, "  channels: 2", "  channels: [2"), "", "bitrate: 128",
               "invalid YAML");
}

TEST_F(LoaderTest, DeeplyNestedYamlSaysSoRatherThanBadFile) {
  // yaml-cpp stops at its depth limit with the message "bad file".
  const std::string yaml = "name: Deep\nvideo: " + std::string(100000, '[') + "\n";
  const auto file = dir_.write("deep.yaml", yaml);
  try {
    load_preset_file(file);
    ADD_FAILURE() << "the preset loaded";
  } catch (const PresetError& error) {
    EXPECT_GE(error.line(), 2) << error.what();  // where yaml-cpp stopped
    EXPECT_TRUE(contains(error.message(), "invalid YAML: nested ")) << error.what();
    EXPECT_TRUE(contains(error.message(), "collections deep")) << error.what();
    EXPECT_FALSE(contains(error.message(), "bad file")) << error.what();
  }
}

TEST_F(LoaderTest, SecondYamlDocumentIsAnError) {
  const std::string yaml = std::string(kPreset) + "---\nname: Another\n";
  expect_error(yaml, "", "name: Another", "found a second one");
}

TEST_F(LoaderTest, FileWithoutADocumentIsAnError) {
  const auto file = dir_.write("empty.yaml", "# nothing here\n");
  try {
    load_preset_file(file);
    ADD_FAILURE() << "an empty file loaded";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), file.string());
    EXPECT_EQ(error.line(), 0);
    EXPECT_TRUE(contains(error.message(), "empty preset")) << error.what();
  }
}

TEST_F(LoaderTest, MissingFileIsAnErrorNamingIt) {
  const auto missing = dir_.path() / "no-such-preset.yaml";
  try {
    load_preset_file(missing);
    ADD_FAILURE() << "a missing file loaded";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), missing.string());
    EXPECT_TRUE(contains(error.message(), "cannot open")) << error.what();
  }
}

TEST_F(LoaderTest, InlineTextErrorsNameInline) {
  try {
    parse_preset_yaml(edited(kPreset, "bitrate: 4500", "bitrate: lots"), "inline");
    ADD_FAILURE() << "the preset parsed";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), "inline");
    EXPECT_EQ(error.line(), 7);
    EXPECT_EQ(error.key(), "video.layers[0].bitrate");
  }
}

// ---- The keys of issue 4: conditions, ladders, percent sizes, loudness, images, sources,
// filters, output streams, unsupported presets ---------------------------------------------------

TEST_F(LoaderTest, VideoConditionAndContentAdaptiveLadderAreRead) {
  const Preset preset = load(R"(name: Adaptive
video:
  condition: insert_black_if_no_video_bottom_layer_only
  ladder: content_adaptive
audio: {}
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"
)");
  ASSERT_TRUE(preset.video);
  EXPECT_EQ(preset.video->condition, VideoCondition::InsertBlackIfNoVideoBottomLayerOnly);
  EXPECT_EQ(preset.video->ladder, LadderMode::ContentAdaptive);
  EXPECT_TRUE(preset.video->layers.empty());
  EXPECT_FALSE(preset.video->upscale_allowed());
  EXPECT_EQ(load(kPreset).video->condition, VideoCondition::None);
  EXPECT_EQ(load(kPreset).video->ladder, LadderMode::Fixed);
}

TEST_F(LoaderTest, LayerSizesArePixelsOrAPercentOfTheSource) {
  const Preset preset = load(edited(edited(kPreset, "width: 1280", "width: \"100%\""),
                                    "height: 720", "height: 50%"));
  const VideoLayer& layer = preset.video->layers.at(0);
  EXPECT_EQ(layer.width, 0);
  EXPECT_EQ(layer.width_percent, 100);
  EXPECT_EQ(layer.height, 0);
  EXPECT_EQ(layer.height_percent, 50);
  EXPECT_EQ(load(kPreset).video->layers.at(0).width_percent, 0);
}

TEST_F(LoaderTest, PercentSizeThatIsNotAWholeNumberIsAnError) {
  expect_error(edited(kPreset, "width: 1280", "width: \"half%\""), "video.layers[0].width",
               "width:", "pixels (1280) or a percent of the source (\"100%\"), found 'half%'");
  expect_error(edited(kPreset, "width: 1280", "width: \"0%\""), "video.layers[0].width", "width:",
               "0% is out of range; allowed 1%..100%");
}

TEST_F(LoaderTest, SilenceConditionAndLoudnessAreRead) {
  const Preset preset = load(edited(kPreset, "  bitrate: 128",
                                    "  bitrate: 128\n  insert_silence_if_no_audio: true\n"
                                    "  loudness:\n    integrated: -16\n    true_peak: -1.5"));
  ASSERT_TRUE(preset.audio);
  EXPECT_TRUE(preset.audio->insert_silence_if_no_audio);
  ASSERT_TRUE(preset.audio->loudness);
  EXPECT_DOUBLE_EQ(preset.audio->loudness->integrated_lufs, -16.0);
  EXPECT_DOUBLE_EQ(preset.audio->loudness->true_peak_dbtp, -1.5);
  EXPECT_DOUBLE_EQ(preset.audio->loudness->loudness_range_lu, 7.0);  // EBU R128 default kept
  EXPECT_FALSE(load(kPreset).audio->insert_silence_if_no_audio);
  EXPECT_FALSE(load(kPreset).audio->loudness);
}

TEST_F(LoaderTest, ImagesAreReadWithTheirPositionsAndLayers) {
  const Preset preset = load(R"(name: Thumbs
images:
  - format: jpg
    start: "15%"
    step: 00:00:10
    range: 2.5s
    sprite_columns: 4
    layers:
      - {width: 160, height: 90, quality: 75}
  - format: png
    start: 120
    layers:
      - width: 50%
outputs:
  - file_name: "{Basename}_{Index}{Extension}"
    format: jpg
  - file_name: "{Basename}_big_{Index}{Extension}"
    format: png
)");
  EXPECT_FALSE(preset.video);
  EXPECT_FALSE(preset.audio);
  ASSERT_EQ(preset.images.size(), 2u);
  const ImageCodec& sprite = preset.images[0];
  EXPECT_EQ(sprite.format, OutputFormat::Jpg);
  EXPECT_EQ(sprite.start.unit, ImagePosition::Unit::Percent);
  EXPECT_DOUBLE_EQ(sprite.start.value, 15.0);
  ASSERT_TRUE(sprite.step && sprite.range);
  EXPECT_EQ(sprite.step->unit, ImagePosition::Unit::Seconds);
  EXPECT_DOUBLE_EQ(sprite.step->value, 10.0);
  EXPECT_EQ(sprite.range->unit, ImagePosition::Unit::Seconds);
  EXPECT_DOUBLE_EQ(sprite.range->value, 2.5);
  EXPECT_EQ(sprite.sprite_columns, 4);
  ASSERT_EQ(sprite.layers.size(), 1u);
  EXPECT_EQ(sprite.layers[0].width, 160);
  EXPECT_EQ(sprite.layers[0].height, 90);
  EXPECT_EQ(sprite.layers[0].quality, 75);
  const ImageCodec& frames = preset.images[1];
  EXPECT_EQ(frames.format, OutputFormat::Png);
  EXPECT_EQ(frames.start.unit, ImagePosition::Unit::Frame);
  EXPECT_DOUBLE_EQ(frames.start.value, 120.0);
  EXPECT_FALSE(frames.step);
  EXPECT_FALSE(frames.range);
  EXPECT_EQ(frames.layers.at(0).width_percent, 50);
  EXPECT_EQ(frames.layers.at(0).height, 0);  // not given: keeps the aspect
  EXPECT_EQ(preset.outputs.at(0).format, OutputFormat::Jpg);
  EXPECT_EQ(preset.outputs.at(1).format, OutputFormat::Png);
}

TEST_F(LoaderTest, ImageStartDefaultsToBestAndAcceptsTheMacro) {
  constexpr std::string_view kThumb = R"(name: Best
images:
  - format: bmp
    layers: [{width: 320}]
outputs:
  - file_name: "{Basename}_{Index}{Extension}"
    format: bmp
)";
  EXPECT_EQ(load(kThumb).images.at(0).start.unit, ImagePosition::Unit::Best);
  const Preset written = load(edited(kThumb, "layers:", "start: \"{Best}\"\n    layers:"));
  EXPECT_EQ(written.images.at(0).start.unit, ImagePosition::Unit::Best);
  expect_error(edited(kThumb, "layers:", "step: \"{Best}\"\n    layers:"), "images[0].step",
               "step:", "a frame number (120), a percent (\"15%\"), a time (00:01:00) or seconds");
  expect_error(edited(kThumb, "layers:", "start: 2.5\n    layers:"), "images[0].start", "start:",
               "or \"{Best}\", found '2.5'");
  expect_error(edited(kThumb, "format: bmp\n", "format: gif\n"), "images[0].format",
               "format: gif", "one of jpg, png, bmp, found 'gif'");
}

TEST_F(LoaderTest, SourcesAndFiltersAreRead) {
  const Preset preset = load(edited(kPreset, "outputs:", R"(sources:
  - asset_id: 2a5b3c4d-0000-1111-2222-333344445555
    start_time: "00:00:04"
    duration: 16
  - {}
filters:
  deinterlace: off
  rotation: 90
  crop: {x: 0, y: 60, width: 1920, height: 960}
outputs:)"));
  ASSERT_EQ(preset.sources.size(), 2u);
  EXPECT_EQ(preset.sources[0].asset_id, "2a5b3c4d-0000-1111-2222-333344445555");
  EXPECT_EQ(preset.sources[0].start_s, std::optional<double>(4.0));
  EXPECT_EQ(preset.sources[0].duration_s, std::optional<double>(16.0));
  EXPECT_EQ(preset.sources[1].asset_id, "");
  EXPECT_FALSE(preset.sources[1].start_s);
  EXPECT_EQ(preset.filters.deinterlace, DeinterlaceMode::Off);
  EXPECT_EQ(preset.filters.rotation, Rotation::R90);
  ASSERT_TRUE(preset.filters.crop);
  EXPECT_EQ(preset.filters.crop->y, 60);
  EXPECT_EQ(preset.filters.crop->height, 960);
  const Preset defaults = load(kPreset);
  EXPECT_TRUE(defaults.sources.empty());
  EXPECT_EQ(defaults.filters.deinterlace, DeinterlaceMode::Auto);
  EXPECT_EQ(defaults.filters.rotation, Rotation::Auto);
  EXPECT_FALSE(defaults.filters.crop);
}

TEST_F(LoaderTest, UnknownRotationListsTheAllowedAngles) {
  expect_error(edited(kPreset, "outputs:", "filters:\n  rotation: 45\noutputs:"),
               "filters.rotation", "rotation: 45", "one of auto, 0, 90, 180, 270, found '45'");
}

TEST_F(LoaderTest, CropNeedsAllFourValues) {
  expect_error(edited(kPreset, "outputs:", "filters:\n  crop: {x: 0, y: 0, width: 640}\noutputs:"),
               "filters.crop.height", "crop:", "required key is missing");
}

TEST_F(LoaderTest, OutputStreamsAndAudioBitrateAreRead) {
  const Preset preset = load(edited(kPreset, "\"{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}\"",
                                    "\"{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}\"\n"
                                    "    streams: video_only\n"
                                    "  - file_name: \"{Basename}_AAC_{AudioBitrate}{Extension}\"\n"
                                    "    streams: audio_only\n"
                                    "    audio_bitrate: 56"));
  ASSERT_EQ(preset.outputs.size(), 2u);
  EXPECT_EQ(preset.outputs[0].streams, OutputStreams::VideoOnly);
  EXPECT_EQ(preset.outputs[0].audio_bitrate_kbps, 0);
  EXPECT_EQ(preset.outputs[1].streams, OutputStreams::AudioOnly);
  EXPECT_EQ(preset.outputs[1].audio_bitrate_kbps, 56);
  EXPECT_EQ(load(kPreset).outputs.at(0).streams, OutputStreams::Interleaved);
}

TEST_F(LoaderTest, UnsupportedPresetIsReadWithoutCodecsOrOutputs) {
  const Preset preset = load(R"(name: VC1 Something
description: Not encoded.
unsupported: mediaworker does not encode VC-1
use_instead: H264 Something
)");
  EXPECT_EQ(preset.unsupported, "mediaworker does not encode VC-1");
  EXPECT_EQ(preset.use_instead, "H264 Something");
  EXPECT_FALSE(preset.video);
  EXPECT_FALSE(preset.audio);
  EXPECT_TRUE(preset.outputs.empty());
}
}  // namespace
}  // namespace mw::presets
