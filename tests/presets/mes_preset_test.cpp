#include "presets/mes_preset.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "presets/library.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "tests/presets/test_files.hpp"

namespace mw::presets {
namespace {

using test_support::edited;
using test_support::line_of;
using test_support::shipped_library_dir;
using test_support::TempDir;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::filesystem::path sample_presets_dir() {
  return std::filesystem::path(MW_SOURCE_DIR) / "samples" / "presets";
}

// ---- Presets in the shapes of the MES docs (AMS-V2-REFERENCE.md §8 sources) -------------------

/// Single bitrate 720p with thumbnails, as DOCS media-services-advanced-encoding-with-mes.md
/// writes it (SceneChangeDetection as the string "true", no Type-less layer fields).
constexpr std::string_view kSingleBitrateJson = R"({
  "Version": 1.0,
  "Codecs": [
    {
      "KeyFrameInterval": "00:00:02",
      "SceneChangeDetection": "true",
      "H264Layers": [
        {
          "Profile": "Auto",
          "Level": "auto",
          "Bitrate": 4500,
          "MaxBitrate": 4500,
          "BufferWindow": "00:00:05",
          "Width": 1280,
          "Height": 720,
          "ReferenceFrames": 3,
          "EntropyMode": "Cabac",
          "AdaptiveBFrame": true,
          "Type": "H264Layer",
          "FrameRate": "0/1"
        }
      ],
      "Type": "H264Video"
    },
    {
      "Channels": 2,
      "SamplingRate": 48000,
      "Bitrate": 128,
      "Type": "AACAudio"
    }
  ],
  "Outputs": [
    {
      "FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4",
      "Format": {
        "Type": "MP4Format"
      }
    }
  ]
}
)";

/// "H264 Single Bitrate 720p" in XML as the MES preset pages write it (http namespace, UTF-16
/// declaration, empty Chapters).
constexpr std::string_view kSingleBitrateXml = R"(<?xml version="1.0" encoding="utf-16"?>
<Preset xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Version="1.0" xmlns="http://www.windowsazure.com/media/encoding/Preset/2014/03">
  <Encoding>
    <H264Video>
      <KeyFrameInterval>00:00:02</KeyFrameInterval>
      <SceneChangeDetection>true</SceneChangeDetection>
      <H264Layers>
        <H264Layer>
          <Bitrate>4500</Bitrate>
          <Width>1280</Width>
          <Height>720</Height>
          <FrameRate>0/1</FrameRate>
          <Profile>Auto</Profile>
          <Level>auto</Level>
          <BFrames>3</BFrames>
          <ReferenceFrames>3</ReferenceFrames>
          <Slices>0</Slices>
          <AdaptiveBFrame>true</AdaptiveBFrame>
          <EntropyMode>Cabac</EntropyMode>
          <BufferWindow>00:00:05</BufferWindow>
          <MaxBitrate>4500</MaxBitrate>
        </H264Layer>
      </H264Layers>
      <Chapters />
    </H264Video>
    <AACAudio>
      <Profile>AACLC</Profile>
      <Channels>2</Channels>
      <SamplingRate>48000</SamplingRate>
      <Bitrate>128</Bitrate>
    </AACAudio>
  </Encoding>
  <Outputs>
    <Output FileName="{Basename}_{Width}x{Height}_{VideoBitrate}.mp4">
      <MP4Format />
    </Output>
  </Outputs>
</Preset>
)";

/// A trimmed multi-bitrate ladder (the docs' "Trim a video" JSON, three of its layers).
constexpr std::string_view kTrimmedLadderJson = R"({
  "Version": 1.0,
  "Sources": [
    {
      "StartTime": "00:00:04",
      "Duration": "00:00:16"
    }
  ],
  "Codecs": [
    {
      "KeyFrameInterval": "00:00:03",
      "StretchMode": "AutoSize",
      "H264Layers": [
        {
          "Profile": "Auto", "Level": "auto", "Bitrate": 3400, "MaxBitrate": 3400,
          "BufferWindow": "00:00:05", "Width": 1280, "Height": 720, "BFrames": 3,
          "ReferenceFrames": 3, "AdaptiveBFrame": true, "Type": "H264Layer", "FrameRate": "0/1"
        },
        {
          "Profile": "Main", "Level": "3.1", "Bitrate": 2250, "MaxBitrate": 3000,
          "BufferWindow": "00:00:04", "Width": 960, "Height": 540, "BFrames": 2,
          "ReferenceFrames": 4, "AdaptiveBFrame": false, "Type": "H264Layer", "FrameRate": "0/1"
        },
        {
          "Profile": "Baseline", "Level": "3.0", "Bitrate": 400, "Width": 320, "Height": 180,
          "Type": "H264Layer", "FrameRate": "0/1", "Slices": 2
        }
      ],
      "Type": "H264Video"
    },
    {
      "Profile": "HEAACV2",
      "Channels": 2,
      "SamplingRate": 48000,
      "Bitrate": 64,
      "Type": "AACAudio"
    }
  ],
  "Outputs": [
    {
      "FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4",
      "Format": {
        "Type": "MP4Format"
      }
    }
  ]
}
)";

/// `kSingleBitrateJson` with its Codecs replaced by `codecs` and its Outputs by `outputs`.
std::string json_preset(std::string_view codecs,
                        std::string_view outputs =
                            R"([{"FileName": "{Basename}_{Bitrate}.mp4",
                                                          "Format": {"Type": "MP4Format"}}])",
                        std::string_view extra = "") {
  return R"({"Version": 1.0, )" + std::string(extra) + R"("Codecs": )" + std::string(codecs) +
         R"(, "Outputs": )" + std::string(outputs) + "}";
}

constexpr std::string_view kVideoCodec = R"({"Type": "H264Video", "H264Layers": [
  {"Type": "H264Layer", "Bitrate": 1000, "Width": 640, "Height": 360}]})";
constexpr std::string_view kAudioCodec = R"({"Type": "AACAudio", "Bitrate": 128})";

