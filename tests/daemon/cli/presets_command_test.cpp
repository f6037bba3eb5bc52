// `mediaworker presets list|show|validate|explain`.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
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
  EXPECT_TRUE(contains(r.out, "/presets/library/thumbnails.yaml: ok (Thumbnails, thumbnails only, thumbnails: "
                              "JPEG 300 px every 5 s)\n"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "/presets/library/vc1-broadband-720p.yaml: ok (VC1 Broadband 720p, not supported "
                              "(VC-1); use 'H264 Broadband 720p')\n"))
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
      "profile high level auto, GOP 60 frames (fixed, aligned across layers)"))
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

TEST(PresetsCommand, ListSummarisesThumbnailsUnsupportedAdaptiveAndHeAacPresetsInOneColumn) {
  const ProcessResult r = run({kBinary, "presets", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every summary starts in one column, after the longest name and two spaces.
  const std::string longest = "H264 Adaptive Bitrate MP4 Set SD 16x9 for iOS Cellular Only";
  const size_t column = longest.size() + 2;
  auto summary_of = [&](const std::string& name) {
    const size_t at = r.out.find("\n" + name + " ");
    if (at == std::string::npos) return std::string("(missing)");
    const size_t end = r.out.find('\n', at + 1);
    const std::string line = r.out.substr(at + 1, end - at - 1);
    return line.size() > column ? line.substr(column) : std::string("(short) ") + line;
  };
  EXPECT_EQ(summary_of("Thumbnails"), "thumbnails: JPEG 300 px every 5 s");
  EXPECT_EQ(summary_of("VC1 Broadband 720p"), "not supported (VC-1); use 'H264 Broadband 720p'");
  EXPECT_EQ(summary_of("WMA High Quality Audio"), "not supported (WMA); use 'AAC Good Quality Audio'");
  EXPECT_EQ(summary_of("Adaptive Streaming"), "H.264 ladder built from the input; AAC-LC 2 ch 48000 Hz 128 kbps");
  EXPECT_EQ(summary_of("H264 Single Bitrate Low Quality SD for Android"),
            "H.264 176x144 @56 kbps; HE-AAC v2 requested, encoded AAC-LC 2 ch 48000 Hz 24 kbps");
  EXPECT_EQ(summary_of(longest).substr(0, 6), "H.264 ");
}

TEST(PresetsCommand, ShowGivesAnUnsupportedPresetWithTheOneToUseInstead) {
  const ProcessResult r = run({kBinary, "presets", "show", "VC1 Broadband 720p"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "name: VC1 Broadband 720p\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "description: ")) << r.out;
  EXPECT_TRUE(contains(r.out, "source: ")) << r.out;
  EXPECT_TRUE(contains(r.out, "not supported: mediaworker does not encode VC-1 video or WMA audio")) << r.out;
  EXPECT_TRUE(contains(r.out, "; use 'H264 Broadband 720p' instead\n")) << r.out;
  // Resolving it for an encode is still refused.
  const ProcessResult explain = run({kBinary, "presets", "explain", "VC1 Broadband 720p",
                                     kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4"});
  EXPECT_EQ(explain.exit_code, 2);
}

TEST(PresetsCommand, ShowGivesThumbnailsAndTheirImageFormat) {
  const ProcessResult r = run({kBinary, "presets", "show", "Thumbnails"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "images: JPEG 300 px every 5 s\n  width 300 height auto  JPEG quality 90\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "output: {Basename}_{Index}{Extension} (jpg)\n")) << r.out;
  EXPECT_FALSE(contains(r.out, "(mp4)")) << r.out;
}

TEST(PresetsExplain, ThumbnailsPresetListsItsImagesAndNoBrokenCommand) {
  const ProcessResult r = run({kBinary, "presets", "explain", "Thumbnails",
                               kMedia + "/vfr-640x360-h264-aac-17s.mp4", "-o", "/out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "video: stream 0, thumbnails only (no H.264 layers)")) << r.out;
  EXPECT_TRUE(contains(r.out, "images: JpgImage (codec 0): 4 capture(s) at 0.000, 5.000, 10.000, 15.000 s"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "layer 0: 300x169, JPEG quality 90 (qscale 3): vfr-640x360-h264-aac-17s_000001.jpg .. "
                              "vfr-640x360-h264-aac-17s_000004.jpg"))
      << r.out;
  EXPECT_FALSE(contains(r.out, "-filter_complex ''")) << r.out;
  EXPECT_FALSE(contains(r.out, "0 of 0 layer(s)")) << r.out;
  EXPECT_TRUE(contains(r.out, "-frames:v 4 -c:v mjpeg -q:v 3 -f image2 -start_number 1 "
                              "'/out/vfr-640x360-h264-aac-17s_%06d.jpg'"))
      << r.out;
}

TEST(PresetsExplain, BestThumbnailSaysThereIsNoFfmpegEquivalent) {
  TempDir dir;
  const auto best = write(dir.path() / "best.yaml",
                          "name: Best\nimages:\n  - format: png\n    layers:\n      - {width: 160}\n"
                          "outputs:\n  - file_name: \"{Basename}_{Index}{Extension}\"\n    format: png\n");
  const ProcessResult r = run({kBinary, "presets", "explain", best.string(),
                               kMedia + "/vfr-640x360-h264-aac-17s.mp4", "--ffmpeg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "# no ffmpeg equivalent for image outputs (PngImage start {Best})\n");
  const ProcessResult full = run({kBinary, "presets", "explain", best.string(),
                                  kMedia + "/vfr-640x360-h264-aac-17s.mp4"});
  EXPECT_TRUE(contains(full.out, "images: PngImage (codec 0): 1 capture, the most detailed frame of the first"))
      << full.out;
}

TEST(PresetsExplain, ContentAdaptiveLadderCountsTheBuiltLayersAndLevelsAreAuto) {
  const ProcessResult r = run({kBinary, "presets", "explain", "Adaptive Streaming",
                               kMedia + "/vfr-640x360-h264-aac-17s.mp4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.out, "of 0 layer(s)")) << r.out;
  const size_t at = r.out.find("video: stream 0, ");
  ASSERT_NE(at, std::string::npos) << r.out;
  int encoded = 0, built = 0;
  ASSERT_EQ(std::sscanf(r.out.c_str() + at, "video: stream 0, %d of %d layer(s)", &encoded, &built), 2) << r.out;
  EXPECT_GE(encoded, 2);
  EXPECT_EQ(encoded, built);
  EXPECT_TRUE(contains(r.out, "profile high level auto, GOP")) << r.out;
}

// The thumbnails the explained ffmpeg command writes are the files `encode` writes, pixel for
// pixel (the frame nearest each capture time, the same scale): PNG and a JPEG sprite.
TEST(PresetsExplain, ThumbnailFfmpegCommandWritesTheSamePictures) {
  TempDir dir;
  const auto preset = write(dir.path() / "thumbs.yaml", R"(name: Thumbs
images:
  - format: png
    start: "00:00:00.5"
    step: "25%"
    layers:
      - {width: 160}
  - format: jpg
    start: "0%"
    step: "00:00:01"
    sprite_columns: 2
    layers:
      - {width: 100, quality: 70}
outputs:
  - file_name: "{Basename}_{Resolution}_{Index}{Extension}"
    format: png
  - file_name: "sprite_{Index}{Extension}"
    format: jpg
)");
  const std::string clip = kMedia + "/screen-720p30-h264-aac-rotate180.mp4";
  const auto by_ffmpeg = dir.path() / "ffmpeg", by_mediaworker = dir.path() / "mediaworker";
  std::filesystem::create_directories(by_ffmpeg);
  const ProcessResult command = run({kBinary, "presets", "explain", preset.string(), clip, "--ffmpeg", "-o",
                                     by_ffmpeg.string(), "--start", "1", "--duration", "3"});
  ASSERT_EQ(command.exit_code, 0) << command.err;
  EXPECT_TRUE(contains(command.out, "# no ffmpeg equivalent for the WebVTT file sprite_000001.vtt")) << command.out;
  const ProcessResult ffmpeg = run({"/bin/sh", "-c", command.out});
  ASSERT_EQ(ffmpeg.exit_code, 0) << command.out << "\n" << ffmpeg.err;
  const ProcessResult encoded = run({kBinary, "encode", "-p", preset.string(), "-o", by_mediaworker.string(),
                                     clip, "--start", "1", "--duration", "3"});
  ASSERT_EQ(encoded.exit_code, 0) << encoded.err;

  const std::vector<std::string> files = TempDir::list(by_ffmpeg);
  EXPECT_EQ(files, (std::vector<std::string>{"screen-720p30-h264-aac-rotate180_160x90_000001.png",
                                             "screen-720p30-h264-aac-rotate180_160x90_000002.png",
                                             "screen-720p30-h264-aac-rotate180_160x90_000003.png",
                                             "screen-720p30-h264-aac-rotate180_160x90_000004.png",
                                             "sprite_000001.jpg"}));
  for (const std::string& name : files) {
    // Identical pictures: PSNR "inf" (decoded frames compared by ffmpeg's psnr filter).
    const ProcessResult psnr =
        run({"/usr/bin/env", "ffmpeg", "-hide_banner", "-nostats", "-i", (by_ffmpeg / name).string(), "-i",
             (by_mediaworker / name).string(), "-lavfi", "psnr", "-f", "null", "-"});
    EXPECT_TRUE(contains(psnr.err, "average:inf")) << name << "\n" << psnr.err;
  }
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
