#include "presets/loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "presets/preset_error.hpp"
#include "tests/presets/test_files.hpp"

namespace mw::presets {
namespace {

using test_support::edited;
using test_support::line_of;
using test_support::shipped_library_dir;
using test_support::TempDir;

/// A valid single-layer preset; most tests change one line of it.
constexpr std::string_view kPreset = R"(name: Test Preset
video:
  keyframe_interval: 2
  layers:
    - width: 1280
      height: 720
      bitrate: 4500
audio:
  channels: 2
  bitrate: 128
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"
)";

/// A two-layer ladder (no scene-change detection).
constexpr std::string_view kLadder = R"(name: Test Ladder
video:
  layers:
    - width: 1280
      height: 720
      bitrate: 3400
    - width: 640
      height: 360
      bitrate: 1000
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"
)";

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

class LoaderTest : public ::testing::Test {
 protected:
  Preset load(std::string_view yaml) { return load_preset_file(dir_.write("preset.yaml", yaml)); }

  /// Loads `yaml`, which must fail with an error naming the file, `key` and the line holding
  /// `line_text`, whose message contains `says`.
  void expect_error(std::string_view yaml, std::string_view key, std::string_view line_text,
                    std::string_view says) {
    SCOPED_TRACE(key);
    const std::filesystem::path file = dir_.write("preset.yaml", yaml);
    try {
      load_preset_file(file);
      ADD_FAILURE() << "the preset loaded";
    } catch (const PresetError& error) {
      EXPECT_EQ(error.file(), file.string()) << error.what();
      EXPECT_EQ(error.key(), key) << error.what();
      EXPECT_EQ(error.line(), line_of(yaml, line_text)) << error.what();
      EXPECT_TRUE(contains(error.message(), says)) << error.what();
    }
  }

  TempDir dir_;
};

// ---- The shipped system presets ---------------------------------------------------------------

TEST(ShippedPresetsTest, EveryLibraryFileLoadsAndValidatesWithItsSource) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_library_dir())) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    const Preset preset = load_preset_file(entry.path());
    EXPECT_NO_THROW(validate_preset(preset));
    EXPECT_FALSE(preset.source.empty());
    EXPECT_FALSE(preset.description.empty());
    EXPECT_EQ(preset.origin, entry.path().string());
    names.insert(preset.name);
  }
  EXPECT_EQ(names, (std::set<std::string>{
                       "AAC Good Quality Audio", "H.264 HD 720p VBR", "H264 Single Bitrate 16x9 SD",
                       "H264 Single Bitrate 1080p", "H264 Single Bitrate 720p"}));
}

TEST(ShippedPresetsTest, HdVbrPresetHasPublishedVbvSettings) {
  const Preset preset = load_preset_file(shipped_library_dir() / "h264-hd-720p-vbr.yaml");
  EXPECT_EQ(preset.name, "H.264 HD 720p VBR");
  EXPECT_EQ(preset.aliases, std::vector<std::string>{"H264 HD 720p VBR"});
  ASSERT_TRUE(preset.video);
  const VideoCodec& video = *preset.video;
  EXPECT_DOUBLE_EQ(video.keyframe_interval_s, 2.0);
  EXPECT_TRUE(video.scene_change_detection);
  ASSERT_EQ(video.layers.size(), 1u);
  const VideoLayer& layer = video.layers[0];
  EXPECT_EQ(layer.width, 1280);
  EXPECT_EQ(layer.height, 720);
  EXPECT_EQ(layer.bitrate_kbps, 4500);
  EXPECT_EQ(layer.maxrate_kbps(), 6750);
  EXPECT_DOUBLE_EQ(layer.buffer_window_s, 5.0);
  EXPECT_EQ(layer.bufsize_kbit(), 33750);
  EXPECT_EQ(layer.profile, H264Profile::High);
  EXPECT_EQ(layer.level, "");
  EXPECT_EQ(layer.b_frames, 3);
  EXPECT_EQ(layer.reference_frames, 3);
  EXPECT_EQ(layer.entropy, EntropyMode::Cabac);
  EXPECT_TRUE(layer.frame_rate.is_source());
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->profile, AacProfile::AacLc);
  EXPECT_EQ(preset.audio->channels, 2);
  EXPECT_EQ(preset.audio->sampling_rate, 48000);
  EXPECT_EQ(preset.audio->bitrate_kbps, 128);
  ASSERT_EQ(preset.outputs.size(), 1u);
  EXPECT_EQ(preset.outputs[0].file_name, "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}");
  EXPECT_EQ(preset.outputs[0].format, OutputFormat::Mp4);
}