/// Text as UTF-16 (little or big endian) with a byte order mark; `utf8` may hold any character
/// of the Basic Multilingual Plane.
std::string utf16_with_bom(std::string_view utf8, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (std::size_t i = 0; i < utf8.size();) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    unsigned code = byte;
    int extra = 0;
    if (byte >= 0xE0) {
      code = byte & 0x0F;
      extra = 2;
    } else if (byte >= 0xC0) {
      code = byte & 0x1F;
      extra = 1;
    }
    for (int k = 1; k <= extra; ++k)
      code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += 1 + extra;
    const char high = static_cast<char>(code >> 8);
    const char low = static_cast<char>(code & 0xFF);
    out += little_endian ? std::string{low, high} : std::string{high, low};
  }
  return out;
}

/// The PresetError of translating `text` (a test failure if it translates).
PresetError error_of(std::string_view text) {
  try {
    parse_mes_preset(text, "inline");
  } catch (const PresetError& error) {
    return error;
  }
  ADD_FAILURE() << "the preset translated:\n" << text;
  return PresetError("", 0, "", "");
}

/// Expects translating `text` to fail at `key` with a message containing `part`, and at `line`
/// when it is not 0.
void expect_error(std::string_view text, std::string_view key, std::string_view part,
                  int line = 0) {
  const PresetError error = error_of(text);
  EXPECT_EQ(error.file(), "inline") << error.what();
  EXPECT_EQ(error.key(), key) << error.what();
  EXPECT_TRUE(contains(error.message(), part)) << error.what();
  if (line != 0) {
    EXPECT_EQ(error.line(), line) << error.what();
  }
}

// ---- Translations --------------------------------------------------------------------------

TEST(MesPresetTest, DocsSingleBitrateJsonTranslatesToThePresetModel) {
  const Preset preset = parse_mes_preset(kSingleBitrateJson, "inline");
  EXPECT_EQ(preset.name, "inline MES JSON preset");
  EXPECT_EQ(preset.origin, "inline");
  ASSERT_TRUE(preset.video);
  EXPECT_DOUBLE_EQ(preset.video->keyframe_interval_s, 2.0);
  EXPECT_TRUE(preset.video->scene_change_detection);  // written as the string "true"
  EXPECT_EQ(preset.video->stretch, StretchMode::AutoSize);
  EXPECT_EQ(preset.video->orientation,
            Orientation::Pinned);  // MES default, see docs/mes-presets.md
  ASSERT_EQ(preset.video->layers.size(), 1u);
  const VideoLayer& layer = preset.video->layers[0];
  EXPECT_EQ(layer.width, 1280);
  EXPECT_EQ(layer.height, 720);
  EXPECT_EQ(layer.bitrate_kbps, 4500);
  EXPECT_EQ(layer.maxrate_kbps(), 4500);
  EXPECT_EQ(layer.bufsize_kbit(), 22500);
  EXPECT_EQ(layer.level, "");
  EXPECT_EQ(layer.b_frames, 3);  // §7 default
  EXPECT_TRUE(layer.frame_rate.is_source());
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->profile, AacProfile::AacLc);
  EXPECT_EQ(preset.audio->channels, 2);
  EXPECT_EQ(preset.audio->bitrate_kbps, 128);
  EXPECT_FALSE(preset.audio->insert_silence_if_no_audio);
  ASSERT_EQ(preset.outputs.size(), 1u);
  EXPECT_EQ(preset.outputs[0].file_name, "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4");
  EXPECT_EQ(preset.outputs[0].format, OutputFormat::Mp4);
  EXPECT_TRUE(preset.sources.empty());
  EXPECT_TRUE(preset.images.empty());
}

TEST(MesPresetTest, DocsSingleBitrateXmlTranslatesLikeItsJson) {
  const Preset xml = parse_mes_preset(kSingleBitrateXml, "inline");
  const Preset json = parse_mes_preset(kSingleBitrateJson, "inline");
  EXPECT_EQ(xml.name, "inline MES XML preset");
  ASSERT_TRUE(xml.video && xml.audio);
  EXPECT_EQ(xml.video->keyframe_interval_s, json.video->keyframe_interval_s);
  EXPECT_EQ(xml.video->scene_change_detection, json.video->scene_change_detection);
  ASSERT_EQ(xml.video->layers.size(), 1u);
  EXPECT_EQ(xml.video->layers[0].width, 1280);
  EXPECT_EQ(xml.video->layers[0].height, 720);
  EXPECT_EQ(xml.video->layers[0].bitrate_kbps, 4500);
  EXPECT_EQ(xml.video->layers[0].max_bitrate_kbps, 4500);
  EXPECT_EQ(xml.audio->sampling_rate, 48000);
  EXPECT_EQ(xml.audio->bitrate_kbps, 128);
  ASSERT_EQ(xml.outputs.size(), 1u);
  EXPECT_EQ(xml.outputs[0].file_name, json.outputs[0].file_name);
  EXPECT_EQ(xml.outputs[0].format, OutputFormat::Mp4);
}

TEST(MesPresetTest, XmlWithTheHttpsNamespaceTranslates) {
  const std::string https = edited(kSingleBitrateXml, "xmlns=\"http://www.windowsazure.com/media",
                                   "xmlns=\"https://www.windowsazure.com/media");
  EXPECT_EQ(parse_mes_preset(https, "inline").video->layers[0].bitrate_kbps, 4500);
}

