// `mediaworker presets list|show|validate|explain`.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;

const std::string kBinary = MW_BINARY;
const std::string kMedia = MW_MEDIA_DIR;
const std::string kSource = MW_SOURCE_DIR;

std::filesystem::path write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
  return file;
}

constexpr const char* kGood = R"(name: Good
video:
  layers:
    - {width: 640, height: 360, bitrate: 1000}
audio:
  bitrate: 96
outputs:
  - file_name: "{Basename}_{Width}x{Height}{Extension}"
)";

// The error is on line 6.
constexpr const char* kBad = R"(name: Bad
video:
  layers:
    - width: 640
      height: 360
      bitrate: -5
outputs:
  - file_name: "{Basename}{Extension}"
)";

// A ladder whose top layer is above a 1080x720 source.
constexpr const char* kLadder = R"(name: Test Ladder
video:
  layers:
    - {width: 1920, height: 1080, bitrate: 6000}
    - {width: 1280, height: 720, bitrate: 3400}
    - {width: 640, height: 360, bitrate: 1000}
audio:
  bitrate: 128
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"
)";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PresetsCommand, ListShowsTheJobPagePresetWithItsLadder) {
  const ProcessResult r = run({kBinary, "presets", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("H.264 HD 720p VBR"), std::string::npos);
  EXPECT_NE(r.out.find("H.264 1280x720 @4500 kbps; AAC-LC 2 ch 48000 Hz 128 kbps"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("AAC Good Quality Audio"), std::string::npos);
}

TEST(PresetsCommand, ShowGivesVbvSettings) {
  const ProcessResult r = run({kBinary, "presets", "show", "h264 hd 720p vbr"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1280x720  4500 kbps (VBV maxrate 6750 kbps, buffer 33750 kbit)"),
            std::string::npos)
      << r.out;
}

TEST(PresetsCommand, ExplainGivesTheEquivalentFfmpegCommand) {
  const ProcessResult r = run({kBinary, "presets", "explain", "H.264 HD 720p VBR",
                               kMedia + "/phone-portrait-4k60-h264-rotate90.mp4", "--ffmpeg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ffmpeg ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("transpose=clock"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-b:v 4500k -maxrate 6750k -bufsize 33750k"), std::string::npos) << r.out;
}

TEST(PresetsValidate, EverySystemPresetIsValid) {
  const ProcessResult r = run({kBinary, "presets", "validate", kSource + "/presets/library"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(contains(r.out,
                       "/presets/library/h264-hd-720p-vbr.yaml: ok (H.264 HD 720p VBR, 1 layer, "
                       "H.264 1280x720 @4500 kbps;"))
      << r.out;
  EXPECT_TRUE(contains(
      r.out,
      "/presets/library/aac-good-quality-audio.yaml: ok (AAC Good Quality Audio, audio only,"))
      << r.out;
  // An image-only preset once read "audio only, )".
  EXPECT_TRUE(contains(r.out, "/presets/library/thumbnails.yaml: ok (Thumbnails, thumbnails only, "
                              "JPEG thumbnails, 1 size)\n"))
      << r.out;
}

TEST(PresetsValidate, BrokenFileIsNamedWithLineAndKeyAndTheExitCodeIsOne) {
  TempDir dir;
  const auto good = write(dir.path() / "good.yaml", kGood);
  const auto bad = write(dir.path() / "bad.yaml", kBad);
  write(dir.path() / "notes.txt", "not a preset");  // not a preset file name: skipped

  const ProcessResult folder = run({kBinary, "presets", "validate", dir.path().string()});
  EXPECT_EQ(folder.exit_code, 1);
  EXPECT_EQ(folder.out,
            good.string() +
                ": ok (Good, 1 layer, H.264 640x360 @1000 kbps; AAC-LC 2 ch 48000 Hz 96 kbps)\n");
  EXPECT_EQ(folder.err,
            bad.string() +
                ":6: video.layers[0].bitrate: -5 kbps is out of range; allowed 1..200000 kbps\n");

  const ProcessResult files = run({kBinary, "presets", "validate", good.string()});
  EXPECT_EQ(files.exit_code, 0) << files.err;
  const ProcessResult both = run({kBinary, "presets", "validate", good.string(), bad.string()});
  EXPECT_EQ(both.exit_code, 1);
}

TEST(PresetsValidate, TwoFilesOfAFolderAnsweringToOneNameAreInvalid) {
  TempDir dir;
  write(dir.path() / "a.yaml", kGood);
  const auto copy = write(dir.path() / "b.yml", kGood);
  const ProcessResult r = run({kBinary, "presets", "validate", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, copy.string() + ": name: preset 'Good' and preset 'Good' of"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "names and aliases must be unique within a folder")) << r.err;
}

TEST(PresetsValidate, MissingPathIsAUsageError) {
  TempDir dir;
  const auto good = write(dir.path() / "good.yaml", kGood);
  const ProcessResult r =
      run({kBinary, "presets", "validate", good.string(), (dir.path() / "nope.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.last_error_line(), "mediaworker: error: " + (dir.path() / "nope.yaml").string() +
                                     ": no such preset file or folder");
  EXPECT_EQ(run({kBinary, "presets", "validate"}).exit_code, 2);
}

TEST(PresetsExplain, PresetFileShowsLayersDroppedLayerEncoderAudioAndFiles) {
  TempDir dir;
  const auto ladder = write(dir.path() / "ladder.yaml", kLadder);
  const ProcessResult r = run({kBinary, "presets", "explain", ladder.string(),
                               kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4", "-o", "/out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "preset: Test Ladder (" + ladder.string() + ")")) << r.out;
  EXPECT_TRUE(contains(r.out, "video: stream 0, 2 of 3 layer(s) encoded")) << r.out;
  // The 1280x720 box fits the 3:2 picture at 1080x720; GOP 2 s at 29.97 fps.
  EXPECT_TRUE(contains(
      r.out,
      "layer 0: 1080x720 29.970 fps, 3400 kbps (VBV maxrate 3400 kbps, bufsize 17000 kbit), "
      "profile high, GOP 60 frames (fixed, aligned across layers)"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "layer 1: 540x360 29.970 fps, 1000 kbps")) << r.out;
  EXPECT_TRUE(contains(
      r.out,
      "libx264 -preset medium -profile:v high -b:v 3400k -maxrate 3400k -bufsize 17000k -bf 3 "
      "-refs 3 -x264-params keyint=60:min-keyint=60:scenecut=0"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "filter graph: [in]split=2[s0][s1];[s0]scale=w=1080:h=720")) << r.out;
  EXPECT_TRUE(contains(r.out, "audio: stream 1: AAC (aac_low) 2 ch (stereo) 48000 Hz 128 kbps"))
      << r.out;
  EXPECT_TRUE(contains(
      r.out, "output: clip-1080x720-h264-aac-mono-1s_1080x720_3400.mp4 (video layer 0 + audio)"))
      << r.out;
  EXPECT_TRUE(contains(
      r.out, "output: clip-1080x720-h264-aac-mono-1s_540x360_1000.mp4 (video layer 1 + audio)"))
      << r.out;
  EXPECT_TRUE(contains(
      r.out,
      "note: layer 0 (1920x1080 at 6000 kbps) dropped: it is larger than the source's 1080x720 "
      "picture and the preset does not upscale"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "ffmpeg equivalent:\n  ffmpeg -hide_banner -y -noautorotate -i "))
      << r.out;
  // One graph output is mapped once: the audio is split for the two files.
  EXPECT_TRUE(contains(r.out, "[a0]asplit=2[a0_0][a0_1]")) << r.out;
}

TEST(PresetsExplain, ReadsThePresetFromStdin) {
  TempDir dir;
  const auto podcast = write(dir.path() / "podcast.txt",
                             "name: Podcast\naudio:\n  channels: 1\n  bitrate: 64\noutputs:\n"
                             "  - file_name: \"{Basename}_{AudioBitrate}{Extension}\"\n");
  const ProcessResult r = run({"/bin/sh", "-c",
                               "exec '" + kBinary + "' presets explain - '" + kMedia +
                                   "/speech-audio-only.flac' < '" + podcast.string() + "'"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "preset: Podcast (inline)")) << r.out;
  EXPECT_TRUE(contains(r.out, "AAC (aac_low) 1 ch (mono) 48000 Hz 64 kbps")) << r.out;
  EXPECT_TRUE(contains(r.out, "output: speech-audio-only_64.mp4 (audio)")) << r.out;

  const ProcessResult bad =
      run({"/bin/sh", "-c",
           "echo 'name: X\naudio:\n  bitrate: 0\noutputs: []' | '" + kBinary +
               "' presets explain - '" + kMedia + "/speech-audio-only.flac'"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.last_error_line(), "inline:")) << bad.err;
}

// The command `presets explain --ffmpeg` prints, run by the system ffmpeg, makes what
// `mediaworker encode` makes of the same excerpt.
struct Excerpt {
  std::string label;
  std::string preset;  ///< a library name, or YAML written to a file
  std::string clip;
  std::vector<std::string> range;  ///< --start/--duration
};

void PrintTo(const Excerpt& e, std::ostream* os) {
  *os << e.label;
}

class ExplainedFfmpegCommand : public ::testing::TestWithParam<Excerpt> {};

// ffprobe's streams of an MP4: codec_type, width, height, profile, nb_frames, bit_rate.
json streams_of(const std::filesystem::path& file) {
  const ProcessResult r = run({"/usr/bin/env", "ffprobe", "-v", "error", "-show_entries",
                               "stream=codec_type,width,height,profile,nb_frames,bit_rate", "-of",
                               "json", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out.empty() ? "{}" : r.out).value("streams", json::array());
}

// The average PSNR (dB) of the first video stream of `a` against that of `b`, by ffmpeg's psnr
// filter; -1 when it cannot be measured. Two encodes of one picture score well above 35 dB, a
// picture turned or mirrored differently far below.
double video_psnr(const std::filesystem::path& a, const std::filesystem::path& b) {
  // Frames paired in order (the files' first timestamps may differ by a tick).
  const ProcessResult r =
      run({"/usr/bin/env", "ffmpeg", "-hide_banner", "-nostats", "-i", a.string(), "-i", b.string(),
           "-lavfi", "[0:v]setpts=PTS-STARTPTS[a];[1:v]setpts=PTS-STARTPTS[b];[a][b]psnr", "-f",
           "null", "-"});
  const size_t at = r.err.find("average:");
  if (r.exit_code != 0 || at == std::string::npos) return -1;
  return std::stod(r.err.substr(at + 8));
}

std::vector<std::string> mp4_files(const std::filesystem::path& dir) {
  std::vector<std::string> names = TempDir::list(dir);
  std::erase_if(
      names, [](const std::string& n) { return std::filesystem::path(n).extension() != ".mp4"; });
  return names;
}

TEST_P(ExplainedFfmpegCommand, MakesTheSameStreamsAsEncode) {
  const Excerpt& e = GetParam();
  TempDir dir;
  std::string preset = e.preset;
  if (preset.find('\n') != std::string::npos)
    preset = write(dir.path() / "preset.yaml", preset).string();
  const std::string clip = kMedia + "/" + e.clip;
  const auto by_ffmpeg = dir.path() / "ffmpeg", by_mediaworker = dir.path() / "mediaworker";
  std::filesystem::create_directories(by_ffmpeg);

  std::vector<std::string> explain{kBinary, "presets",  "explain", preset,
                                   clip,    "--ffmpeg", "-o",      by_ffmpeg.string()};
  explain.insert(explain.end(), e.range.begin(), e.range.end());
  const ProcessResult command = run(explain);
  ASSERT_EQ(command.exit_code, 0) << command.err;
  const ProcessResult ffmpeg = run({"/bin/sh", "-c", command.out});
  ASSERT_EQ(ffmpeg.exit_code, 0) << command.out << "\n" << ffmpeg.err;

  std::vector<std::string> encode{kBinary, "encode", "-p", preset, "-o", by_mediaworker.string(),
                                  clip};
  encode.insert(encode.end(), e.range.begin(), e.range.end());
  const ProcessResult encoded = run(encode);
  ASSERT_EQ(encoded.exit_code, 0) << encoded.err;

  const std::vector<std::string> files = mp4_files(by_mediaworker);
  ASSERT_FALSE(files.empty());
  ASSERT_EQ(mp4_files(by_ffmpeg), files) << command.out;
  for (const std::string& name : files) {
    const json theirs = streams_of(by_ffmpeg / name), ours = streams_of(by_mediaworker / name);
    ASSERT_EQ(theirs.size(), ours.size()) << name << "\n" << theirs.dump() << "\n" << ours.dump();
    for (size_t i = 0; i < ours.size(); ++i) {
      const json& t = theirs[i];
      const json& o = ours[i];
      SCOPED_TRACE(name + " stream " + std::to_string(i) + "\nffmpeg: " + t.dump() +
                   "\nmediaworker: " + o.dump());
      EXPECT_EQ(t.value("codec_type", ""), o.value("codec_type", ""));
      EXPECT_EQ(t.value("width", 0), o.value("width", 0));
      EXPECT_EQ(t.value("height", 0), o.value("height", 0));
      EXPECT_EQ(t.value("profile", ""), o.value("profile", ""));
      EXPECT_EQ(t.value("nb_frames", ""), o.value("nb_frames", ""));
      const double bitrate = std::stod(o.value("bit_rate", "0"));
      EXPECT_GT(bitrate, 0);
      EXPECT_NEAR(std::stod(t.value("bit_rate", "0")), bitrate, 0.10 * bitrate);
    }
    if (!ours.empty() && ours[0].value("codec_type", "") == "video") {
      EXPECT_GT(video_psnr(by_ffmpeg / name, by_mediaworker / name), 35.0)
          << name << ": not the same picture";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    TwoSecondExcerpts, ExplainedFfmpegCommand,
    ::testing::Values(
        // Two small layers from 1 s into the rotated screen capture: split video, split audio,
        // seek.
        Excerpt{
            "LadderFromOneSecondOfTheRotated180ScreenClip",
            "name: Small Ladder\nvideo:\n  layers:\n    - {width: 480, height: 270, bitrate: 600}\n"
            "    - {width: 320, height: 180, bitrate: 300}\n"
            "audio:\n  bitrate: 96\noutputs:\n  - file_name: "
            "\"{Basename}_{Width}x{Height}{Extension}\"\n",
            "screen-720p30-h264-aac-rotate180.mp4",
            {"--start", "1", "--duration", "2"}},
        // A rotate-90-and-mirror matrix: ffmpeg must not rotate the picture a second time (portrait
        // 720x1080).
        Excerpt{"JobPagePresetOnTheRotatedAndMirroredClip",
                "H.264 HD 720p VBR",
                "clip-1080x720-h264-rotate-and-mirror.mp4",
                {"--duration", "2"}},
        // Video only, so the graph has one input: the output must not carry the input's rotation.
        Excerpt{
            "VideoOnlyPresetOnTheRotated180ScreenClip",
            "name: Video Only\nvideo:\n  layers:\n    - {width: 320, height: 180, bitrate: 300}\n"
            "outputs:\n  - file_name: \"{Basename}_{Width}x{Height}{Extension}\"\n",
            "screen-720p30-h264-aac-rotate180.mp4",
            {"--duration", "2"}},
        // Variable frame rate from 3 s in: the same frames, same timestamps.
        Excerpt{"SingleBitrateSdOnTheVfrClip",
                "H264 Single Bitrate 16x9 SD",
                "vfr-640x360-h264-aac-17s.mp4",
                {"--start", "3", "--duration", "2"}}),
    [](const ::testing::TestParamInfo<Excerpt>& excerpt) { return excerpt.param.label; });

}  // namespace
}  // namespace mw::test
