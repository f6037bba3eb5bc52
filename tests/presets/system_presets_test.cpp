// The shipped system preset files read as their sources publish them (AMS-V2-REFERENCE.md §7).
// Planning every preset on real clips is tests/encoders/preset_library_test.cpp.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "presets/library.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "tests/presets/test_files.hpp"

namespace mw::presets {
namespace {

using test_support::shipped_library_dir;

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
    // Each file is named for its preset ("H264 Single Bitrate 1080p Audio 5.1" ->
    // h264-single-bitrate-1080p-audio-5-1.yaml), so `ls` finds a preset by its name.
    EXPECT_EQ(normalize_preset_name(entry.path().stem().string()),
              normalize_preset_name(preset.name));
    EXPECT_TRUE(names.insert(preset.name).second) << preset.name << " is in two files";
  }
  // AMS-V2-REFERENCE.md §7: 27 MES table rows + Adaptive Streaming + Content Adaptive MBR MP4;
  // WAME: 4 Broadband, 7 Smooth Streaming, 8 Adaptive Bitrate MP4 Sets, Thumbnails, 10 VC-1
  // and WMA High Quality Audio (unsupported); and H.264 HD 720p VBR.
  EXPECT_EQ(names.size(), 29u + 4 + 7 + 8 + 1 + 10 + 1 + 1);
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
        Row{"h264-single-bitrate-4k.yaml", "H264 Single Bitrate 4K", 3840, 2160, 18000},
        Row{"h264-single-bitrate-4x3-sd.yaml", "H264 Single Bitrate 4x3 SD", 640, 480, 1800},
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


/// A shipped preset file by its name.
Preset shipped(std::string_view file) { return load_preset_file(shipped_library_dir() / file); }

TEST(ShippedPresetsTest, Audio51VariantsDifferOnlyInTheirAudio) {
  for (const std::string_view stem :
       {"h264-multiple-bitrate-1080p", "h264-multiple-bitrate-16x9-sd", "h264-multiple-bitrate-4k",
        "h264-multiple-bitrate-4x3-sd", "h264-multiple-bitrate-720p", "h264-single-bitrate-1080p",
        "h264-single-bitrate-4k", "h264-single-bitrate-4x3-sd", "h264-single-bitrate-16x9-sd"}) {
    SCOPED_TRACE(stem);
    const Preset stereo = shipped(std::string(stem) + ".yaml");
    const Preset surround = shipped(std::string(stem) + "-audio-5-1.yaml");
    EXPECT_EQ(surround.name, stereo.name + " Audio 5.1");
    ASSERT_EQ(surround.video->layers.size(), stereo.video->layers.size());
    for (std::size_t i = 0; i < stereo.video->layers.size(); ++i) {
      EXPECT_EQ(surround.video->layers[i].width, stereo.video->layers[i].width);
      EXPECT_EQ(surround.video->layers[i].bitrate_kbps, stereo.video->layers[i].bitrate_kbps);
    }
    EXPECT_EQ(surround.audio->channels, 6);
    EXPECT_EQ(surround.audio->bitrate_kbps, 384);
    EXPECT_EQ(stereo.audio->channels, 2);
    EXPECT_EQ(stereo.audio->bitrate_kbps, 128);
  }
}

TEST(ShippedPresetsTest, IosLadderFollowsTheAmseCopyWithPerLayerProfiles) {
  const Preset preset = shipped("h264-multiple-bitrate-16x9-for-ios.yaml");
  EXPECT_DOUBLE_EQ(preset.video->keyframe_interval_s, 3.0);
  EXPECT_FALSE(preset.video->scene_change_detection);
  EXPECT_FALSE(preset.video->upscale_allowed());
  const auto& layers = preset.video->layers;
  ASSERT_EQ(layers.size(), 8u);
  EXPECT_EQ(layers[0].profile, H264Profile::High);
  EXPECT_EQ(layers[0].level, "4");
  EXPECT_EQ(layers[3].profile, H264Profile::Main);
  EXPECT_EQ(layers[3].level, "3.1");
  EXPECT_EQ(layers[4].profile, H264Profile::Baseline);
  EXPECT_EQ(layers[4].entropy, EntropyMode::Cavlc);
  EXPECT_EQ(layers[4].b_frames, 0);
  EXPECT_EQ(layers[7].width, 416);
  EXPECT_EQ(layers[7].height, 234);  // AMSE; DOCS has 416x214 (the file's source says so)
  EXPECT_NE(preset.source.find("416x214"), std::string::npos);
  EXPECT_EQ(preset.audio->profile, AacProfile::HeAacV2);
  EXPECT_EQ(preset.audio->bitrate_kbps, 64);
}

TEST(ShippedPresetsTest, LowQualityAndroidPresetIsTwelveFramesPerSecond) {
  const Preset preset = shipped("h264-single-bitrate-low-quality-sd-for-android.yaml");
  const VideoLayer& layer = preset.video->layers.at(0);
  EXPECT_EQ(layer.frame_rate.num, 12);
  EXPECT_EQ(layer.frame_rate.den, 1);
  EXPECT_EQ(layer.bitrate_kbps, 56);
  EXPECT_EQ(layer.level, "2");
  EXPECT_DOUBLE_EQ(preset.video->keyframe_interval_s, 5.0);
  EXPECT_EQ(preset.audio->bitrate_kbps, 24);
}

TEST(ShippedPresetsTest, ContentAdaptivePresetsHaveNoFixedLayers) {
  const Preset streaming = shipped("adaptive-streaming.yaml");
  EXPECT_EQ(streaming.video->ladder, LadderMode::ContentAdaptive);
  EXPECT_TRUE(streaming.video->layers.empty());
  ASSERT_EQ(streaming.outputs.size(), 2u);
  EXPECT_EQ(streaming.outputs[0].streams, OutputStreams::VideoOnly);
  EXPECT_EQ(streaming.outputs[1].streams, OutputStreams::AudioOnly);
  EXPECT_EQ(streaming.audio->bitrate_kbps, 128);
  EXPECT_EQ(streaming.audio->sampling_rate, 48000);
  const Preset mp4 = shipped("content-adaptive-multiple-bitrate-mp4.yaml");
  EXPECT_EQ(mp4.video->ladder, LadderMode::ContentAdaptive);
  ASSERT_EQ(mp4.outputs.size(), 1u);
  EXPECT_EQ(mp4.outputs[0].streams, OutputStreams::Interleaved);
}

TEST(ShippedPresetsTest, WameAdaptiveMp4SetsAddAudioOnlyRenditions) {
  const Preset set = shipped("h264-adaptive-bitrate-mp4-set-720p.yaml");
  EXPECT_EQ(set.audio->bitrate_kbps, 96);
  EXPECT_EQ(set.audio->sampling_rate, 44100);
  ASSERT_EQ(set.outputs.size(), 3u);
  EXPECT_EQ(set.outputs[0].file_name,
            "{Basename}_H264_{VideoBitrate}kbps_AAC_und_ch{Channel}_{AudioBitrate}kbps{Extension}");
  EXPECT_EQ(set.outputs[1].streams, OutputStreams::AudioOnly);
  EXPECT_EQ(set.outputs[1].audio_bitrate_kbps, 0);  // the preset's 96 kbps
  EXPECT_EQ(set.outputs[2].streams, OutputStreams::AudioOnly);
  EXPECT_EQ(set.outputs[2].audio_bitrate_kbps, 56);
  const Preset cellular = shipped("h264-adaptive-bitrate-mp4-set-720p-for-ios-cellular-only.yaml");
  EXPECT_EQ(cellular.audio->bitrate_kbps, 56);
  ASSERT_EQ(cellular.outputs.size(), 2u);
  EXPECT_EQ(cellular.outputs[1].streams, OutputStreams::AudioOnly);
  EXPECT_EQ(cellular.video->layers.size(), set.video->layers.size());
}

TEST(ShippedPresetsTest, WameThumbnailsAreJpegsEveryFiveSeconds) {
  const Preset preset = shipped("thumbnails.yaml");
  EXPECT_FALSE(preset.video);
  ASSERT_EQ(preset.images.size(), 1u);
  const ImageCodec& jpg = preset.images[0];
  EXPECT_EQ(jpg.format, OutputFormat::Jpg);
  EXPECT_EQ(jpg.start.unit, ImagePosition::Unit::Seconds);
  EXPECT_DOUBLE_EQ(jpg.start.value, 0.0);
  ASSERT_TRUE(jpg.step);
  EXPECT_DOUBLE_EQ(jpg.step->value, 5.0);
  EXPECT_EQ(jpg.layers.at(0).width, 300);
  EXPECT_EQ(jpg.layers.at(0).height, 0);
  EXPECT_EQ(preset.outputs.at(0).file_name, "{Basename}_{Index}{Extension}");
}

TEST(ShippedPresetsTest, VcOneAndWmaPresetsAreUnsupportedWithAnH264Replacement) {
  const Preset vc1 = shipped("vc1-smooth-streaming-720p.yaml");
  EXPECT_NE(vc1.unsupported.find("does not encode VC-1"), std::string::npos) << vc1.unsupported;
  EXPECT_EQ(vc1.use_instead, "H264 Smooth Streaming 720p");
  EXPECT_FALSE(vc1.video);
  EXPECT_TRUE(vc1.outputs.empty());
  const Preset wma = shipped("wma-high-quality-audio.yaml");
  EXPECT_NE(wma.unsupported.find("does not encode WMA"), std::string::npos) << wma.unsupported;
  EXPECT_EQ(wma.use_instead, "AAC Good Quality Audio");
}
}  // namespace
}  // namespace mw::presets
