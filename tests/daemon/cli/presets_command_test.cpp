// `mediaworker presets list|show|explain`.

#include <gtest/gtest.h>

#include "tests/support/process.hpp"

namespace mw::test {
namespace {

const std::string kBinary = MW_BINARY;
const std::string kMedia = MW_MEDIA_DIR;

TEST(PresetsCommand, ListShowsTheJobPagePresetWithItsLadder) {
  const ProcessResult r = run({kBinary, "presets", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("H.264 HD 720p VBR"), std::string::npos);
  EXPECT_NE(r.out.find("H.264 1280x720 @4500 kbps; AAC-LC 2 ch 48000 Hz 128 kbps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("AAC Good Quality Audio"), std::string::npos);
}

TEST(PresetsCommand, ShowGivesVbvSettings) {
  const ProcessResult r = run({kBinary, "presets", "show", "h264 hd 720p vbr"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1280x720  4500 kbps (VBV maxrate 6750 kbps, buffer 33750 kbit)"), std::string::npos) << r.out;
}

TEST(PresetsCommand, ExplainGivesTheEquivalentFfmpegCommand) {
  const ProcessResult r = run({kBinary, "presets", "explain", "H.264 HD 720p VBR",
                               kMedia + "/phone-portrait-4k60-h264-rotate90.mp4", "--ffmpeg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ffmpeg ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("transpose=clock"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-b:v 4500k -maxrate 6750k -bufsize 33750k"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace mw::test
