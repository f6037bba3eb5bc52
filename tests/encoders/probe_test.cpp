// probe() on the real clips: the values a user reads in the input metadata and the plan relies
// on (codecs, sizes, pixel shape, display transform, colour, frame rate, audio layout), with the
// corrections the engine makes over libavformat, and clear errors for unusable files.

#include "encoders/probe.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

// By value, so that `const auto& v = video_of(probe(...))` holds its own copy.
VideoTrackInfo video_of(const MediaInfo& info) {
  if (info.primary_video() == nullptr) throw std::runtime_error(info.name + ": no video track");
  return *info.primary_video();
}
AudioTrackInfo audio_of(const MediaInfo& info) {
  if (info.primary_audio() == nullptr) throw std::runtime_error(info.name + ": no audio track");
  return *info.primary_audio();
}

TEST(Probe, BroadcastTransportStreamIsMpeg2WithMp2) {
  const MediaInfo info = probe(media("bbb-1080p24-mpeg2-mp2.ts"));
  EXPECT_EQ(info.name, "bbb-1080p24-mpeg2-mp2.ts");
  EXPECT_EQ(info.size_bytes, static_cast<int64_t>(std::filesystem::file_size(info.path)));
  const auto& v = video_of(info);
  EXPECT_EQ(v.codec, "mpeg2video");
  EXPECT_EQ(v.width, 1920);
  EXPECT_EQ(v.height, 1080);
  EXPECT_DOUBLE_EQ(v.frame_rate.value(), 24.0);
  EXPECT_NEAR(v.start_time_s, 1.525, 0.001);
  EXPECT_EQ(audio_of(info).codec, "mp2");
  EXPECT_EQ(audio_of(info).sampling_rate, 44100);
}

TEST(Probe, PhoneClipIsFullRangeAndTurnedClockwise) {
  const MediaInfo info = probe(media("phone-portrait-4k60-h264-rotate90.mp4"));
  const auto& v = video_of(info);
  EXPECT_EQ(v.codec, "h264");
  EXPECT_EQ(v.profile, "High");
  EXPECT_EQ(v.width, 3840);
  EXPECT_EQ(v.height, 2160);
  EXPECT_EQ(v.pixel_format, "yuvj420p");
  EXPECT_EQ(v.color_range, "pc");
  EXPECT_EQ(v.display_transform.rotation_degrees(), 90);
  EXPECT_FALSE(v.display_transform.mirrored());
  EXPECT_TRUE(v.display_transform.swaps_axes());
  const auto [w, h] = v.display_size();
  EXPECT_DOUBLE_EQ(w, 2160);
  EXPECT_DOUBLE_EQ(h, 3840);
  EXPECT_NEAR(v.frame_rate.value(), 60.0, 0.1);
  EXPECT_EQ(audio_of(info).codec, "aac");
  EXPECT_EQ(audio_of(info).sampling_rate, 48000);
}

TEST(Probe, UpsideDownScreenRecordingIsTurned180WithoutMirror) {
  const auto& v = video_of(probe(media("screen-720p30-h264-aac-rotate180.mp4")));
  EXPECT_EQ(v.display_transform.rotation_degrees(), 180);
  EXPECT_FALSE(v.display_transform.mirrored());
  EXPECT_FALSE(v.display_transform.swaps_axes());
  EXPECT_EQ(v.profile, "Constrained Baseline");
  EXPECT_NEAR(v.frame_rate.value(), 29.97, 0.01);
}

TEST(Probe, RotateAndMirrorClipReportsTheMirror) {
  const auto& v = video_of(probe(media("clip-1080x720-h264-rotate-and-mirror.mp4")));
  EXPECT_TRUE(v.display_transform.mirrored());
  EXPECT_TRUE(v.display_transform.swaps_axes());
  EXPECT_EQ(v.display_transform.filter_chain(), "transpose=cclock_flip");
  const auto [w, h] = v.display_size();
  EXPECT_DOUBLE_EQ(w, 720);
  EXPECT_DOUBLE_EQ(h, 1080);
}

