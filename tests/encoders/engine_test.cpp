// encoders::encode() on every real clip with "H.264 HD 720p VBR", checked with the project's own
// measure_file() and probe(): what a user of the output sees (codec, size, pixels, colour,
// duration and sync, keyframes, bitrate, progress, the files and their metadata). Each clip is
// encoded once (encode_cache.hpp); the tests read the shared result.

#include "encoders/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <vector>

#include "encoders/measure.hpp"
#include "encoders/probe.hpp"
#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/encode_cache.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
namespace fs = std::filesystem;

const auto* const kCacheCleanup = ::testing::AddGlobalTestEnvironment(new EncodeCacheEnvironment);

constexpr double kSyncToleranceS = 0.040;    // audio vs video vs input picture
constexpr double kKeyframeIntervalS = 2.0;   // the preset's keyframe_interval
constexpr double kKeyframeToleranceS = 0.1;  // frames missing in the input (a TS open GOP)
constexpr double kTargetKbps = 4500;

/// One clip of ../shared/media and what its encode must look like.
struct VideoClip {
  const char* name;  ///< test name suffix
  const char* file;
  int width, height;      ///< output picture size (media-check.sh)
  bool audio;             ///< the input has audio (so must the output)
  double duration_s = 0;  ///< PlanOptions::duration_s; 0 = the whole clip
};

std::ostream& operator<<(std::ostream& out, const VideoClip& c) {
  return out << c.file;
}

const VideoClip kClips[] = {
    {"Mpeg2TransportStream", "bbb-1080p24-mpeg2-mp2.ts", 1280, 720, true},
    {"UpsideDownScreenRecording", "screen-720p30-h264-aac-rotate180.mp4", 1280, 720, true},
    {"PhonePortrait4k", "phone-portrait-4k60-h264-rotate90.mp4", 720, 1280, true},
    {"VariableFrameRate17s", "vfr-640x360-h264-aac-17s.mp4", 1280, 720, true},
    {"Vp8With51Vorbis", "bbb-1080p60-vp8-vorbis-6ch.webm", 1280, 720, true},
    {"Hdr10Hevc", "hdr10-1080p30-hevc-10bit-aac.mp4", 1280, 720, true},
    {"MonoAudio1s", "clip-1080x720-h264-aac-mono-1s.mp4", 1080, 720, true},
    {"MatroskaAc3", "clip-1080x720-h264-ac3.mkv", 1080, 720, true},
    {"AviMpeg4Mp3", "clip-960x400-mpeg4-mp3.avi", 1280, 534, true},
    {"QuickTimePcm", "studio-1080p50-h264-pcm.mov", 1280, 720, true},
    {"VideoOnlyNonSquarePixels", "bbb-800x640-h264-video-only-14s.mp4", 1280, 720, false},
    {"OddSizeVp9", "bear-161x121-vp9-odd-size.webm", 958, 720, false},
    {"RotateAndMirror", "clip-1080x720-h264-rotate-and-mirror.mp4", 720, 1080, true},
    {"Pcm24BitInMp4", "clip-pcm-24bit-in-mp4.mp4", 1080, 720, true},
    {"LongAv1First20s", "long-1080p60-av1-aac-6min.mp4", 1280, 720, true, 20},
};

class EncodedVideoClip : public ::testing::TestWithParam<VideoClip> {
 protected:
  void SetUp() override {
    encoded_ = &EncodeCache::get(GetParam().file, kVideoPreset, GetParam().duration_s);
    ASSERT_TRUE(encoded_->result.has_value()) << GetParam().file << ": " << encoded_->error;
    ASSERT_FALSE(result().files.empty());
    ASSERT_FALSE(result().measured.empty());
    ASSERT_NE(result().measured[0].video(), nullptr) << "no video track in the output";
  }
  const EncodedClip& encoded() const { return *encoded_; }
  const EncodeResult& result() const { return *encoded_->result; }
  const MeasuredFile& output() const { return result().measured[0]; }
  const MeasuredTrack& video() const { return *output().video(); }
  /// How long the output must play: the input's picture, or the requested duration.
  double expected_duration_s() const {
    return GetParam().duration_s > 0 ? GetParam().duration_s : video_span_s(media(GetParam().file));
  }

 private:
  const EncodedClip* encoded_ = nullptr;
};

TEST_P(EncodedVideoClip, ComesOutAsH264HighYuv420p) {
  EXPECT_EQ(video().codec, "h264");
  EXPECT_EQ(video().profile, "High");
  EXPECT_EQ(video().pixel_format, "yuv420p");
  EXPECT_EQ(result().files[0].mime_type, "video/mp4");
}