TEST(MesPresetTest, MultiBitrateLadderKeepsEachLayerAndTheGop) {
  const Preset preset = parse_mes_preset(kTrimmedLadderJson, "inline");
  ASSERT_TRUE(preset.video);
  EXPECT_DOUBLE_EQ(preset.video->keyframe_interval_s, 3.0);
  EXPECT_FALSE(preset.video->scene_change_detection);
  ASSERT_EQ(preset.video->layers.size(), 3u);
  const VideoLayer& main = preset.video->layers[1];
  EXPECT_EQ(main.width, 960);
  EXPECT_EQ(main.height, 540);
  EXPECT_EQ(main.bitrate_kbps, 2250);
  EXPECT_EQ(main.maxrate_kbps(), 3000);
  EXPECT_EQ(main.bufsize_kbit(), 12000);  // 3000 kbps x 4 s
  EXPECT_EQ(main.profile, H264Profile::Main);
  EXPECT_EQ(main.level, "3.1");
  EXPECT_EQ(main.b_frames, 2);
  EXPECT_EQ(main.reference_frames, 4);
  EXPECT_FALSE(main.adaptive_b_frames);
  // A Baseline layer that leaves BFrames and EntropyMode out (as MES's iOS presets do) gets
  // the only values Baseline allows.
  const VideoLayer& baseline = preset.video->layers[2];
  EXPECT_EQ(baseline.profile, H264Profile::Baseline);
  EXPECT_EQ(baseline.level, "3");
  EXPECT_EQ(baseline.b_frames, 0);
  EXPECT_EQ(baseline.entropy, EntropyMode::Cavlc);
  EXPECT_EQ(baseline.slices, 2);
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->profile, AacProfile::HeAacV2);
  EXPECT_EQ(preset.audio->bitrate_kbps, 64);
}

TEST(MesPresetTest, SourcesTrimTheInput) {
  const Preset preset = parse_mes_preset(kTrimmedLadderJson, "inline");
  ASSERT_EQ(preset.sources.size(), 1u);
  EXPECT_EQ(preset.sources[0].asset_id, "");
  ASSERT_TRUE(preset.sources[0].start_s && preset.sources[0].duration_s);
  EXPECT_DOUBLE_EQ(*preset.sources[0].start_s, 4.0);
  EXPECT_DOUBLE_EQ(*preset.sources[0].duration_s, 16.0);
}

TEST(MesPresetTest, XmlSourcesUseXsDuration) {
  const std::string xml = edited(kSingleBitrateXml, "  <Encoding>",
                                 "  <Sources>\n    <Source StartTime=\"PT4S\" "
                                 "Duration=\"PT1M2.5S\"/>\n  </Sources>\n  <Encoding>");
  const Preset preset = parse_mes_preset(xml, "inline");
  ASSERT_EQ(preset.sources.size(), 1u);
  EXPECT_DOUBLE_EQ(*preset.sources[0].start_s, 4.0);
  EXPECT_DOUBLE_EQ(*preset.sources[0].duration_s, 62.5);
}

TEST(MesPresetTest, TwoAssetsConcatenateInOrder) {
  const std::string json = json_preset(
      "[" + std::string(kVideoCodec) + ", " + std::string(kAudioCodec) + "]",
      R"([{"FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4", "Format": {"Type": "MP4Format"}}])",
      R"("Sources": [
        {"AssetID": "606db602-efd7-4436-97b4-c0b867ba195b", "StartTime": "00:00:01.2",
         "Duration": "00:00:24.2"},
        {"AssetID": "nb:cid:UUID:a7e2b90f-0565-4a94-87fe-0a9fa07b9c7e", "StartTime": "00:00:02",
         "Duration": "00:00:05"}], )");
  const Preset preset = parse_mes_preset(json, "inline");
  ASSERT_EQ(preset.sources.size(), 2u);
  EXPECT_EQ(preset.sources[0].asset_id, "606db602-efd7-4436-97b4-c0b867ba195b");
  EXPECT_DOUBLE_EQ(*preset.sources[0].start_s, 1.2);
  EXPECT_DOUBLE_EQ(*preset.sources[0].duration_s, 24.2);
  EXPECT_EQ(preset.sources[1].asset_id, "a7e2b90f-0565-4a94-87fe-0a9fa07b9c7e");  // prefix dropped
  EXPECT_DOUBLE_EQ(*preset.sources[1].start_s, 2.0);
  EXPECT_DOUBLE_EQ(*preset.sources[1].duration_s, 5.0);
}

TEST(MesPresetTest, DocsCropSampleCropsTheWholeInput) {
  const std::string json = json_preset(
      R"([{"Type": "H264Video", "KeyFrameInterval": "00:00:02", "StretchMode": "None",
           "H264Layers": [
             {"Type": "H264Layer", "Bitrate": 3400, "Width": 1440, "Height": 1080},
             {"Type": "H264Layer", "Bitrate": 1250, "Width": 480, "Height": 360}]},
          {"Type": "AACAudio", "Bitrate": 128}])",
      R"([{"FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4", "Format": {"Type": "MP4Format"}}])",
      R"("Sources": [{"Streams": [], "Filters": {"Crop": {"X": 240, "Y": 0, "Width": 1440,
           "Height": 1080}}, "Pad": true}], )");
  const Preset preset = parse_mes_preset(json, "inline");
  EXPECT_TRUE(preset.sources.empty());  // one Source with only Filters: all of the first input
  ASSERT_TRUE(preset.filters.crop);
  EXPECT_EQ(preset.filters.crop->x, 240);
  EXPECT_EQ(preset.filters.crop->y, 0);
  EXPECT_EQ(preset.filters.crop->width, 1440);
  EXPECT_EQ(preset.filters.crop->height, 1080);
  EXPECT_EQ(preset.filters.rotation, Rotation::Auto);
  EXPECT_EQ(preset.filters.deinterlace, DeinterlaceMode::Auto);
  EXPECT_EQ(preset.video->stretch, StretchMode::None);
}

TEST(MesPresetTest, XmlRotationAndDeinterlaceFiltersTranslate) {
  const std::string xml = edited(kSingleBitrateXml, "  <Encoding>", R"(  <Sources>
    <Source>
      <Streams />
      <Filters>
        <Deinterlace>
          <Mode>Off</Mode>
        </Deinterlace>
        <Rotation>90</Rotation>
      </Filters>
    </Source>
  </Sources>
  <Encoding>)");
  const Preset preset = parse_mes_preset(xml, "inline");
  EXPECT_EQ(preset.filters.deinterlace, DeinterlaceMode::Off);
  EXPECT_EQ(preset.filters.rotation, Rotation::R90);
  EXPECT_FALSE(preset.filters.crop);
  EXPECT_TRUE(preset.sources.empty());
}

