// The AMS metadata documents (AMS-V2-REFERENCE.md §9): xs:duration values, the input metadata
// of real clips as XML and JSON, and the output manifest's shape.

#include "encoders/metadata.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <pugixml.hpp>
#include <string>

#include "encoders/probe.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
namespace fs = std::filesystem;

constexpr const char* kInputNs =
    "http://schemas.microsoft.com/windowsazure/mediaservices/2014/07/mediaencoder/inputmetadata";
constexpr const char* kOutputNs =
    "http://schemas.microsoft.com/windowsazure/mediaservices/2013/05/mediaencoder/metadata";

/// True for a decimal number with exactly three decimals, e.g. "29.970".
bool has_three_decimals(const std::string& number) {
  const auto dot = number.find('.');
  if (dot == std::string::npos || dot == 0 || number.size() - dot - 1 != 3) return false;
  for (size_t i = 0; i < number.size(); ++i)
    if (i != dot && (number[i] < '0' || number[i] > '9')) return false;
  return true;
}

/// The <Metadata value> of `key` under `node`, or "<missing>".
std::string metadata_value(pugi::xml_node node, const char* key) {
  const auto m = node.find_child_by_attribute("Metadata", "key", key);
  return m ? m.attribute("value").value() : "<missing>";
}

/// A parsed input metadata document of a real clip.
class InputMetadataXml : public ::testing::Test {
 protected:
  pugi::xml_node asset_file(const std::string& path) {
    const std::string xml = input_metadata_xml(probe(path));
    const auto parsed = doc_.load_string(xml.c_str());
    EXPECT_TRUE(parsed) << parsed.description() << "\n" << xml;
    return doc_.child("AssetFiles").child("AssetFile");
  }
  pugi::xml_document doc_;
};

TEST(XsDuration, SecondsWithTheirDecimals) {
  EXPECT_EQ(xs_duration(12.678), "PT12.678S");
  EXPECT_EQ(xs_duration(0), "PT0S");
  EXPECT_EQ(xs_duration(2), "PT2S");
  EXPECT_EQ(xs_duration(0.2997111), "PT0.2997111S");
  EXPECT_EQ(xs_duration(362.767), "PT362.767S");
}

TEST(XsDuration, NegativeOrUnknownIsZero) {
  EXPECT_EQ(xs_duration(-1.5), "PT0S");
  EXPECT_EQ(xs_duration(std::nan("")), "PT0S");
}

TEST_F(InputMetadataXml, PhoneClipDescribesItsFileAndTracks) {
  const std::string path = media("phone-portrait-4k60-h264-rotate90.mp4");
  const auto file = asset_file(path);
  EXPECT_STREQ(doc_.child("AssetFiles").attribute("xmlns").value(), kInputNs);
  ASSERT_TRUE(file);
  EXPECT_STREQ(file.attribute("Name").value(), "phone-portrait-4k60-h264-rotate90.mp4");
  EXPECT_EQ(file.attribute("Size").as_llong(), static_cast<long long>(fs::file_size(path)));
  EXPECT_EQ(file.attribute("NumberOfStreams").as_int(), 2);
  const auto v = file.child("VideoTracks").child("VideoTrack");
  ASSERT_TRUE(v);
  EXPECT_STREQ(v.attribute("Codec").value(), "h264");
  EXPECT_EQ(v.attribute("Width").as_int(), 3840);
  EXPECT_EQ(v.attribute("Height").as_int(), 2160);
  EXPECT_STREQ(v.attribute("FrameRate").value(), "60.058");
  EXPECT_TRUE(v.child("Disposition"));
  EXPECT_EQ(v.child("Disposition").attribute("Default").as_int(), 1);
  EXPECT_EQ(metadata_value(v, "rotation"), "90");
  EXPECT_EQ(metadata_value(v, "mirrored"), "0");
  EXPECT_EQ(metadata_value(v, "color_range"), "pc");
  const auto a = file.child("AudioTracks").child("AudioTrack");
  ASSERT_TRUE(a);
  EXPECT_STREQ(a.attribute("Codec").value(), "aac");
  EXPECT_EQ(a.attribute("Channels").as_int(), 2);
  EXPECT_EQ(a.attribute("SamplingRate").as_int(), 48000);
  EXPECT_TRUE(a.child("Disposition"));
}

TEST_F(InputMetadataXml, FrameRatesHaveThreeDecimals) {
  for (const char* clip : {"clip-1080x720-h264-aac-mono-1s.mp4", "bbb-1080p24-mpeg2-mp2.ts",
                           "clip-1080x720-h264-ac3.mkv"}) {
    const auto v = asset_file(media(clip)).child("VideoTracks").child("VideoTrack");
    const std::string rate = v.attribute("FrameRate").value();
    EXPECT_TRUE(has_three_decimals(rate)) << clip << ": " << rate;
  }
  EXPECT_STREQ(asset_file(media("clip-1080x720-h264-aac-mono-1s.mp4"))
                   .child("VideoTracks")
                   .child("VideoTrack")
                   .attribute("FrameRate")
                   .value(),
               "29.970");
  EXPECT_NEAR(asset_file(media("clip-1080x720-h264-ac3.mkv"))
                  .child("VideoTracks")
                  .child("VideoTrack")
                  .attribute("FrameRate")
                  .as_double(),
              30.0, 0.05)
      << "Matroska's 1 ms time base is not a frame rate";
}