TEST_P(EncodedVideoClip, HasTheExpectedSizeWithSquarePixels) {
  EXPECT_EQ(video().width, GetParam().width);
  EXPECT_EQ(video().height, GetParam().height);
  // Square pixels: the display aspect ratio is the picture's own.
  EXPECT_EQ(int64_t{video().dar_num} * video().height, int64_t{video().dar_den} * video().width)
      << "DAR " << video().dar_num << ":" << video().dar_den;
  const MediaInfo out = probe(encoded().file().string());
  ASSERT_EQ(out.video_tracks.size(), 1u);
  EXPECT_EQ(out.video_tracks[0].sample_aspect_ratio.num,
            out.video_tracks[0].sample_aspect_ratio.den);
}

TEST_P(EncodedVideoClip, IsLimitedRangeBt709SdrWithNoRotationLeft) {
  EXPECT_EQ(video().color_range, "tv");
  EXPECT_EQ(video().color_transfer, "bt709");
  EXPECT_EQ(video().color_primaries, "bt709");
  EXPECT_EQ(video().color_space, "bt709");
  EXPECT_FALSE(video().has_rotation);
}

TEST_P(EncodedVideoClip, PlaysAsLongAsTheInputPictureWithAudioInSync) {
  const double expected = expected_duration_s();
  EXPECT_NEAR(video().start_s, 0.0, 1e-3) << "output time 0 is the first picture";
  EXPECT_NEAR(video().duration_s, expected, kSyncToleranceS) << "video vs the input's picture";
  if (const MeasuredTrack* audio = output().audio()) {
    EXPECT_NEAR(audio->duration_s, video().duration_s, kSyncToleranceS) << "audio vs video";
    EXPECT_NEAR(audio->start_s, video().start_s, kSyncToleranceS) << "audio vs video start";
  }
}

TEST_P(EncodedVideoClip, CarriesStereoAac48kHzExactlyWhenTheInputHasAudio) {
  const MeasuredTrack* audio = output().audio();
  if (!GetParam().audio) {
    EXPECT_EQ(audio, nullptr) << "the input has no audio, the output has an audio track";
    EXPECT_EQ(output().tracks.size(), 1u);
    return;
  }
  ASSERT_NE(audio, nullptr) << "the input has audio, the output has none";
  EXPECT_EQ(audio->codec, "aac");
  EXPECT_EQ(audio->profile, "LC");
  EXPECT_EQ(audio->channels, 2);
  EXPECT_EQ(audio->sampling_rate, 48000);
}

TEST_P(EncodedVideoClip, HasAKeyframeAtLeastEveryTwoSeconds) {
  const auto& keys = video().keyframe_times_s;
  ASSERT_FALSE(keys.empty());
  EXPECT_NEAR(keys.front(), video().start_s, 1e-3) << "the output does not start with a keyframe";
  std::vector<double> bounds = keys;
  bounds.push_back(video().start_s + video().duration_s);
  for (size_t i = 1; i < bounds.size(); ++i)
    EXPECT_LE(bounds[i] - bounds[i - 1], kKeyframeIntervalS + kKeyframeToleranceS)
        << "no keyframe between " << bounds[i - 1] << " s and " << bounds[i] << " s";
}

TEST_P(EncodedVideoClip, ReportsProgressRisingFrom0To100) {
  const auto& p = encoded().progress;
  ASSERT_FALSE(p.empty());
  EXPECT_GE(p.front(), 0.0);
  EXPECT_TRUE(std::is_sorted(p.begin(), p.end())) << "progress went down";
  EXPECT_LE(*std::max_element(p.begin(), p.end()), 100.0);
  EXPECT_EQ(p.back(), 100.0);
  EXPECT_EQ(std::count(p.begin(), p.end(), 100.0), 1) << "100 reported more than once";
  if (expected_duration_s() >= 4) {  // long enough for reports on the way
    EXPECT_LT(p.front(), 50.0);
    EXPECT_GE(std::set<double>(p.begin(), p.end()).size(), 5u);
  }
  // 100 means the media file is complete and in place.
  const auto& at_100 = encoded().folder_at_100;
  EXPECT_NE(std::find(at_100.begin(), at_100.end(), result().files[0].name), at_100.end())
      << "the media file was not in place when 100 was reported";
  for (const auto& name : at_100) EXPECT_FALSE(contains(name, ".partial")) << name;
}