TEST(MesPresetTest, PreserveResolutionAfterRotationTurnsTheBoxWithThePicture) {
  const std::string json = json_preset(
      R"([{"Type": "H264Video", "PreserveResolutionAfterRotation": true, "H264Layers": [
           {"Type": "H264Layer", "Bitrate": 2000, "Width": "100%", "Height": "100%"}]}])");
  const Preset preset = parse_mes_preset(json, "inline");
  EXPECT_EQ(preset.video->orientation, Orientation::FollowSource);
  EXPECT_EQ(preset.video->layers[0].width_percent, 100);
  EXPECT_EQ(preset.video->layers[0].height_percent, 100);
  EXPECT_EQ(preset.video->layers[0].width, 0);
  const std::string xml = edited(kSingleBitrateXml, "<H264Video>",
                                 "<H264Video PreserveResolutionAfterRotation=\"true\">");
  EXPECT_EQ(parse_mes_preset(xml, "inline").video->orientation, Orientation::FollowSource);
}

TEST(MesPresetTest, AutoFitLetterboxesAtCodecOrPresetLevel) {
  const std::string codec_level =
      edited(kSingleBitrateJson, R"("KeyFrameInterval": "00:00:02",)",
             R"("KeyFrameInterval": "00:00:02", "StretchMode": "AutoFit",)");
  EXPECT_EQ(parse_mes_preset(codec_level, "inline").video->stretch, StretchMode::AutoFit);
  // The schema puts StretchMode on <Preset>.
  const std::string preset_level = edited(kSingleBitrateXml, "  <Encoding>",
                                          "  <StretchMode>AutoFit</StretchMode>\n  <Encoding>");
  EXPECT_EQ(parse_mes_preset(preset_level, "inline").video->stretch, StretchMode::AutoFit);
}

TEST(MesPresetTest, JpgEveryFiveSecondsAndPngAtPercentsMakeThumbnails) {
  const std::string json = json_preset(
      R"([{"Type": "JpgImage", "Start": "00:00:00", "Step": "00:00:05", "Range": "00:01:00",
           "JpgLayers": [{"Type": "JpgLayer", "Width": 640, "Height": 360, "Quality": 70}]},
          {"Type": "PngImage", "Start": "10%", "Step": "10%", "Range": "90%",
           "PngLayers": [{"Type": "PngLayer", "Width": "50%", "Height": "50%"}]},
          {"Type": "BmpImage", "Start": "120",
           "BmpLayers": [{"Type": "BmpLayer", "Width": 320, "Height": 180}]}])",
      R"([{"FileName": "{Basename}_{Index}{Extension}", "Format": {"Type": "JpgFormat"}},
          {"FileName": "{Basename}_png_{Index}{Extension}", "Format": {"Type": "PngFormat"}},
          {"FileName": "{Basename}_bmp_{Index}{Extension}", "Format": {"Type": "BmpFormat"}}])");
  const Preset preset = parse_mes_preset(json, "inline");
  EXPECT_FALSE(preset.video);
  EXPECT_FALSE(preset.audio);
  ASSERT_EQ(preset.images.size(), 3u);
  const ImageCodec& jpg = preset.images[0];
  EXPECT_EQ(jpg.format, OutputFormat::Jpg);
  EXPECT_EQ(jpg.start.unit, ImagePosition::Unit::Seconds);
  EXPECT_DOUBLE_EQ(jpg.start.value, 0);
  ASSERT_TRUE(jpg.step && jpg.range);
  EXPECT_EQ(jpg.step->unit, ImagePosition::Unit::Seconds);
  EXPECT_DOUBLE_EQ(jpg.step->value, 5);
  EXPECT_DOUBLE_EQ(jpg.range->value, 60);
  ASSERT_EQ(jpg.layers.size(), 1u);
  EXPECT_EQ(jpg.layers[0].width, 640);
  EXPECT_EQ(jpg.layers[0].quality, 70);
  const ImageCodec& png = preset.images[1];
  EXPECT_EQ(png.format, OutputFormat::Png);
  EXPECT_EQ(png.start.unit, ImagePosition::Unit::Percent);
  EXPECT_DOUBLE_EQ(png.start.value, 10);
  EXPECT_DOUBLE_EQ(png.range->value, 90);
  EXPECT_EQ(png.layers[0].width_percent, 50);
  const ImageCodec& bmp = preset.images[2];
  EXPECT_EQ(bmp.start.unit, ImagePosition::Unit::Frame);
  EXPECT_DOUBLE_EQ(bmp.start.value, 120);
  EXPECT_FALSE(bmp.step);
  ASSERT_EQ(preset.outputs.size(), 3u);
  EXPECT_EQ(preset.outputs[1].format, OutputFormat::Png);
  EXPECT_EQ(preset.outputs[2].format, OutputFormat::Bmp);
}

TEST(MesPresetTest, BestStartIsTheDefault) {
  const std::string json = json_preset(
      R"([{"Type": "JpgImage", "JpgLayers": [{"Type": "JpgLayer", "Width": 640, "Height": 360}]}])",
      R"([{"FileName": "{Basename}_{Index}{Extension}", "Format": {"Type": "JpgFormat"}}])");
  const Preset preset = parse_mes_preset(json, "inline");
  EXPECT_EQ(preset.images[0].start.unit, ImagePosition::Unit::Best);
  EXPECT_EQ(preset.images[0].layers[0].quality, 90);
}

