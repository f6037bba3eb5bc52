// `mediaworker encode`, run as a user runs it: the real binary on real clips.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace mw::test {
namespace {

const std::string kBinary = MW_BINARY;
const std::string kMedia = MW_MEDIA_DIR;

TEST(EncodeCommand, BroadcastClipEncodesAndListsItsFiles) {
  TempDir dir;
  const auto out = dir.path() / "out";
  const ProcessResult r = run({kBinary, "encode", "--preset", "H.264 HD 720p VBR", "-o", out.string(),
                               kMedia + "/bbb-1080p24-mpeg2-mp2.ts"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("output: " + out.string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bbb-1080p24-mpeg2-mp2_1280x720_4500.mp4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("H.264 High 1280x720 24 fps"), std::string::npos) << r.out;
  EXPECT_EQ(TempDir::list(out), (std::vector<std::string>{"bbb-1080p24-mpeg2-mp2_1280x720_4500.mp4",
                                                           "bbb-1080p24-mpeg2-mp2_manifest.xml",
                                                           "bbb-1080p24-mpeg2-mp2_metadata.xml"}));
  // Not a terminal: plain percentage lines, ending at 100 %.
  EXPECT_NE(r.err.find("encoding 100%"), std::string::npos) << r.err;
}

TEST(EncodeCommand, TruncatedClipFailsWithOneClearLineAndNoFiles) {
  TempDir dir;
  const auto out = dir.path() / "out";
  // The smallest video preset: the demuxer fails after 10 s of pictures whatever the preset.
  const ProcessResult r = run({kBinary, "encode", "--preset", "H264 Single Bitrate Low Quality SD for Android", "-o",
                               out.string(), kMedia + "/truncated-mdat-640x360-h264-aac.mp4"});
  EXPECT_EQ(r.exit_code, 1);
  const std::string line = r.last_error_line();
  EXPECT_NE(line.find("truncated-mdat-640x360-h264-aac.mp4: stream 0: input ended early at 10."), std::string::npos)
      << line;
  EXPECT_NE(line.find("of 17.06 s"), std::string::npos) << line;
  EXPECT_TRUE(TempDir::list(out).empty());
}

TEST(EncodeCommand, ZeroByteAndTextFilesFailClearly) {
  TempDir dir;
  const auto empty = dir.path() / "empty.mp4";
  const auto text = dir.path() / "notes.mp4";
  std::ofstream(empty).close();
  std::ofstream(text) << "This is a meeting note, not a movie.\n";
  const auto out = dir.path() / "out";
  const ProcessResult a = run({kBinary, "encode", "-p", "H.264 HD 720p VBR", "-o", out.string(), empty.string()});
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.last_error_line(), "mediaworker: error: " + empty.string() + ": the file is empty (0 bytes)");
  const ProcessResult b = run({kBinary, "encode", "-p", "H.264 HD 720p VBR", "-o", out.string(), text.string()});
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.last_error_line().find(text.string() + ": not a readable media file: Invalid data found"),
            std::string::npos)
      << b.last_error_line();
  EXPECT_TRUE(TempDir::list(out).empty());
}

TEST(EncodeCommand, UnknownPresetSuggestsTheClosestName) {
  TempDir dir;
  const ProcessResult r = run({kBinary, "encode", "-p", "H264 Single Bitrate 720", "-o", (dir.path() / "o").string(),
                               kMedia + "/bbb-1080p24-mpeg2-mp2.ts"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.last_error_line().find("unknown preset 'H264 Single Bitrate 720'"), std::string::npos) << r.err;
  EXPECT_NE(r.last_error_line().find("H264 Single Bitrate 720p"), std::string::npos) << r.err;
}

TEST(EncodeCommand, InterruptStopsTheEncodeAndLeavesNothing) {
  TempDir dir;
  const auto out = dir.path() / "out";
  // The 6-minute clip; SIGINT once the first progress line appears.
  const ProcessResult r = run_and_signal({kBinary, "encode", "-p", "H.264 HD 720p VBR", "-o", out.string(),
                                          kMedia + "/long-1080p60-av1-aac-6min.mp4"},
                                         "encoding 0%", SIGINT);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.last_error_line().find("encode canceled"), std::string::npos) << r.err;
  EXPECT_TRUE(TempDir::list(out).empty());
}

// issue 5 "Bad input": a thumbnail time beyond the input fails naming the field and the
// input's duration, and the output folder stays empty.
TEST(EncodeCommand, ThumbnailBeyondTheInputFailsWithOneClearLineAndNoFiles) {
  TempDir dir;
  const auto preset = dir.path() / "late.yaml";
  std::ofstream(preset) << "name: Late Thumbnail\n"
                           "images:\n"
                           "  - format: jpg\n"
                           "    start: \"00:10:00\"\n"
                           "    layers:\n"
                           "      - width: 160\n"
                           "outputs:\n"
                           "  - file_name: \"{Basename}_{Index}{Extension}\"\n"
                           "    format: jpg\n";
  const auto out = dir.path() / "out";
  const ProcessResult r =
      run({kBinary, "encode", "-p", preset.string(), "-o", out.string(), kMedia + "/vfr-640x360-h264-aac-17s.mp4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.last_error_line(), "mediaworker: error: " + kMedia +
                                     "/vfr-640x360-h264-aac-17s.mp4: JpgImage 1 Start 600.000 s is beyond the "
                                     "input's duration (17.063 s)");
  EXPECT_TRUE(TempDir::list(out).empty());
}

TEST(EncodeCommand, PresetFileFromAPresetDeveloper) {
  TempDir dir;
  const auto preset = dir.path() / "tiny.yaml";
  std::ofstream(preset) << "name: Tiny Proxy\n"
                           "video:\n"
                           "  layers:\n"
                           "    - { width: 320, height: 180, bitrate: 300 }\n"
                           "outputs:\n"
                           "  - file_name: \"{Basename}_proxy{Extension}\"\n";
  const auto out = dir.path() / "out";
  const ProcessResult r = run({kBinary, "encode", "-p", preset.string(), "--duration", "1", "-o", out.string(),
                               kMedia + "/screen-720p30-h264-aac-rotate180.mp4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("screen-720p30-h264-aac-rotate180_proxy.mp4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("320x180"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1.00 s"), std::string::npos) << r.out;  // --duration 1
}

// A preset developer's proxy: the VFR clip at its own size, so the report compares like with like.
std::filesystem::path write_proxy_preset(const TempDir& dir) {
  const auto preset = dir.path() / "proxy.yaml";
  std::ofstream(preset) << "name: Proxy 360p\n"
                           "video:\n"
                           "  layers:\n"
                           "    - { width: 640, height: 360, bitrate: 1000 }\n"
                           "audio:\n"
                           "  bitrate: 128\n"
                           "outputs:\n"
                           "  - file_name: \"{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}\"\n";
  return preset;
}

TEST(EncodeCommand, JsonReportGivesQualityAndBitrateOfEachLayer) {
  TempDir dir;
  const auto out = dir.path() / "out";
  const ProcessResult r = run({kBinary, "encode", "--report=json", "-p", write_proxy_preset(dir).string(), "--duration",
                               "6", "-o", out.string(), kMedia + "/vfr-640x360-h264-aac-17s.mp4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // stdout is the JSON document only
  ASSERT_EQ(j["video"].size(), 1u) << r.out;
  const auto& v = j["video"][0];
  EXPECT_EQ(v["file"], "vfr-640x360-h264-aac-17s_640x360_1000.mp4");
  EXPECT_EQ(v["width"], 640);
  EXPECT_EQ(v["target_kbps"], 1000);
  EXPECT_GT(v["psnr_y_db"].get<double>(), 30.0) << v;
  EXPECT_GT(v["psnr_avg_db"].get<double>(), 30.0) << v;
  EXPECT_GT(v["ssim"].get<double>(), 0.9) << v;
  EXPECT_LE(v["ssim"].get<double>(), 1.0) << v;
  // x264's ABR over 6 s with a 5 s VBV buffer lands within about 25 % of the target.
  EXPECT_NEAR(v["bitrate_percent"].get<double>(), 100.0, 25.0) << v;
  EXPECT_EQ(v["frames_compared"], v["frames"]);
  EXPECT_GT(v["encode_fps"].get<double>(), 0.0);
  EXPECT_EQ(j["audio"]["target_kbps"], 128);
  EXPECT_NEAR(j["audio"]["bitrate_percent"].get<double>(), 100.0, 10.0) << j["audio"];
  EXPECT_EQ(j["files"].size(), 3u);
}

TEST(EncodeCommand, ReportTableFollowsTheFileList) {
  TempDir dir;
  const auto out = dir.path() / "out";
  const ProcessResult r = run({kBinary, "encode", "--report", "-p", write_proxy_preset(dir).string(), "--duration",
                               "2", "-o", out.string(), kMedia + "/vfr-640x360-h264-aac-17s.mp4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t header = r.out.find("layer        size    picture    kbps / target % target    PSNR Y PSNR avg    SSIM  enc fps");
  ASSERT_NE(header, std::string::npos) << r.out;
  EXPECT_GT(header, r.out.find("vfr-640x360-h264-aac-17s_640x360_1000.mp4"));
  EXPECT_NE(r.out.find("\n0         640x360    640x360 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\naudio "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" / 128 kbps"), std::string::npos) << r.out;
}

TEST(EncodeCommand, UnknownReportFormatIsAUsageError) {
  TempDir dir;
  const ProcessResult r = run({kBinary, "encode", "--report=xml", "-p", "H.264 HD 720p VBR", "-o",
                               (dir.path() / "o").string(), kMedia + "/bbb-1080p24-mpeg2-mp2.ts"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--report: xml not in {table,json}"), std::string::npos) << r.err;
}

TEST(EncodeCommand, StartAndDurationMustBeFiniteSeconds) {
  // "--duration nan" once encoded the whole input; "-1" printed a 309-digit bound.
  TempDir dir;
  for (const auto& [option, value] : std::vector<std::pair<std::string, std::string>>{
           {"--duration", "nan"}, {"--duration", "-1"}, {"--start", "inf"}, {"--start", "5s"}}) {
    SCOPED_TRACE(option + " " + value);
    const ProcessResult r = run({kBinary, "encode", option, value, "-p", "H.264 HD 720p VBR", "-o",
                                 (dir.path() / "o").string(), kMedia + "/bbb-1080p24-mpeg2-mp2.ts"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(option + ": '" + value + "'"), std::string::npos) << r.err;
    EXPECT_LT(r.err.size(), 200u) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "o"));
  }
}

}  // namespace
}  // namespace mw::test