TEST_P(EncodedVideoClip, ListsExactlyTheFilesLeftInTheOutputFolder) {
  const std::string stem = fs::path(GetParam().file).stem().string();
  std::vector<std::string> listed;
  for (const auto& f : result().files) {
    listed.push_back(f.name);
    const fs::path path = encoded().output_dir / f.name;
    ASSERT_TRUE(fs::exists(path)) << f.name;
    EXPECT_EQ(f.size_bytes, static_cast<int64_t>(fs::file_size(path))) << f.name;
  }
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(entries_of(encoded().output_dir), listed) << "files left that the result does not list";
  ASSERT_EQ(result().files.size(), 3u);
  EXPECT_EQ(result().files[0].name, result().plan.outputs.at(0).file_name);
  EXPECT_TRUE(result().files[0].is_primary);
  EXPECT_EQ(result().files[1].name, stem + "_manifest.xml");
  EXPECT_EQ(result().files[2].name, stem + "_metadata.xml");
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(result().files[i].mime_type, "application/xml");
    EXPECT_FALSE(result().files[i].is_primary);
  }
  EXPECT_EQ(output().size_bytes, result().files[0].size_bytes);
}

TEST_P(EncodedVideoClip, ManifestReportsTheMeasuredOutput) {
  pugi::xml_document doc;
  const auto manifest = encoded().file(1);
  ASSERT_TRUE(doc.load_file(manifest.c_str())) << manifest;
  const auto root = doc.child("AssetFiles");
  EXPECT_STREQ(
      root.attribute("xmlns").value(),
      "http://schemas.microsoft.com/windowsazure/mediaservices/2013/05/mediaencoder/metadata");
  const auto file = root.child("AssetFile");
  EXPECT_EQ(file.attribute("Name").value(), result().files[0].name);
  EXPECT_EQ(file.attribute("Size").as_llong(),
            static_cast<long long>(fs::file_size(encoded().file(0))));
  EXPECT_STREQ(file.child("Sources").child("Source").attribute("Name").value(), GetParam().file);
  const auto v = file.child("VideoTracks").child("VideoTrack");
  ASSERT_TRUE(v) << "no VideoTrack";
  EXPECT_EQ(v.attribute("Width").as_int(), GetParam().width);
  EXPECT_EQ(v.attribute("Height").as_int(), GetParam().height);
  EXPECT_STREQ(v.attribute("Profile").value(), "High");
  EXPECT_EQ(v.attribute("TargetBitrate").as_int(), 4500);
  EXPECT_NEAR(v.attribute("Bitrate").as_double(), video().bitrate_kbps, 1.0);
  EXPECT_GT(v.attribute("Bitrate").as_double(), 0);
  EXPECT_NEAR(v.attribute("Framerate").as_double(), video().frame_rate, 0.001);
  const auto a = file.child("AudioTracks").child("AudioTrack");
  if (!GetParam().audio) {
    EXPECT_FALSE(a) << "AudioTrack in a video-only output";
    return;
  }
  ASSERT_TRUE(a) << "no AudioTrack";
  EXPECT_EQ(a.attribute("Channels").as_int(), 2);
  EXPECT_EQ(a.attribute("SamplingRate").as_int(), 48000);
  EXPECT_NEAR(a.attribute("Bitrate").as_double(), output().audio()->bitrate_kbps, 1.0);
}

TEST_P(EncodedVideoClip, InputMetadataDescribesTheInputFile) {
  pugi::xml_document doc;
  const auto metadata = encoded().file(2);
  ASSERT_TRUE(doc.load_file(metadata.c_str())) << metadata;
  const auto file = doc.child("AssetFiles").child("AssetFile");
  EXPECT_STREQ(file.attribute("Name").value(), GetParam().file);
  EXPECT_EQ(file.attribute("Size").as_llong(),
            static_cast<long long>(fs::file_size(media(GetParam().file))));
  EXPECT_TRUE(file.child("VideoTracks").child("VideoTrack"));
  EXPECT_EQ(static_cast<bool>(file.child("AudioTracks").child("AudioTrack")), GetParam().audio);
}

INSTANTIATE_TEST_SUITE_P(EveryClip, EncodedVideoClip, ::testing::ValuesIn(kClips),
                         [](const ::testing::TestParamInfo<VideoClip>& p) {
                           return std::string(p.param.name);
                         });