TEST(MesPresetTest, DocsSpriteSampleTranslates) {
  const Preset preset = parse_mes_preset(R"({
    "Version": 1.0,
    "Codecs": [
    {
      "Start": "00:00:01",
      "Type": "JpgImage",
      "Step": "5%",
      "Range": "100%",
      "JpgLayers": [
        {
          "Type": "JpgLayer",
          "Width": "10%",
          "Height": "10%",
          "Quality": 90
        }
      ],
      "SpriteColumn": 10
    }
      ],
      "Outputs": [
        {
          "FileName": "{Basename}_{Index}{Extension}",
          "Format": {
            "Type": "JpgFormat"
          }
        }
   ]
})",
                                         "inline");
  ASSERT_EQ(preset.images.size(), 1u);
  EXPECT_EQ(preset.images[0].sprite_columns, 10);
  EXPECT_EQ(preset.images[0].start.unit, ImagePosition::Unit::Seconds);
  EXPECT_DOUBLE_EQ(preset.images[0].step->value, 5);
  EXPECT_EQ(preset.images[0].step->unit, ImagePosition::Unit::Percent);
  EXPECT_EQ(preset.images[0].layers[0].width_percent, 10);
  EXPECT_EQ(preset.images[0].layers[0].height_percent, 10);
}

TEST(MesPresetTest, InsertSilenceIfNoAudioInJsonAndXml) {
  const std::string json = edited(kSingleBitrateJson, R"("Type": "AACAudio")",
                                  R"("Type": "AACAudio", "Condition": "InsertSilenceIfNoAudio")");
  EXPECT_TRUE(parse_mes_preset(json, "inline").audio->insert_silence_if_no_audio);
  const std::string xml =
      edited(kSingleBitrateXml, "<AACAudio>", "<AACAudio Condition=\"InsertSilenceIfNoAudio\">");
  EXPECT_TRUE(parse_mes_preset(xml, "inline").audio->insert_silence_if_no_audio);
}

TEST(MesPresetTest, InsertBlackIfNoVideoInJsonAndXml) {
  const std::string json =
      edited(kTrimmedLadderJson, R"("StretchMode": "AutoSize",)",
             R"("StretchMode": "AutoSize", "Condition": "InsertBlackIfNoVideo",)");
  EXPECT_EQ(parse_mes_preset(json, "inline").video->condition,
            VideoCondition::InsertBlackIfNoVideo);
  const std::string xml = edited(kSingleBitrateXml, "<H264Video>",
                                 "<H264Video Condition=\"InsertBlackIfNoVideoBottomLayerOnly\">");
  EXPECT_EQ(parse_mes_preset(xml, "inline").video->condition,
            VideoCondition::InsertBlackIfNoVideoBottomLayerOnly);
}

TEST(MesPresetTest, Utf16XmlWithByteOrderMarkTranslates) {
  const std::string xml =
      edited(kSingleBitrateXml, "<Encoding>", "<StretchMode>AutoFit</StretchMode><Encoding>");
  for (const bool little_endian : {true, false}) {
    const Preset preset = parse_mes_preset(utf16_with_bom(xml, little_endian), "inline");
    ASSERT_TRUE(preset.video) << little_endian;
    EXPECT_EQ(preset.video->layers[0].bitrate_kbps, 4500);
    EXPECT_EQ(preset.video->stretch, StretchMode::AutoFit);
  }
}

TEST(MesPresetTest, Utf16WithoutByteOrderMarkIsRecognised) {
  const std::string utf16le = utf16_with_bom(kSingleBitrateJson, true).substr(2);
  EXPECT_TRUE(is_mes_preset(utf16le));
  EXPECT_EQ(parse_mes_preset(utf16le, "inline").video->layers[0].height, 720);
}

TEST(MesPresetTest, TruncatedUtf16IsAnError) {
  const std::string utf16 = utf16_with_bom(kSingleBitrateXml, true);
  expect_error(utf16.substr(0, utf16.size() - 1), "", "invalid UTF-16LE text at byte");
}

TEST(MesPresetTest, Utf16JsonKeepsNonAsciiText) {
  const std::string json =
      edited(kSingleBitrateJson, R"("Version": 1.0,)",
             "\"Version\": 1.0, \"Description\": \"Vid\xC3\xA9o 720p \xE2\x80\x94 web\",");
  const Preset preset = parse_mes_preset(utf16_with_bom(json, true), "inline");
  EXPECT_EQ(preset.name, "Vid\xC3\xA9o 720p \xE2\x80\x94 web");
  EXPECT_EQ(preset.description, preset.name);
}

TEST(MesPresetTest, Utf8ByteOrderMarkIsSkipped) {
  const std::string json = "\xEF\xBB\xBF" + std::string(kSingleBitrateJson);
  EXPECT_TRUE(is_mes_preset(json));
  EXPECT_EQ(parse_mes_preset(json, "inline").video->layers[0].width, 1280);
}

TEST(MesPresetTest, FieldNamesAndChoicesIgnoreCase) {
  const std::string json = json_preset(R"([{"type": "h264video", "keyFrameInterval": "00:00:04",
      "h264Layers": [{"bitrate": "1500", "width": "640", "height": "360", "profile": "high",
                      "entropyMode": "CABAC", "frameRate": "30000/1001"}]}])");
  const Preset preset = parse_mes_preset(json, "inline");
  EXPECT_DOUBLE_EQ(preset.video->keyframe_interval_s, 4.0);
  EXPECT_EQ(preset.video->layers[0].bitrate_kbps, 1500);  // a number written as a string
  EXPECT_EQ(preset.video->layers[0].profile, H264Profile::High);
  EXPECT_EQ(preset.video->layers[0].frame_rate.num, 30000);
  EXPECT_EQ(preset.video->layers[0].frame_rate.den, 1001);
}

// ---- Dispatch and files --------------------------------------------------------------------

TEST(MesPresetTest, ConfigurationStartingWithABraceOrAngleIsAnMesPreset) {
  EXPECT_TRUE(is_mes_preset("  \n{\"Version\": 1.0}"));
  EXPECT_TRUE(is_mes_preset("<?xml version=\"1.0\"?><Preset/>"));
  EXPECT_TRUE(is_mes_preset(utf16_with_bom("<Preset/>", true)));
  EXPECT_FALSE(is_mes_preset("H264 Single Bitrate 720p"));
  EXPECT_FALSE(is_mes_preset("name: x\nvideo:\n"));
}