TEST(Probe, NonSquarePixelClipHasSar1137To800) {
  const MediaInfo info = probe(media("bbb-800x640-h264-video-only-14s.mp4"));
  const auto& v = video_of(info);
  EXPECT_EQ(v.width, 800);
  EXPECT_EQ(v.height, 640);
  EXPECT_EQ(v.sample_aspect_ratio.num, 1137);
  EXPECT_EQ(v.sample_aspect_ratio.den, 800);
  const auto [w, h] = v.display_size();
  EXPECT_NEAR(w, 1137, 0.5);
  EXPECT_DOUBLE_EQ(h, 640);
  EXPECT_NEAR(v.start_time_s, 10.0, 0.001) << "the first pts is not zero";
  EXPECT_TRUE(info.audio_tracks.empty());
  EXPECT_EQ(info.primary_audio(), nullptr);
}

TEST(Probe, Hdr10ClipIsTenBitPq) {
  const auto& v = video_of(probe(media("hdr10-1080p30-hevc-10bit-aac.mp4")));
  EXPECT_EQ(v.codec, "hevc");
  EXPECT_EQ(v.profile, "Main 10");
  EXPECT_EQ(v.pixel_format, "yuv420p10le");
  EXPECT_EQ(v.bit_depth, 10);
  EXPECT_EQ(v.color_transfer, "smpte2084");
  EXPECT_EQ(v.color_primaries, "bt2020");
  EXPECT_TRUE(v.hdr());
}

TEST(Probe, WebmHasVp8AndSixChannelVorbis) {
  const MediaInfo info = probe(media("bbb-1080p60-vp8-vorbis-6ch.webm"));
  EXPECT_EQ(video_of(info).codec, "vp8");
  EXPECT_DOUBLE_EQ(video_of(info).frame_rate.value(), 60.0);
  const auto& a = audio_of(info);
  EXPECT_EQ(a.codec, "vorbis");
  EXPECT_EQ(a.channels, 6);
  EXPECT_EQ(a.channel_layout, "5.1");
  EXPECT_EQ(a.sampling_rate, 48000);
}

TEST(Probe, Pcm24BitInMp4IsReportedAs24BitNot16) {
  // libavformat 5.1 alone says pcm_s16le, 16 bits (it ignores the pcmC box).
  const auto& a = audio_of(probe(media("clip-pcm-24bit-in-mp4.mp4")));
  EXPECT_EQ(a.codec, "pcm_s24le");
  EXPECT_EQ(a.bits_per_sample, 24);
  EXPECT_EQ(a.channels, 1);
  EXPECT_EQ(a.sampling_rate, 44100);
  EXPECT_EQ(a.bitrate_bps, 24 * 44100);
}

TEST(Probe, Pcm24BitInMp4DecodesToThe32BitSampleFormat) {
  // libavcodec's pcm_s24le decoder gives s32 samples; s16 is the 16-bit reading left over.
  const auto& a = audio_of(probe(media("clip-pcm-24bit-in-mp4.mp4")));
  EXPECT_EQ(a.sample_format, "s32");
}

TEST(Probe, QuickTimePcmStays16Bit) {
  const MediaInfo info = probe(media("studio-1080p50-h264-pcm.mov"));
  EXPECT_DOUBLE_EQ(video_of(info).frame_rate.value(), 50.0);
  EXPECT_EQ(audio_of(info).codec, "pcm_s16le");
  EXPECT_EQ(audio_of(info).bits_per_sample, 16);
  EXPECT_EQ(audio_of(info).channels, 2);
}

TEST(Probe, MatroskaFrameRateIsTheRealOneNot1000) {
  // The Matroska demuxer says avg_frame_rate 1000/1 (its 1 ms time base) and r_frame_rate 60/1
  // (a field-rate guess); the 30 frames of this 1 s clip are 33-34 ms apart.
  const MediaInfo info = probe(media("clip-1080x720-h264-ac3.mkv"));
  EXPECT_NEAR(video_of(info).frame_rate.value(), 30.0, 0.05);
  EXPECT_EQ(audio_of(info).codec, "ac3");
  EXPECT_EQ(audio_of(info).channels, 1);
}