// x264's average-bitrate control needs time to converge: over a 4-5 s clip with a 5 s VBV buffer
// the average lands anywhere within about ±25 % (800x640: -22 %, AVI: +15 %, the same with the
// equivalent ffmpeg command), so the target is checked on the 17 s clip only.
TEST(EncodeEngine, SeventeenSecondClipAveragesTheTargetBitrate) {
  const auto& e = EncodeCache::get("vfr-640x360-h264-aac-17s.mp4", kVideoPreset);
  ASSERT_TRUE(e.result) << e.error;
  EXPECT_NEAR(e.result->measured[0].video()->bitrate_kbps, kTargetKbps, 0.15 * kTargetKbps);
}

// The 6-minute AV1 clip is a black picture with silence: no rate control can spend 4500 kbps on
// it (x264 needs about 20 kbps), so only "never above the target" is checked for it, plus the
// requested 20 s with both tracks.
TEST(EncodeEngine, LongClipTrimmedTo20SecondsStaysAtOrBelowTheTarget) {
  const auto& e = EncodeCache::get("long-1080p60-av1-aac-6min.mp4", kVideoPreset, 20);
  ASSERT_TRUE(e.result) << e.error;
  const MeasuredFile& out = e.result->measured[0];
  ASSERT_NE(out.audio(), nullptr);
  EXPECT_NEAR(out.video()->duration_s, 20.0, kSyncToleranceS);
  EXPECT_NEAR(out.audio()->duration_s, 20.0, kSyncToleranceS);
  EXPECT_LE(out.video()->bitrate_kbps, 1.15 * kTargetKbps);
  EXPECT_EQ(out.video()->keyframe_times_s.size(), 10u) << "one keyframe every 2 s of 20 s";
}

TEST(EncodeEngine, SixChannelAndMonoAudioComeOutStereo) {
  for (const char* clip : {"bbb-1080p60-vp8-vorbis-6ch.webm", "clip-1080x720-h264-aac-mono-1s.mp4",
                           "clip-1080x720-h264-ac3.mkv"}) {
    const auto& e = EncodeCache::get(clip, kVideoPreset);
    ASSERT_TRUE(e.result) << clip << ": " << e.error;
    ASSERT_NE(e.result->input.primary_audio(), nullptr) << clip;
    EXPECT_NE(e.result->input.primary_audio()->channels, 2) << clip << " is already stereo";
    ASSERT_NE(e.result->measured[0].audio(), nullptr) << clip;
    EXPECT_EQ(e.result->measured[0].audio()->channels, 2) << clip;
  }
}

TEST(EncodeEngine, AudioOnlyFlacWithTheAudioPresetGivesStereoAacOnly) {
  const auto& e = EncodeCache::get("speech-audio-only.flac", kAudioPreset);
  ASSERT_TRUE(e.result) << e.error;
  ASSERT_EQ(e.result->files.size(), 3u);
  EXPECT_EQ(e.result->files[0].name, "speech-audio-only_AAC_192.mp4");
  EXPECT_EQ(e.result->files[0].mime_type, "audio/mp4");
  const MeasuredFile& out = e.result->measured.at(0);
  EXPECT_EQ(out.video(), nullptr) << "video track in an audio preset's output";
  ASSERT_NE(out.audio(), nullptr);
  EXPECT_EQ(out.tracks.size(), 1u);
  EXPECT_EQ(out.audio()->codec, "aac");
  EXPECT_EQ(out.audio()->channels, 2);
  EXPECT_EQ(out.audio()->sampling_rate, 48000);
  EXPECT_NEAR(out.audio()->duration_s, 2.741, 0.1);
  EXPECT_EQ(e.progress.back(), 100.0);
}

TEST(EncodeEngine, InputMetadataTakesTheNameTheDaemonGives) {
  TempDir temp;
  EncodeRequest request;
  request.input = media("speech-audio-only.flac");
  request.preset = &preset(kAudioPreset);
  request.output_dir = temp.path() / "out";
  request.input_metadata_name = "nb:cid:UUID:8f4c5a3e_metadata.xml";
  const EncodeResult result = encode(request, nullptr, std::stop_token{});
  ASSERT_EQ(result.files.size(), 3u);
  EXPECT_EQ(result.files[2].name, request.input_metadata_name);
  EXPECT_TRUE(fs::exists(request.output_dir / request.input_metadata_name));
  EXPECT_EQ(entries_of(request.output_dir),
            (std::vector<std::string>{"nb:cid:UUID:8f4c5a3e_metadata.xml",
                                      "speech-audio-only_AAC_192.mp4",
                                      "speech-audio-only_manifest.xml"}));
}

}  // namespace
}  // namespace mw::encoders