TEST(MesPresetTest, LibraryResolvesInlineJsonAndXml) {
  const PresetLibrary library = PresetLibrary::load({shipped_library_dir()});
  const Preset json = library.resolve("\n  " + std::string(kSingleBitrateJson));
  EXPECT_EQ(json.name, "inline MES JSON preset");
  EXPECT_EQ(json.origin, "inline");
  EXPECT_EQ(json.video->layers[0].bitrate_kbps, 4500);
  const Preset xml = library.resolve(utf16_with_bom(kSingleBitrateXml, true));
  EXPECT_EQ(xml.name, "inline MES XML preset");
  // Errors of an inline MES preset name "inline" and the field.
  try {
    library.resolve(edited(kSingleBitrateJson, "\"Bitrate\": 4500", "\"Bitrate\": \"fast\""));
    ADD_FAILURE() << "resolved";
  } catch (const PresetError& error) {
    EXPECT_EQ(std::string(error.what()),
              "inline: Codecs[0].H264Layers[0].Bitrate: expected an integer kbps, found 'fast'");
  }
}

TEST(MesPresetTest, SampleJsonFileLoads) {
  const auto file = sample_presets_dir() / "mes-ladder-with-thumbnails.json";
  const Preset preset = load_preset_file(file);
  EXPECT_EQ(preset.origin, file.string());
  EXPECT_EQ(preset.name, "MES sample: 720p/360p ladder with JPEG thumbnails every 5 seconds");
  ASSERT_TRUE(preset.video && preset.audio);
  ASSERT_EQ(preset.video->layers.size(), 2u);
  EXPECT_EQ(preset.video->layers[0].level, "4");
  EXPECT_EQ(preset.video->layers[0].maxrate_kbps(), 4000);
  EXPECT_EQ(preset.video->layers[1].profile, H264Profile::Baseline);
  EXPECT_EQ(preset.video->layers[1].b_frames, 0);
  EXPECT_TRUE(preset.audio->insert_silence_if_no_audio);
  ASSERT_EQ(preset.images.size(), 1u);
  EXPECT_DOUBLE_EQ(preset.images[0].step->value, 5);
  EXPECT_EQ(preset.images[0].range->unit, ImagePosition::Unit::Percent);
  EXPECT_EQ(preset.images[0].layers[0].quality, 85);
  EXPECT_EQ(preset.outputs[1].format, OutputFormat::Jpg);
}

TEST(MesPresetTest, SampleXmlFileLoads) {
  const auto file = sample_presets_dir() / "mes-trimmed-720p.xml";
  const Preset preset = load_preset_file(file);
  EXPECT_EQ(preset.name, "mes-trimmed-720p");  // the file stem: no Description
  ASSERT_EQ(preset.sources.size(), 1u);
  EXPECT_DOUBLE_EQ(*preset.sources[0].start_s, 4);
  EXPECT_DOUBLE_EQ(*preset.sources[0].duration_s, 14);
  EXPECT_EQ(preset.video->stretch, StretchMode::AutoFit);
  EXPECT_TRUE(preset.video->scene_change_detection);
  ASSERT_EQ(preset.images.size(), 1u);
  EXPECT_EQ(preset.images[0].format, OutputFormat::Png);
  EXPECT_DOUBLE_EQ(preset.images[0].step->value, 40);
  EXPECT_EQ(preset.images[0].layers[0].width_percent, 50);
}

TEST(MesPresetTest, FileErrorsNameTheFileAndLine) {
  const TempDir dir;
  const std::string xml =
      edited(kSingleBitrateXml, "<Bitrate>4500</Bitrate>", "<Bitrat>4500</Bitrat>");
  const auto file = dir.write("bad.xml", xml);
  try {
    load_preset_file(file);
    ADD_FAILURE() << "loaded";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), file.string());
    EXPECT_EQ(error.line(), line_of(xml, "<Bitrat>"));
    EXPECT_EQ(error.key(), "Preset/Encoding/H264Video/H264Layers/H264Layer/Bitrat");
    EXPECT_TRUE(contains(error.message(), "unknown field 'Bitrat'")) << error.what();
  }
}

// ---- Errors --------------------------------------------------------------------------------

TEST(MesPresetTest, WrongTypeNamesTheFieldAndTheValue) {
  const std::string json = edited(kTrimmedLadderJson, "\"Bitrate\": 2250", "\"Bitrate\": \"fast\"");
  expect_error(json, "Codecs[0].H264Layers[1].Bitrate", "expected an integer kbps, found 'fast'");
  expect_error(edited(kSingleBitrateJson, "\"AdaptiveBFrame\": true", "\"AdaptiveBFrame\": 3"),
               "Codecs[0].H264Layers[0].AdaptiveBFrame", "expected true or false, found 3");
  expect_error(
      edited(kSingleBitrateJson, "\"KeyFrameInterval\": \"00:00:02\"", "\"KeyFrameInterval\": 2"),
      "Codecs[0].KeyFrameInterval", "expected a time as HH:MM:SS");
}

TEST(MesPresetTest, XmlErrorsNameTheElementPathAndLine) {
  const std::string xml =
      edited(kSingleBitrateXml, "<Channels>2</Channels>", "<Channels>two</Channels>");
  expect_error(xml, "Preset/Encoding/AACAudio/Channels", "expected an integer, found 'two'",
               line_of(xml, "<Channels>"));
  const std::string attribute =
      edited(kSingleBitrateXml, "<AACAudio>", "<AACAudio Condition=\"InsertNoise\">");
  expect_error(attribute, "Preset/Encoding/AACAudio/@Condition",
               "expected one of InsertSilenceIfNoAudio, found 'InsertNoise'",
               line_of(attribute, "<AACAudio"));
}

TEST(MesPresetTest, MalformedJsonGivesLineAndColumn) {
  // A trailing comma, as one of the docs' samples has.
  const std::string json = edited(kSingleBitrateJson, "\"Bitrate\": 128,", "\"Bitrate\": 128,,");
  const PresetError error = error_of(json);
  EXPECT_EQ(error.line(), line_of(json, "128,,"));
  EXPECT_TRUE(contains(error.message(),
                       "invalid JSON at line " + std::to_string(error.line()) + ", column 22"))
      << error.what();
}