TEST_F(InputMetadataXml, MirroredClipSaysSo) {
  const auto v = asset_file(media("clip-1080x720-h264-rotate-and-mirror.mp4"))
                     .child("VideoTracks")
                     .child("VideoTrack");
  EXPECT_EQ(metadata_value(v, "mirrored"), "1");
}

TEST_F(InputMetadataXml, HdrClipCarriesItsTransfer) {
  const auto v = asset_file(media("hdr10-1080p30-hevc-10bit-aac.mp4"))
                     .child("VideoTracks")
                     .child("VideoTrack");
  EXPECT_EQ(metadata_value(v, "color_transfer"), "smpte2084");
  EXPECT_STREQ(v.attribute("PixelFormat").value(), "yuv420p10le");
}

TEST_F(InputMetadataXml, AudioOnlyFlacHasNoVideoTracks) {
  const auto file = asset_file(media("speech-audio-only.flac"));
  EXPECT_FALSE(file.child("VideoTracks"));
  EXPECT_EQ(file.child("AudioTracks").child("AudioTrack").attribute("Channels").as_int(), 2);
  EXPECT_EQ(file.attribute("NumberOfStreams").as_int(), 1);
  EXPECT_STREQ(file.attribute("Duration").value(), "PT2.741S");
}

TEST_F(InputMetadataXml, Pcm24ClipReports24BitsPerSample) {
  const auto a =
      asset_file(media("clip-pcm-24bit-in-mp4.mp4")).child("AudioTracks").child("AudioTrack");
  EXPECT_EQ(a.attribute("BitsPerSample").as_int(), 24);
  EXPECT_STREQ(a.attribute("Codec").value(), "pcm_s24le");
}

TEST_F(InputMetadataXml, FileNameWithXmlSpecialCharactersRoundTrips) {
  TempDir temp;
  const fs::path copy = temp.path() / "Q&A <take 2> \"final\".mp4";
  fs::copy_file(media("clip-1080x720-h264-aac-mono-1s.mp4"), copy);
  EXPECT_STREQ(asset_file(copy.string()).attribute("Name").value(), "Q&A <take 2> \"final\".mp4");
}

TEST(InputMetadataJson, HasTheSameValuesAsTheXml) {
  const std::string path = media("phone-portrait-4k60-h264-rotate90.mp4");
  const auto json = input_metadata_json(probe(path));
  ASSERT_TRUE(json.contains("AssetFiles"));
  ASSERT_EQ(json["AssetFiles"].size(), 1u);
  const auto& file = json["AssetFiles"][0];
  EXPECT_EQ(file["Name"], "phone-portrait-4k60-h264-rotate90.mp4");
  EXPECT_EQ(file["Size"].get<int64_t>(), static_cast<int64_t>(fs::file_size(path)));
  EXPECT_EQ(file["NumberOfStreams"], 2);
  ASSERT_EQ(file["VideoTracks"].size(), 1u);
  const auto& v = file["VideoTracks"][0];
  EXPECT_EQ(v["Codec"], "h264");
  EXPECT_EQ(v["Width"], 3840);
  EXPECT_EQ(v["Height"], 2160);
  EXPECT_DOUBLE_EQ(v["FrameRate"].get<double>(), 60.058);
  EXPECT_EQ(v["Rotation"], 90);
  EXPECT_EQ(v["Mirrored"], false);
  EXPECT_EQ(v["ColorRange"], "pc");
  EXPECT_EQ(v["Disposition"]["Default"], true);
  ASSERT_EQ(file["AudioTracks"].size(), 1u);
  EXPECT_EQ(file["AudioTracks"][0]["Channels"], 2);
  EXPECT_EQ(file["AudioTracks"][0]["SamplingRate"], 48000);
}

TEST(InputMetadataJson, AudioOnlyFileHasAnEmptyVideoTrackList) {
  const auto json = input_metadata_json(probe(media("speech-audio-only.flac")));
  const auto& file = json["AssetFiles"][0];
  EXPECT_TRUE(file["VideoTracks"].is_array());
  EXPECT_TRUE(file["VideoTracks"].empty());
  EXPECT_EQ(file["AudioTracks"][0]["Codec"], "flac");
}

TEST(OutputManifest, ReportsEachFileWithItsMeasuredTracks) {
  MeasuredFile f;
  f.name = "speech_AAC_192.mp4";
  f.size_bytes = 68123;
  f.duration_s = 2.741;
  MeasuredTrack a;
  a.codec = "aac";
  a.channels = 2;
  a.sampling_rate = 48000;
  a.bitrate_kbps = 191.6;
  a.bits_per_sample = 16;
  f.tracks.push_back(a);
  const std::string xml = output_manifest_xml({f}, EncodePlan{}, "speech.flac");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  EXPECT_STREQ(doc.child("AssetFiles").attribute("xmlns").value(), kOutputNs);
  const auto file = doc.child("AssetFiles").child("AssetFile");
  EXPECT_STREQ(file.attribute("Name").value(), "speech_AAC_192.mp4");
  EXPECT_EQ(file.attribute("Size").as_llong(), 68123);
  EXPECT_STREQ(file.attribute("Duration").value(), "PT2.741S");
  EXPECT_STREQ(file.child("Sources").child("Source").attribute("Name").value(), "speech.flac");
  EXPECT_FALSE(file.child("VideoTracks"));
  const auto track = file.child("AudioTracks").child("AudioTrack");
  EXPECT_EQ(track.attribute("Channels").as_int(), 2);
  EXPECT_EQ(track.attribute("SamplingRate").as_int(), 48000);
  EXPECT_EQ(track.attribute("Bitrate").as_int(), 192);
}

}  // namespace
}  // namespace mw::encoders