TEST(ShippedPresetsTest, SingleBitratePresetsMatchTheMesTable) {
  struct Row {
    std::string_view file;
    std::string_view name;
    int width;
    int height;
    int kbps;
  };
  for (const Row& row :
       {Row{"h264-single-bitrate-720p.yaml", "H264 Single Bitrate 720p", 1280, 720, 4500},
        Row{"h264-single-bitrate-1080p.yaml", "H264 Single Bitrate 1080p", 1920, 1080, 6750},
        Row{"h264-single-bitrate-16x9-sd.yaml", "H264 Single Bitrate 16x9 SD", 848, 480, 2200}}) {
    SCOPED_TRACE(row.file);
    const Preset preset = load_preset_file(shipped_library_dir() / row.file);
    EXPECT_EQ(preset.name, row.name);
    ASSERT_TRUE(preset.video);
    EXPECT_DOUBLE_EQ(preset.video->keyframe_interval_s, 2.0);
    EXPECT_TRUE(preset.video->scene_change_detection);
    EXPECT_EQ(preset.video->complexity, Complexity::Balanced);
    EXPECT_EQ(preset.video->stretch, StretchMode::AutoSize);
    ASSERT_EQ(preset.video->layers.size(), 1u);
    const VideoLayer& layer = preset.video->layers[0];
    EXPECT_EQ(layer.width, row.width);
    EXPECT_EQ(layer.height, row.height);
    EXPECT_EQ(layer.bitrate_kbps, row.kbps);
    EXPECT_EQ(layer.maxrate_kbps(), row.kbps);
    EXPECT_EQ(layer.bufsize_kbit(), row.kbps * 5);
    EXPECT_EQ(layer.profile, H264Profile::Auto);
    EXPECT_EQ(layer.level, "");
    EXPECT_EQ(layer.b_frames, 3);
    EXPECT_EQ(layer.reference_frames, 3);
    EXPECT_TRUE(layer.adaptive_b_frames);
    EXPECT_EQ(layer.entropy, EntropyMode::Cabac);
    EXPECT_EQ(layer.slices, 0);
    EXPECT_TRUE(layer.frame_rate.is_source());
    ASSERT_TRUE(preset.audio);
    EXPECT_EQ(preset.audio->profile, AacProfile::AacLc);
    EXPECT_EQ(preset.audio->channels, 2);
    EXPECT_EQ(preset.audio->sampling_rate, 48000);
    EXPECT_EQ(preset.audio->bitrate_kbps, 128);
    ASSERT_EQ(preset.outputs.size(), 1u);
    EXPECT_EQ(preset.outputs[0].file_name, "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}");
  }
}

TEST(ShippedPresetsTest, AacGoodQualityAudioIsAudioOnlyAt192Kbps) {
  const Preset preset = load_preset_file(shipped_library_dir() / "aac-good-quality-audio.yaml");
  EXPECT_EQ(preset.name, "AAC Good Quality Audio");
  EXPECT_FALSE(preset.video);
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->profile, AacProfile::AacLc);
  EXPECT_EQ(preset.audio->channels, 2);
  EXPECT_EQ(preset.audio->sampling_rate, 48000);
  EXPECT_EQ(preset.audio->bitrate_kbps, 192);
  ASSERT_EQ(preset.outputs.size(), 1u);
  EXPECT_EQ(preset.outputs[0].file_name, "{Basename}_AAC_{AudioBitrate}{Extension}");
}

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

// ---- Validation rules, as the loader reports them (with lines) ---------------------------------

TEST_F(LoaderTest, PresetWithoutVideoOrAudioIsAnError) {
  expect_error(R"(name: Nothing
outputs:
  - file_name: "{Basename}{Extension}"
)",
               "video", "name: Nothing", "a video section, an audio section or both");
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

TEST_F(LoaderTest, UnknownFileNameMacroIsNamed) {
  expect_error(edited(kPreset, "{Extension}", "_{Index}{Extension}"), "outputs[0].file_name",
               "file_name:", "unknown macro '{Index}'; allowed: {Basename}, {Width}");
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

}  // namespace
}  // namespace mw::presets