TEST(MesPresetTest, MalformedXmlGivesLineAndColumn) {
  const std::string xml = edited(kSingleBitrateXml, "</MaxBitrate>", "</MaxBitrat>");
  const PresetError error = error_of(xml);
  EXPECT_EQ(error.line(), line_of(xml, "</MaxBitrat>"));
  EXPECT_TRUE(contains(error.message(), "invalid XML at line")) << error.what();
  EXPECT_TRUE(contains(error.message(), "mismatch")) << error.what();
}

TEST(MesPresetTest, UnsupportedFeaturesAreRefusedByName) {
  expect_error(
      json_preset("[" + std::string(kVideoCodec) + "]",
                  R"([{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}])",
                  R"("Sources": [{"Filters": {"VideoOverlay": {"Source": "logo.png"}}}], )"),
      "Sources[0].Filters.VideoOverlay", "not supported");
  expect_error(json_preset("[" + std::string(kVideoCodec) + R"(, {"Type": "CopyAudio"}])"),
               "Codecs[1].Type", "CopyAudio is not supported");
  expect_error(json_preset(R"([{"Type": "CopyVideo"}])"), "Codecs[0].Type",
               "CopyVideo is not supported");
  expect_error(edited(kSingleBitrateJson, "\"SceneChangeDetection\": \"true\",",
                      "\"SceneChangeDetection\": \"true\", \"TwoPass\": true,"),
               "Codecs[0].TwoPass", "only one-pass");
  expect_error(
      edited(kSingleBitrateJson, "\"SceneChangeDetection\": \"true\",",
             "\"SceneChangeDetection\": \"true\", \"TwoPass\": false, \"SyncMode\": \"Auto\","),
      "Codecs[0].SyncMode", "reserves SyncMode");
  expect_error(
      edited(kSingleBitrateXml, "<Chapters />", "<Chapters><Chapter Time=\"PT5S\" /></Chapters>"),
      "Preset/Encoding/H264Video/Chapters/Chapter", "chapters are not supported");
  expect_error(
      json_preset("[" + std::string(kVideoCodec) + "]",
                  R"([{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}])",
                  R"("Sources": [{"Streams": [{"Type": "AudioStream", "Value": "1"}]}], )"),
      "Sources[0].Streams[0]", "selecting input streams is not supported");
}

TEST(MesPresetTest, UnknownCodecTypeAndUnknownFieldsAreErrors) {
  expect_error(
      json_preset(R"([{"Type": "H265Video"}])"), "Codecs[0].Type",
      "unknown codec Type 'H265Video'; allowed: H264Video, AACAudio, JpgImage, PngImage, BmpImage");
  expect_error(json_preset(R"([{"Bitrate": 128}])"), "Codecs[0].Type", "required field is missing");
  expect_error(json_preset("[" + std::string(kAudioCodec) + "]",
                           R"([{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}])",
                           R"("Priority": 2, )"),
               "Priority", "unknown field 'Priority'; allowed here: Version, Description, Sources");
  expect_error(json_preset("[" + std::string(kAudioCodec) + "]",
                           R"([{"FileName": "{Basename}.ts", "Format": {"Type": "TSFormat"}}])"),
               "Outputs[0].Format.Type",
               "expected one of MP4Format, JpgFormat, PngFormat, BmpFormat");
}

TEST(MesPresetTest, VersionMustBeOnePointZero) {
  expect_error(edited(kSingleBitrateJson, "\"Version\": 1.0", "\"Version\": 0.9"), "Version",
               "below the minimum 1.0");
  expect_error(edited(kSingleBitrateJson, "\"Version\": 1.0", "\"Version\": 2.0"), "Version",
               "the schema has 1.0 only");
  expect_error(edited(kSingleBitrateJson, "\"Version\": 1.0,", ""), "Version",
               "required field is missing");
  const std::string xml = edited(kSingleBitrateXml, "Version=\"1.0\"", "Version=\"0.5\"");
  expect_error(xml, "Preset/@Version", "below the minimum", line_of(xml, "<Preset"));
}

TEST(MesPresetTest, XmlNamespaceAndRootAreChecked) {
  expect_error(edited(kSingleBitrateXml,
                      "xmlns=\"http://www.windowsazure.com/media/encoding/Preset/2014/03\"", ""),
               "Preset/@xmlns", "missing; the Media Encoder Standard namespace is");
  expect_error(R"(<?xml version="1.0"?>
<Presets><Preset Version="5.0"/></Presets>)",
               "Presets", "Azure Media Encoder", 2);
}

TEST(MesPresetTest, ValidatorRulesNameTheMesField) {
  // SceneChangeDetection with a ladder (validate_preset), reported at the MES field.
  const std::string scd = edited(kTrimmedLadderJson, R"("StretchMode": "AutoSize",)",
                                 R"("StretchMode": "AutoSize", "SceneChangeDetection": true,)");
  expect_error(scd, "Codecs[0].SceneChangeDetection", "needs exactly one layer");
  const std::string rates = edited(kTrimmedLadderJson, R"("FrameRate": "0/1", "Slices": 2)",
                                   R"("FrameRate": "25/1", "Slices": 2)");
  expect_error(rates, "Codecs[0].H264Layers[2].FrameRate", "MES requires one frame rate");
  expect_error(edited(kSingleBitrateJson, "\"Channels\": 2", "\"Channels\": 5"),
               "Codecs[1].Channels", "'5' is not allowed");
  const std::string odd = edited(kSingleBitrateXml, "<Width>1280</Width>", "<Width>1279</Width>");
  expect_error(odd, "Preset/Encoding/H264Video/H264Layers/H264Layer/Width", "is odd",
               line_of(odd, "<Width>"));
}

