// `mediaworker package`, run as a user runs it: an MP4 ladder encoded by `mediaworker encode`,
// then packaged without re-encoding.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "tests/support/process.hpp"

namespace mw::test {
namespace {

const std::string kBinary = MW_BINARY;
const std::string kMedia = MW_MEDIA_DIR;

// A two-layer GOP-aligned ladder (2 s GOP) and its audio, as separate MP4s, 4 s of the VFR clip.
class PackageCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const auto preset = dir_->path() / "ladder.yaml";
    std::ofstream(preset) << R"(name: Two layers
video:
  keyframe_interval: 2
  layers:
    - {width: 640, height: 360, bitrate: 700, max_bitrate: 700, buffer_window: 2}
    - {width: 320, height: 180, bitrate: 250, max_bitrate: 250, buffer_window: 2}
audio: {profile: aac_lc, channels: 2, sampling_rate: 48000, bitrate: 96}
outputs:
  - {file_name: "clip_{Width}x{Height}{Extension}", streams: video_only}
  - {file_name: "clip_AAC_{AudioBitrate}{Extension}", streams: audio_only}
)";
    const ProcessResult r = run({kBinary, "encode", "-p", preset.string(), "-o", (dir_->path() / "mp4").string(),
                                 "--duration", "4", kMedia + "/vfr-640x360-h264-aac-17s.mp4"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::vector<std::string> inputs() {
    return {(dir_->path() / "mp4" / "clip_640x360.mp4").string(), (dir_->path() / "mp4" / "clip_320x180.mp4").string(),
            (dir_->path() / "mp4" / "clip_AAC_96.mp4").string()};
  }
  static std::vector<std::string> command(std::vector<std::string> options) {
    std::vector<std::string> argv = {kBinary, "package"};
    argv.insert(argv.end(), options.begin(), options.end());
    for (const auto& in : inputs()) argv.push_back(in);
    return argv;
  }
  static TempDir* dir_;
};
TempDir* PackageCommand::dir_ = nullptr;

TEST_F(PackageCommand, HlsAndDashFromTheLadderNamedAfterTheInputsCommonPrefix) {
  const auto out = dir_->path() / "cmaf";
  const ProcessResult r = run(command({"-f", "cmaf", "-o", out.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(2 segments of 2.000 s per rendition)"), std::string::npos) << r.out;
  const auto files = TempDir::list(out);
  for (const char* name : {"clip.m3u8", "clip.mpd", "clip_640x360.m3u8", "clip_640x360_init.mp4", "clip_640x360_00001.m4s",
                           "clip_640x360_00002.m4s", "clip_320x180_00002.m4s", "clip_AAC_96_00002.m4s"})
    EXPECT_NE(std::find(files.begin(), files.end(), name), files.end()) << name;
  EXPECT_EQ(files.size(), 2u + 3 * (1 + 1 + 2)) << "master, MPD, and per rendition a playlist, an init and 2 segments";
}

TEST_F(PackageCommand, SegmentsThatAreNotWholeGopsAreRefused) {
  const auto out = dir_->path() / "three";
  const ProcessResult r = run(command({"-f", "hls", "--segment-duration", "3", "-o", out.string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.last_error_line().find("segment_duration 3.000 s is not a multiple of the video's keyframe interval "
                                     "(2.000 s in clip_640x360.mp4)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(TempDir::list(out).empty());
}

TEST_F(PackageCommand, AManifestNamedLikeARenditionIsRefusedAndWritesNothing) {
  const auto out = dir_->path() / "clash";
  const ProcessResult r = run(command({"-f", "hls", "-n", "clip_AAC_96", "-o", out.string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.last_error_line().find("the package would write two files named 'clip_AAC_96.m3u8'"), std::string::npos)
      << r.err;
  EXPECT_TRUE(TempDir::list(out).empty());
}

// A manifest name as long as a file name allows (NAME.ismc: 5 more characters, 255 in all): the
// staging folder's own name stays short enough.
TEST_F(PackageCommand, ALongManifestNameIsStagedAndWritten) {
  const auto out = dir_->path() / "long";
  const std::string name(245, 'm');
  const ProcessResult r = run(command({"-f", "smooth", "-n", name, "-o", out.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = TempDir::list(out);
  EXPECT_NE(std::find(files.begin(), files.end(), name + ".ismc"), files.end());
  EXPECT_EQ(files.size(), 2u + 3) << "the .ism, the .ismc, two .ismv and one .isma, no staging folder";
}

// "x/../../victim" once staged the package in OUTPUT/.mw-package-x/../../victim and removed that
// folder at the end, with what it held; "../evil" wrote evil.m3u8 beside the output folder.
TEST_F(PackageCommand, AManifestNameWithAFolderIsRefusedAndTouchesNothingOutsideTheOutput) {
  const auto victim = dir_->path() / "victim";
  std::filesystem::create_directories(victim);
  std::ofstream(victim / "keep.txt") << "precious";
  for (const std::string name : {"x/../../victim", "../victim"}) {
    SCOPED_TRACE(name);
    const auto out = dir_->path() / "folders";
    for (int run_twice = 0; run_twice < 2;
         ++run_twice) {  // the second run once found .mw-package-x
      const ProcessResult r = run(command({"-f", "hls", "-n", name, "-o", out.string()}));
      EXPECT_EQ(r.exit_code, 1);
      EXPECT_NE(r.last_error_line().find("manifest name '" + name + "' is not a plain file name"),
                std::string::npos)
          << r.err;
    }
    EXPECT_TRUE(TempDir::list(out).empty());
    EXPECT_EQ(TempDir::list(victim), std::vector<std::string>{"keep.txt"});
    EXPECT_FALSE(std::filesystem::exists(dir_->path() / "victim.m3u8"));
  }
}

// An audio-only package has a segment every segment_duration: 1e-9 s once asked for ten billion
// segments (std::bad_alloc, abort).
TEST_F(PackageCommand, ATinySegmentDurationOnAudioIsRefused) {
  const auto out = dir_->path() / "tiny";
  const ProcessResult r = run({kBinary, "package", "-f", "hls", "--segment-duration", "1e-9", "-o",
                               out.string(), (dir_->path() / "mp4" / "clip_AAC_96.mp4").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.last_error_line().find("segment_duration 1e-09 s is out of range: allowed 0.5..60 s"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(TempDir::list(out).empty());
}

// A file name is a relative URI in the playlists and the MPD: its ' ', '#', '?', '%' and '$'
// are percent-encoded (RFC 3986), or a player fetches "my clip" for "my clip #1?_00001.m4s" and
// reads "$1..." as a DASH template identifier.
TEST_F(PackageCommand, FileNamesWithUriCharactersArePercentEncodedInTheManifests) {
  const auto in = dir_->path() / "uri";
  std::filesystem::create_directories(in);
  const std::string stem = "my clip #1?50%$x";
  std::filesystem::copy_file(inputs()[0], in / (stem + ".mp4"),
                             std::filesystem::copy_options::overwrite_existing);
  const auto out = dir_->path() / "uri-out";
  const ProcessResult r = run({kBinary, "package", "-f", "cmaf", "-n", "master", "-o", out.string(),
                               (in / (stem + ".mp4")).string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string encoded = "my%20clip%20%231%3F50%25%24x";
  auto read = [&](const std::string& name) {
    std::ifstream f(out / name);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  ASSERT_TRUE(std::filesystem::exists(out / (stem + "_00001.m4s")));
  const std::string media = read(stem + ".m3u8");
  EXPECT_NE(media.find("#EXT-X-MAP:URI=\"" + encoded + "_init.mp4\""), std::string::npos) << media;
  EXPECT_NE(media.find("\n" + encoded + "_00001.m4s\n"), std::string::npos) << media;
  const std::string master = read("master.m3u8");
  EXPECT_NE(master.find("\n" + encoded + ".m3u8\n"), std::string::npos) << master;
  const std::string mpd = read("master.mpd");
  EXPECT_NE(mpd.find("media=\"" + encoded + "_$Number%05d$.m4s\""), std::string::npos) << mpd;
  EXPECT_NE(mpd.find("initialization=\"" + encoded + "_init.mp4\""), std::string::npos) << mpd;
  EXPECT_NE(mpd.find("id=\"my_clip_#1?50%$x\""), std::string::npos)
      << "no whitespace in a Representation@id\n"
      << mpd;
}

// The clip's moov declares 17.06 s but its mdat stops at 1.8 MB: the packager once packaged the
// 10 s that are there (exit 0, a truncated last AAC frame) where the encoder says "input ended
// early".
TEST_F(PackageCommand, AFileCutShortIsRefusedNamingTheFileAndStream) {
  const auto out = dir_->path() / "cut";
  const std::string clip = kMedia + "/truncated-mdat-640x360-h264-aac.mp4";
  const ProcessResult r = run({kBinary, "package", "-f", "hls", "-o", out.string(), clip});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.last_error_line().find(
                clip + ": stream 0: the file ends at 9.96 s of the 17.06 s its index declares"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(TempDir::list(out).empty());
}

// The phone clip is coded 3840x2160 with a display matrix turning it a quarter turn. The
// packaged tracks once lost the matrix (the package played sideways) and the manifests gave the
// coded size.
TEST_F(PackageCommand, APortraitPhoneClipStaysPortrait) {
  const auto out = dir_->path() / "portrait";
  const ProcessResult r = run({kBinary, "package", "-f", "cmaf,smooth", "-n", "master", "-o",
                               out.string(), kMedia + "/phone-portrait-4k60-h264-rotate90.mp4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto read = [&](const std::string& name) {
    std::ifstream f(out / name);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  EXPECT_NE(read("master.m3u8").find(",RESOLUTION=2160x3840,"), std::string::npos)
      << read("master.m3u8");
  EXPECT_NE(read("master.mpd").find("width=\"2160\" height=\"3840\""), std::string::npos)
      << read("master.mpd");
  // [MS-SSTR]: MaxWidth/MaxHeight are the coded samples' size, DisplayWidth/DisplayHeight the shown
  // one.
  EXPECT_NE(
      read("master.ismc")
          .find(
              "MaxWidth=\"3840\" MaxHeight=\"2160\" DisplayWidth=\"2160\" DisplayHeight=\"3840\""),
      std::string::npos)
      << read("master.ismc");
  for (const char* file :
       {"phone-portrait-4k60-h264-rotate90_init.mp4", "phone-portrait-4k60-h264-rotate90.ismv"}) {
    const ProcessResult probe = run({kBinary, "probe", (out / file).string()});
    ASSERT_EQ(probe.exit_code, 0) << probe.err;
    EXPECT_NE(probe.out.find("<Metadata key=\"rotation\" value=\"90\" />"), std::string::npos)
        << file << "\n"
        << probe.out;
  }
}

// "-f hls a.mp4 b.mp4" once read a.mp4 and b.mp4 as formats ("--format: 'a.mp4' is not one of
// ..."): a -f takes one value, commas or repeats give more.
TEST_F(PackageCommand, FormatsBeforeTheInputsTakeOneValueEach) {
  const auto out = dir_->path() / "formats-first";
  std::vector<std::string> argv = {kBinary, "package",  "-o", out.string(),
                                   "-f",    "hls,dash", "-f", "smooth"};
  for (const auto& in : inputs()) argv.push_back(in);
  const ProcessResult r = run(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = TempDir::list(out);
  for (const char* name : {"clip.m3u8", "clip.mpd", "clip.ism", "clip.ismc", "clip_640x360.ismv"})
    EXPECT_NE(std::find(files.begin(), files.end(), name), files.end()) << name;
}

TEST_F(PackageCommand, UnknownFormatIsAUsageError) {
  const ProcessResult r = run(command({"-f", "flv", "-o", (dir_->path() / "flv").string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.last_error_line(), "mediaworker: error: --format: 'flv' is not one of smooth, hls, dash, cmaf, ts");
}

}  // namespace
}  // namespace mw::test
