// The Windows Azure Media Packager's Configuration: the AMS task definitions users sent
// (MediaPackager_MP4ToSmooth.xml, MediaPackager_SmoothToHLS.xml), the short names, and every
// rejection with the property or word at fault; plus which asset files a packaging task takes
// and the manifest name it picks.

#include "daemon/runtime/packager_configuration.hpp"

#include <gtest/gtest.h>

#include "daemon/runtime/package_task.hpp"
#include "tests/support/packager_samples.hpp"

namespace mw::runtime {
namespace {

using presets::OutputFormat;
using Formats = std::vector<OutputFormat>;

std::string rejection(const std::string& text) {
  try {
    parse_packager_configuration(text);
  } catch (const PackagerConfigurationError& e) {
    return e.what();
  }
  return "(accepted)";
}

// The AMS task definitions of samples/packager, with a user's manifest name and extra properties.
std::string smooth_to_hls(const std::string& extra_properties, const std::string& manifest = "") {
  return test::smooth_to_hls({{"manifest", manifest}}, extra_properties);
}

const std::string kMp4ToSmooth = test::mp4_to_smooth();

TEST(PackagerConfiguration, Mp4ToSmoothTaskDefinitionWritesSmoothStreaming) {
  const auto c = parse_packager_configuration(kMp4ToSmooth);
  EXPECT_EQ(c.formats, Formats{OutputFormat::Smooth});
  EXPECT_EQ(c.segment_duration_s, 0);
  EXPECT_EQ(c.manifest_name, "");
  EXPECT_EQ(c.description, "MP4 to Smooth Streams");
}

TEST(PackagerConfiguration, SmoothToHlsTaskDefinitionKeepsSegmentMaxBitrateAndManifest) {
  const auto c = parse_packager_configuration(smooth_to_hls(""));
  EXPECT_EQ(c.formats, Formats{OutputFormat::Hls});
  EXPECT_EQ(c.segment_duration_s, 10);
  EXPECT_EQ(c.max_bitrate_bps, 1600000);
  EXPECT_TRUE(c.hls_manifest_after_ism);  // empty manifest: "<ISM_file_name>-m3u8-aapl.m3u8"
  const auto named = parse_packager_configuration(smooth_to_hls("", "movie.m3u8"));
  EXPECT_EQ(named.manifest_name, "movie");
  EXPECT_FALSE(named.hls_manifest_after_ism);
}

TEST(PackagerConfiguration, ShortNamesAndLists) {
  EXPECT_EQ(parse_packager_configuration("Smooth Streaming").formats,
            Formats{OutputFormat::Smooth});
  EXPECT_EQ(parse_packager_configuration(" hls ").formats, Formats{OutputFormat::Hls});
  EXPECT_EQ(parse_packager_configuration("DASH").formats, Formats{OutputFormat::Dash});
  EXPECT_EQ(parse_packager_configuration("CMAF").formats, Formats{OutputFormat::Cmaf});
  EXPECT_EQ(parse_packager_configuration("HLS, DASH").formats, Formats{OutputFormat::Cmaf});
  EXPECT_EQ(parse_packager_configuration("MPEG-TS").formats, Formats{OutputFormat::Ts});
  EXPECT_EQ(parse_packager_configuration("Smooth Streaming, HLS, MPEG-TS").formats,
            (Formats{OutputFormat::Smooth, OutputFormat::Ts, OutputFormat::Hls}));
  const auto c = parse_packager_configuration("HLS; segment_duration=6; manifest_name=movie");
  EXPECT_EQ(c.segment_duration_s, 6);
  EXPECT_EQ(c.manifest_name, "movie");
}

TEST(PackagerConfiguration, RejectionsNameTheWordOrProperty) {
  EXPECT_EQ(rejection(""), "the Configuration is empty: name a packaging format such as 'HLS'");
  EXPECT_NE(rejection("HLS, Flash").find("'Flash' is not a packaging format"), std::string::npos);
  EXPECT_NE(rejection("H264 Multiple Bitrate 720p")
                .find("'H264 Multiple Bitrate 720p' is not a packaging format"),
            std::string::npos);
  EXPECT_NE(rejection("HLS; segment_duration=abc")
                .find("segment_duration: 'abc' is not a number of seconds"),
            std::string::npos);
  EXPECT_NE(rejection("HLS; segment_duration=-2").find("segment_duration: '-2'"),
            std::string::npos);
  EXPECT_NE(rejection("HLS; segment_duration=0.001")
                .find("segment_duration: '0.001' is not a number of seconds from 0.5 to 60"),
            std::string::npos);
  EXPECT_NE(rejection("HLS; segment=4").find("'segment=4' is not an option"), std::string::npos);
  EXPECT_NE(
      rejection("HLS; manifest_name=../x").find("manifest_name: '../x' is not a plain file name"),
      std::string::npos);
  EXPECT_NE(rejection("<taskDefinition><name>").find("not well-formed XML"), std::string::npos);
  EXPECT_NE(rejection("<preset/>").find("the root element is <preset>"), std::string::npos);
  EXPECT_NE(
      rejection(smooth_to_hls(R"(<property name="encrypt" value="true" />)"))
          .find(
              "property 'encrypt' of 'Smooth Streams to Apple HTTP Live Streams': static AES-128"),
      std::string::npos);
  EXPECT_NE(rejection(smooth_to_hls(R"(<property name="bitrate" value="1" />)"))
                .find("property 'bitrate' of 'Smooth Streams to Apple HTTP Live Streams': unknown "
                      "property"),
            std::string::npos);
  EXPECT_NE(rejection(smooth_to_hls(R"(<property name="maxbitrate" value="1.6M" />)"))
                .find("property 'maxbitrate' of 'Smooth Streams to Apple HTTP Live Streams': "
                      "'1.6M' is not a positive "
                      "whole number"),
            std::string::npos);
  // The PlayReady protection definition ran on another processor in AMS: not this one.
  EXPECT_NE(
      rejection(
          R"(<taskDefinition xmlns="http://schemas.microsoft.com/iis/media/v4/TM/TaskDefinition#"><name>PlayReady Protection</name><properties namespace="http://schemas.microsoft.com/iis/media/v4/SharedData#" prefix="sd"/></taskDefinition>)")
          .find("task definition 'PlayReady Protection' (properties namespace "
                "'http://schemas.microsoft.com/iis/media/v4/SharedData#') is not supported"),
      std::string::npos);
}

AssetFile file(const std::string& name, const std::string& mime = "") {
  AssetFile f;
  f.name = name;
  f.mime_type = mime;
  return f;
}

TEST(PackageTask, TakesTheMp4FilesByNameAndLeavesMetadataAndManifestsOut) {
  const auto inputs = package_input_files(
      {file("clip_manifest.xml", "application/xml"), file("b_640x360_800.mp4", "video/mp4"),
       file("a_320x180_300.mp4", "video/mp4"), file("clip.ism", "application/vnd.ms-sstr+xml"),
       file("uploaded.MP4"), file("audio.isma", "audio/mp4"), file("thumb.jpg"),
       file("guid_metadata.xml", "application/xml")});
  std::vector<std::string> names;
  for (const auto& f : inputs) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a_320x180_300.mp4", "audio.isma", "b_640x360_800.mp4",
                                             "uploaded.MP4"}));
}

