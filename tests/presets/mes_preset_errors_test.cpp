// MES presets: dispatch, files, and every kind of bad input named by its field.
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
