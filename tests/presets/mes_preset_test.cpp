// MES JSON/XML presets translated into the preset model (AMS-V2-REFERENCE.md §8).
#include "presets/mes_preset.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "presets/library.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "tests/presets/mes_preset_fixture.hpp"
#include "tests/presets/test_files.hpp"

namespace mw::presets {
namespace {

using namespace mes_test;
using test_support::edited;
using test_support::line_of;
using test_support::shipped_library_dir;
using test_support::TempDir;
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

}  // namespace
}  // namespace mw::presets
