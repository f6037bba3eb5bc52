// `mediaworker probe`: the input metadata a user sees, as XML and JSON.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace mw::test {
namespace {

const std::string kBinary = MW_BINARY;
const std::string kMedia = MW_MEDIA_DIR;

TEST(ProbeCommand, PhoneClipJsonShowsRotationAndFullRange) {
  const ProcessResult r = run({kBinary, "probe", "--json", kMedia + "/phone-portrait-4k60-h264-rotate90.mp4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& file = j["AssetFiles"][0];
  EXPECT_EQ(file["Name"], "phone-portrait-4k60-h264-rotate90.mp4");
  const auto& v = file["VideoTracks"][0];
  EXPECT_EQ(v["Width"], 3840);
  EXPECT_EQ(v["Height"], 2160);
  EXPECT_EQ(v["Rotation"], 90);
  EXPECT_EQ(v["Mirrored"], false);
  EXPECT_EQ(v["ColorRange"], "pc");
  EXPECT_EQ(file["AudioTracks"][0]["SamplingRate"], 48000);
}

TEST(ProbeCommand, XmlUsesTheAmsInputMetadataNamespace) {
  const ProcessResult r = run({kBinary, "probe", kMedia + "/clip-960x400-mpeg4-mp3.avi"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("xmlns=\"http://schemas.microsoft.com/windowsazure/mediaservices/2014/07/mediaencoder/inputmetadata\""),
            std::string::npos);
  EXPECT_NE(r.out.find("Width=\"960\" Height=\"400\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FrameRate=\"23.976\""), std::string::npos) << r.out;
}

TEST(ProbeCommand, MissingMoovIsOneClearLine) {
  const ProcessResult r = run({kBinary, "probe", kMedia + "/truncated-moov-missing-720p-h264.mp4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.last_error_line().find("moov atom not found"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mw::test