// An encode's HLS/DASH output (CMAF: STEM_init.mp4, STEM_00001.m4s, video/mp4) chained into a
// packaging task: its segments once became the packager's inputs, and the task failed with
// "STEM_00001.m4s: not a readable media file". A CMAF package holds no MP4 to package.
TEST(PackageTask, CmafSegmentsAreNotInputs) {
  const auto inputs = package_input_files(
      {file("clip_180_init.mp4", "video/mp4"), file("clip_180_00001.m4s", "video/mp4"),
       file("clip_180_00002.m4s", "video/mp4"), file("clip_audio_init.mp4", "audio/mp4"),
       file("clip_audio_00001.m4s", "audio/mp4"),
       file("clip.m3u8", "application/vnd.apple.mpegurl"), file("clip_360.mp4", "video/mp4"),
       file("other_init.mp4", "video/mp4")});
  std::vector<std::string> names;
  for (const auto& f : inputs) names.push_back(f.name);
  // other_init.mp4 has no segments beside it: an MP4 of that name.
  EXPECT_EQ(names, (std::vector<std::string>{"clip_360.mp4", "other_init.mp4"}));
}

TEST(PackageTask, ManifestNameFollowsTheEncodeOrTheIsmOrTheCommonStem) {
  const PackagerConfiguration hls = parse_packager_configuration("HLS");
  const std::vector<AssetFile> set{file("movie_640x360_800.mp4"), file("movie_320x180_300.mp4")};
  auto with = [&](std::vector<AssetFile> extra) {
    extra.insert(extra.end(), set.begin(), set.end());
    return extra;
  };
  EXPECT_EQ(default_manifest_name(hls, with({file("clip_manifest.xml")}), set), "clip");
  EXPECT_EQ(default_manifest_name(hls, set, set), "movie");
  const auto smooth_to_hls_default = parse_packager_configuration(smooth_to_hls(""));
  EXPECT_EQ(default_manifest_name(smooth_to_hls_default,
                                  with({file("clip_manifest.xml"), file("clip.ism")}), set),
            "clip-m3u8-aapl");
  // One file: its media playlist would be the master's name.
  const std::vector<AssetFile> one{file("movie.mp4")};
  EXPECT_EQ(default_manifest_name(hls, one, one), "movie_master");
  EXPECT_EQ(default_manifest_name(parse_packager_configuration("Smooth Streaming"), one, one),
            "movie");
  EXPECT_EQ(default_manifest_name(parse_packager_configuration("HLS; manifest_name=x"), one, one),
            "x");
}

}  // namespace
}  // namespace mw::runtime