TEST(Probe, VariableFrameRateClipAveragesAbout30Fps) {
  const auto& v = video_of(probe(media("vfr-640x360-h264-aac-17s.mp4")));
  EXPECT_NEAR(v.frame_rate.value(), 30.006, 0.001);
  EXPECT_NEAR(v.duration_s, 17.063, 0.001);
}

TEST(Probe, LegacyAviIsMpeg4PartTwoWithMp3) {
  const MediaInfo info = probe(media("clip-960x400-mpeg4-mp3.avi"));
  EXPECT_EQ(video_of(info).codec, "mpeg4");
  EXPECT_EQ(video_of(info).width, 960);
  EXPECT_EQ(video_of(info).height, 400);
  EXPECT_NEAR(video_of(info).frame_rate.value(), 23.976, 0.001);
  EXPECT_EQ(audio_of(info).codec, "mp3");
}

TEST(Probe, OddSizedVp9KeepsItsOddSize) {
  const auto& v = video_of(probe(media("bear-161x121-vp9-odd-size.webm")));
  EXPECT_EQ(v.codec, "vp9");
  EXPECT_EQ(v.width, 161);
  EXPECT_EQ(v.height, 121);
}

TEST(Probe, LongAv1ClipLastsSixMinutes) {
  const MediaInfo info = probe(media("long-1080p60-av1-aac-6min.mp4"));
  EXPECT_EQ(video_of(info).codec, "av1");
  EXPECT_DOUBLE_EQ(video_of(info).frame_rate.value(), 60.0);
  EXPECT_NEAR(info.duration_s, 362.767, 0.01);
}

TEST(Probe, AudioOnlyFlacHasNoVideoTrack) {
  const MediaInfo info = probe(media("speech-audio-only.flac"));
  EXPECT_TRUE(info.video_tracks.empty());
  EXPECT_EQ(info.primary_video(), nullptr);
  EXPECT_EQ(info.number_of_streams, 1);
  const auto& a = audio_of(info);
  EXPECT_EQ(a.codec, "flac");
  EXPECT_EQ(a.channels, 2);
  EXPECT_EQ(a.sampling_rate, 48000);
  EXPECT_NEAR(info.duration_s, 2.741, 0.001);
}

class ProbeError : public ::testing::Test {
 protected:
  TempDir temp_;
};

TEST_F(ProbeError, EmptyFileIsUnreadableAndSaysSo) {
  const std::string path = temp_.write("empty.mp4", "");
  const auto error = encode_error_of([&] { probe(path); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), path)) << error->what();
  EXPECT_TRUE(contains(error->what(), "empty")) << error->what();
}

TEST_F(ProbeError, TextFileNamedMp4IsNotAMediaFile) {
  const std::string path = temp_.write("x.mp4", "meeting notes, not a video\n");
  const auto error = encode_error_of([&] { probe(path); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), path)) << error->what();
  EXPECT_TRUE(contains(error->what(), "not a readable media file")) << error->what();
}

TEST_F(ProbeError, MissingFileIsUnreadableAndSaysSo) {
  const std::string path = (temp_.path() / "nowhere.mp4").string();
  const auto error = encode_error_of([&] { probe(path); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), path)) << error->what();
  EXPECT_TRUE(contains(error->what(), "no such file")) << error->what();
}

TEST_F(ProbeError, FolderIsNotAMediaFile) {
  const std::string path = temp_.path().string();
  const auto error = encode_error_of([&] { probe(path); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), path)) << error->what();
}

TEST_F(ProbeError, TruncatedMoovNamesTheFileAndTheCause) {
  const std::string path = media("truncated-moov-missing-720p-h264.mp4");
  const auto error = encode_error_of([&] { probe(path); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), path)) << error->what();
  EXPECT_TRUE(contains(error->what(), "moov atom not found")) << error->what();
}

}  // namespace
}  // namespace mw::encoders