TEST(MesPresetTest, LayersNeedBothWidthAndHeight) {
  expect_error(json_preset(R"([{"Type": "H264Video", "H264Layers": [{"Bitrate": 1000}]}])"),
               "Codecs[0].H264Layers[0]", "write \"100%\" for the source's size");
  expect_error(
      json_preset(R"([{"Type": "H264Video", "H264Layers": [{"Bitrate": 1000, "Width": 640}]}])"),
      "Codecs[0].H264Layers[0].Height", "MES needs both Width and Height");
  expect_error(
      json_preset(
          R"([{"Type": "H264Video", "H264Layers": [{"Bitrate": 1000, "Width": "150%", "Height": 360}]}])"),
      "Codecs[0].H264Layers[0].Width", "from 1% to 100%");
}

TEST(MesPresetTest, KeyWrittenTwiceIsAnError) {
  expect_error(
      edited(kSingleBitrateJson, "\"Bitrate\": 4500,", "\"Bitrate\": 4500, \"Bitrate\": 3000,"),
      "Codecs[0].H264Layers[0].Bitrate", "written twice");
  expect_error(edited(kSingleBitrateXml, "<Bitrate>128</Bitrate>",
                      "<Bitrate>128</Bitrate><Bitrate>96</Bitrate>"),
               "Preset/Encoding/AACAudio/Bitrate", "written twice");
}

TEST(MesPresetTest, DeeplyNestedJsonAndXmlAreErrorsNotStackOverflows) {
  // A hostile Configuration: 100 000 nested lists or elements once overflowed the stack of the
  // recursive readers and ended the daemon at POST /api/Jobs.
  const std::size_t depth = 100000;
  const std::string json = R"({"Version": 1.0, "Codecs": )" + std::string(depth, '[') +
                           std::string(depth, ']') + "}";
  const PresetError json_error = error_of(json);
  EXPECT_TRUE(contains(json_error.message(), "nested more than 32")) << json_error.what();
  EXPECT_TRUE(json_error.key().starts_with("Codecs[0][0]")) << json_error.what();

  std::string elements;
  for (std::size_t i = 0; i < depth; ++i) elements += "<a>";
  for (std::size_t i = 0; i < depth; ++i) elements += "</a>";
  const std::string xml =
      edited(kSingleBitrateXml, "<Channels>2</Channels>", "<Channels>" + elements + "</Channels>");
  const PresetError xml_error = error_of(xml);
  EXPECT_TRUE(contains(xml_error.message(), "nested more than 32")) << xml_error.what();
  EXPECT_TRUE(xml_error.key().starts_with("Preset/Encoding/AACAudio/Channels/a/a")) << xml_error.what();
  EXPECT_EQ(xml_error.line(), line_of(xml, "<Channels>"));
}

TEST(MesPresetTest, XmlTextSplitByACommentReadsWhole) {
  // <Bitrate>10<!-- -->00</Bitrate> is the text "1000" in XML; it once read as 10 kbps.
  const Preset preset = parse_mes_preset(
      edited(kSingleBitrateXml, "<Bitrate>4500</Bitrate>", "<Bitrate>45<!-- kbps -->00</Bitrate>"),
      "inline");
  ASSERT_TRUE(preset.video);
  EXPECT_EQ(preset.video->layers[0].bitrate_kbps, 4500);
}

TEST(MesPresetTest, FileNameWithANulIsAnError) {
  expect_error(edited(kTrimmedLadderJson, "\"FileName\": \"", "\"FileName\": \"a\\u0000b"),
               "Outputs[0].FileName", "control character 0x00");
}

TEST(MesPresetTest, ThumbnailRulesAreChecked) {
  const std::string jpg = R"([{"Type": "JpgImage", "Start": "00:00:01", "Step": "00:00:05",
      "JpgLayers": [{"Type": "JpgLayer", "Width": 640, "Height": 360}]}])";
  expect_error(
      json_preset(jpg, R"([{"FileName": "{Basename}.jpg", "Format": {"Type": "JpgFormat"}}])"),
      "Outputs[0].FileName", "must contain {Index} exactly once");
  expect_error(json_preset(jpg), "Codecs[0]",
               "JpgImage needs its own Output with Format JpgFormat");
  expect_error(json_preset(R"([{"Type": "JpgImage", "Step": "00:00:05",
      "JpgLayers": [{"Width": 640, "Height": 360}]}])",
                           R"([{"FileName": "{Index}.jpg", "Format": {"Type": "JpgFormat"}}])"),
               "Codecs[0].Step", "ignores Step and Range when Start is {Best}");
  expect_error(json_preset(R"([{"Type": "JpgImage", "Start": "10", "Step": "25", "SpriteColumn": 4,
      "JpgLayers": [{"Width": 64, "Height": 36}]}])",
                           R"([{"FileName": "{Index}.jpg", "Format": {"Type": "JpgFormat"}}])"),
               "Codecs[0].Start", "a sprite needs Start, Step and Range as times");
  expect_error(json_preset(R"([{"Type": "PngImage", "Start": "10%",
      "PngLayers": [{"Width": 64, "Height": 36, "Quality": 80}]}])",
                           R"([{"FileName": "{Index}.png", "Format": {"Type": "PngFormat"}}])"),
               "Codecs[0].PngLayers[0].Quality", "Quality is for JpgLayer only");
}

TEST(MesPresetTest, SourcesMustShareTheirFilters) {
  expect_error(json_preset("[" + std::string(kVideoCodec) + "]",
                           R"([{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}])",
                           R"("Sources": [
      {"AssetID": "606db602-efd7-4436-97b4-c0b867ba195b", "Filters": {"Rotation": "90"}},
      {"AssetID": "a7e2b90f-0565-4a94-87fe-0a9fa07b9c7e"}], )"),
               "Sources[1]", "every Source must have the same Filters");
  expect_error(json_preset("[" + std::string(kVideoCodec) + "]",
                           R"([{"FileName": "{Basename}.mp4", "Format": {"Type": "MP4Format"}}])",
                           R"("Sources": [{"AssetID": "not-a-guid"}], )"),
               "Sources[0].AssetID", "expected an asset id");
}

}  // namespace
}  // namespace mw::presets
