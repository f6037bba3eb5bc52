// encoders::encode() with the preset parts of MES Sources, Filters, Conditions and output
// layouts, on short spans of real clips: a trimmed span starts at its StartTime picture and lasts
// its Duration, two inputs concatenate (durations add, the second input's pictures follow at the
// join), crops and rotation overrides change the picture as the test turns it by hand, an
// input without audio gets a silent track and one without video black frames, and video-only /
// audio-only layouts write the files and bitrates they name.

#include <gtest/gtest.h>

#include <string>

#include "encoders/engine.hpp"
#include "encoders/measure.hpp"
#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

constexpr double kFrame30 = 1001.0 / 30000;  // one frame of the 29.97 fps clips, seconds
constexpr double kSamePicture = 8.0;          // mean luma difference after x264 and two scalers

/// A small, fast single-layer preset: 640x360 at 800 kbps, AAC-LC stereo 128 kbps.
presets::Preset small_preset() {
  presets::Preset p;
  p.name = "test small";
  presets::VideoCodec vc;
  vc.complexity = presets::Complexity::Speed;
  presets::VideoLayer layer;
  layer.width = 640;
  layer.height = 360;
  layer.bitrate_kbps = 800;
  vc.layers = {layer};
  p.video = vc;
  p.audio = presets::AudioCodec{};
  p.outputs = {{"{Basename}_{Width}x{Height}{Extension}"}};
  return p;
}

struct Encoded {
  TempDir dir;
  EncodeResult result;
  std::filesystem::path file(size_t i = 0) const { return dir.path() / result.files.at(i).name; }
  const MeasuredFile& measured(size_t i = 0) const { return result.measured.at(i); }
};

std::unique_ptr<Encoded> run(const presets::Preset& preset, std::vector<EncodeInput> inputs,
                             double duration_s = 0) {
  auto e = std::make_unique<Encoded>();
  EncodeRequest request;
  request.input = inputs.front().path;
  request.inputs = std::move(inputs);
  request.preset = &preset;
  request.output_dir = e->dir.path();
  request.options.duration_s = duration_s;
  e->result = encode(request, nullptr, std::stop_token{});
  return e;
}

std::unique_ptr<Encoded> run(const presets::Preset& preset, const std::string& clip, double duration_s = 0) {
  return run(preset, {{media(clip), "clip"}}, duration_s);
}

/// The region (x, y, w, h) of a picture.
GrayImage region(const GrayImage& in, int x, int y, int w, int h) {
  GrayImage out{w, h, {}};
  for (int j = 0; j < h; ++j)
    for (int i = 0; i < w; ++i) out.pixels.push_back(static_cast<uint8_t>(in.at(x + i, y + j)));
  return out;
}

TEST(EncodeSources, TrimStartsAtTheStartTimePictureAndLastsTheDuration) {
  // The clip's first picture is stamped 10 s: StartTime 11 s is one second into it.
  presets::Preset p = small_preset();
  p.sources = {{"", 11.0, 1.5}};
  const auto e = run(p, "bbb-800x640-h264-video-only-14s.mp4");
  const MeasuredTrack* v = e->measured().video();
  ASSERT_NE(v, nullptr);
  EXPECT_NEAR(v->duration_s, 1.5, 1.0 / 30 + 1e-3);
  const std::string in = media("bbb-800x640-h264-video-only-14s.mp4");
  const GrayImage first = decode_gray_frame(e->file().string(), 0, 64, 36);
  const double at_start = mean_abs_diff(first, decode_gray_frame(in, 1.0, 64, 36));
  const double at_origin = mean_abs_diff(first, decode_gray_frame(in, 0.0, 64, 36));
  EXPECT_LT(at_start, kSamePicture);
  EXPECT_GT(at_origin, at_start) << "the output starts at the input's first picture, not at StartTime";
}

TEST(EncodeSources, SpanShorterThanOneFrameFailsAndLeavesNoFile) {
  // Duration 1 ms once gave an MP4 named for its 640x360 layer with no video track at all.
  presets::Preset p = small_preset();
  p.sources = {{"", 11.0, 0.001}};
  const TempDir dir;
  EncodeRequest request;
  request.input = media("vfr-640x360-h264-aac-17s.mp4");
  request.preset = &p;
  request.output_dir = dir.path();
  const auto error = encode_error_of([&] { encode(request, nullptr, std::stop_token{}); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(),
                       "output 'vfr-640x360-h264-aac-17s_640x360.mp4': no video frame lies within the "
                       "0.001 s to encode from input 11.000 s"))
      << error->what();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "a partial or stray file is left";
}

TEST(EncodeSources, TwoInputsPlayOneAfterTheOtherInSync) {
  // 1.5 s of the screen recording (1280x720, shown unturned), then the whole 1080x720 clip:
  // the picture size changes at the join and the second input's audio is mono at 44.1 kHz.
  presets::Preset p = small_preset();
  p.filters.rotation = presets::Rotation::R0;
  p.sources = {{"screen", 0.0, 1.5}, {"mono", std::nullopt, std::nullopt}};
  const auto e = run(p, {{media("screen-720p30-h264-aac-rotate180.mp4"), "screen"},
                         {media("clip-1080x720-h264-aac-mono-1s.mp4"), "mono"}});
  const MeasuredTrack* v = e->measured().video();
  const MeasuredTrack* a = e->measured().audio();
  ASSERT_NE(v, nullptr);
  ASSERT_NE(a, nullptr);
  EXPECT_NEAR(v->duration_s, 1.5 + 1.001, kFrame30 + 1e-3);
  EXPECT_NEAR(a->duration_s, v->duration_s, 0.03) << "audio and video end apart";
  EXPECT_NEAR(a->start_s, 0.0, 0.03);
  EXPECT_NEAR(e->result.plan.duration_s, 2.501, 0.01);
  // Half a second after the join the second clip's half-second picture shows.
  const GrayImage out = decode_gray_frame(e->file().string(), 2.0, 64, 36);
  const double second = mean_abs_diff(out, decode_gray_frame(media("clip-1080x720-h264-aac-mono-1s.mp4"), 0.5, 64, 36));
  const double first = mean_abs_diff(out, decode_gray_frame(media("screen-720p30-h264-aac-rotate180.mp4"), 2.0, 64, 36));
  EXPECT_LT(second, kSamePicture);
  EXPECT_GT(first, 2 * second);
  // Before the join, the first clip's picture.
  const GrayImage before = decode_gray_frame(e->file().string(), 1.0, 64, 36);
  EXPECT_LT(mean_abs_diff(before, decode_gray_frame(media("screen-720p30-h264-aac-rotate180.mp4"), 1.0, 64, 36)),
            kSamePicture);
}

TEST(EncodeFilters, CropTakesSourcePixelsBeforeTheRotationAndPercentSizesFollowIt) {
  // The top-right quarter of the coded picture, then the display matrix's 180 degree turn, at
  // 100% of the cropped size.
  presets::Preset p = small_preset();
  p.filters.crop = presets::Crop{640, 0, 640, 360};
  p.video->layers[0].width = p.video->layers[0].height = 0;
  p.video->layers[0].width_percent = p.video->layers[0].height_percent = 100;
  const std::string clip = "screen-720p30-h264-aac-rotate180.mp4";
  const auto e = run(p, clip, 1.5);
  const MeasuredTrack* v = e->measured().video();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->width, 640);
  EXPECT_EQ(v->height, 360);
  const GrayImage coded = decode_gray_frame(media(clip), 1.0, 128, 72);
  const GrayImage expected = apply_matrix(region(coded, 64, 0, 64, 36), {-1, 0, 0, -1});
  const GrayImage out = decode_gray_frame(e->file().string(), 1.0, 64, 36);
  const double right = mean_abs_diff(out, expected);
  EXPECT_LT(right, kSamePicture);
  EXPECT_GT(mean_abs_diff(out, apply_matrix(region(coded, 0, 0, 64, 36), {-1, 0, 0, -1})), 2 * right)
      << "the crop took the top-left quarter";
}

TEST(EncodeFilters, RotationOverridesTheDisplayMatrix) {
  const std::string clip = "clip-1080x720-h264-aac-mono-1s.mp4";  // no display matrix
  presets::Preset p = small_preset();
  p.filters.rotation = presets::Rotation::R90;
  const auto e = run(p, clip);
  const MeasuredTrack* v = e->measured().video();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->width, 360) << "a 90 degree turn makes the picture portrait";
  EXPECT_EQ(v->height, 540);
  const GrayImage coded = decode_gray_frame(media(clip), 0.5, 60, 40);
  const GrayImage out = decode_gray_frame(e->file().string(), 0.5, 40, 60);
  const double right = mean_abs_diff(out, apply_matrix(coded, {0, 1, -1, 0}));
  EXPECT_LT(right, kSamePicture);
  EXPECT_GT(mean_abs_diff(out, apply_matrix(coded, {0, -1, 1, 0})), 2 * right) << "turned the wrong way";
}

TEST(EncodeFilters, RotationZeroIgnoresTheDisplayMatrix) {
  const std::string clip = "screen-720p30-h264-aac-rotate180.mp4";
  presets::Preset p = small_preset();
  p.filters.rotation = presets::Rotation::R0;
  const auto e = run(p, clip, 1.0);
  const GrayImage coded = decode_gray_frame(media(clip), 0.5, 64, 36);
  const GrayImage out = decode_gray_frame(e->file().string(), 0.5, 64, 36);
  const double right = mean_abs_diff(out, coded);
  EXPECT_LT(right, kSamePicture);
  EXPECT_GT(mean_abs_diff(out, apply_matrix(coded, {-1, 0, 0, -1})), 2 * right);
}

TEST(EncodeConditions, InsertSilenceGivesAVideoOnlyClipASilentTrackOfItsLength) {
  presets::Preset p = small_preset();
  p.audio->insert_silence_if_no_audio = true;
  const auto e = run(p, "bbb-800x640-h264-video-only-14s.mp4");
  const MeasuredTrack* v = e->measured().video();
  const MeasuredTrack* a = e->measured().audio();
  ASSERT_NE(v, nullptr);
  ASSERT_NE(a, nullptr) << "no audio track was inserted";
  EXPECT_EQ(a->channels, 2);
  EXPECT_EQ(a->sampling_rate, 48000);
  EXPECT_NEAR(a->duration_s, v->duration_s, 0.03);
  EXPECT_NEAR(v->duration_s, 4.0, 0.05);
  EXPECT_LT(mean_volume_db(e->file().string()), -90.0) << "the inserted track is not silent";
}

TEST(EncodeConditions, InsertBlackGivesAnAudioOnlyInputBlackPicturesForEveryLayer) {
  presets::Preset p = small_preset();
  presets::VideoLayer low = p.video->layers[0];
  low.width = 320;
  low.height = 180;
  low.bitrate_kbps = 200;
  p.video->layers.push_back(low);
  p.video->condition = presets::VideoCondition::InsertBlackIfNoVideo;
  const auto e = run(p, "speech-audio-only.flac", 2.0);
  ASSERT_EQ(e->result.measured.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const MeasuredTrack* v = e->measured(i).video();
    const MeasuredTrack* a = e->measured(i).audio();
    ASSERT_NE(v, nullptr);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(v->width, i == 0 ? 640 : 320);
    EXPECT_NEAR(v->frame_rate, 25.0, 0.01);
    EXPECT_NEAR(v->duration_s, 2.0, 0.05);
    EXPECT_NEAR(a->duration_s, 2.0, 0.05);
    const GrayImage picture = decode_gray_frame(e->file(i).string(), 1.0, 32, 18);
    EXPECT_LT(picture.mean(), 20.0) << "not black";
  }
}

TEST(EncodeOutputs, VideoOnlyAndAudioOnlyFilesAtTheirOwnBitrates) {
  // WAME "Adaptive Bitrate MP4 Set": video without audio, plus audio-only MP4s at 128 and 56 kbps.
  presets::Preset p = small_preset();
  p.outputs = {{"{Basename}_video_{Width}x{Height}{Extension}", presets::OutputFormat::Mp4,
                presets::OutputStreams::VideoOnly, 0},
               {"{Basename}_audio_{AudioBitrate}{Extension}", presets::OutputFormat::Mp4,
                presets::OutputStreams::AudioOnly, 0},
               {"{Basename}_audio_{AudioBitrate}{Extension}", presets::OutputFormat::Mp4,
                presets::OutputStreams::AudioOnly, 56}};
  const auto e = run(p, "vfr-640x360-h264-aac-17s.mp4", 4.0);
  ASSERT_EQ(e->result.files.size(), 5u);  // three media files, manifest, input metadata
  EXPECT_EQ(e->result.files[0].name, "vfr-640x360-h264-aac-17s_video_640x360.mp4");
  EXPECT_EQ(e->result.files[1].name, "vfr-640x360-h264-aac-17s_audio_128.mp4");
  EXPECT_EQ(e->result.files[2].name, "vfr-640x360-h264-aac-17s_audio_56.mp4");
  EXPECT_NE(e->measured(0).video(), nullptr);
  EXPECT_EQ(e->measured(0).audio(), nullptr) << "the video-only file carries audio";
  EXPECT_EQ(e->result.files[0].mime_type, "video/mp4");
  for (size_t i : {1u, 2u}) {
    EXPECT_EQ(e->measured(i).video(), nullptr);
    ASSERT_NE(e->measured(i).audio(), nullptr);
    EXPECT_EQ(e->result.files[i].mime_type, "audio/mp4");
    EXPECT_NEAR(e->measured(i).audio()->duration_s, 4.0, 0.05);
  }
  EXPECT_NEAR(e->measured(1).audio()->bitrate_kbps, 128, 128 * 0.2);
  EXPECT_NEAR(e->measured(2).audio()->bitrate_kbps, 56, 56 * 0.2);
}

TEST(EncodeAudio, FiveOneKeepsSixChannelsAndUpmixesStereo) {
  presets::Preset p = small_preset();
  p.video.reset();
  p.audio->channels = 6;
  p.outputs = {{"{Basename}_{Channel}ch{Extension}"}};
  const auto six = run(p, "bbb-1080p60-vp8-vorbis-6ch.webm", 1.0);
  ASSERT_NE(six->measured().audio(), nullptr);
  EXPECT_EQ(six->measured().audio()->channels, 6);
  EXPECT_GT(mean_volume_db(six->file().string()), -60.0);
  const auto upmixed = run(p, "screen-720p30-h264-aac-rotate180.mp4", 1.0);
  ASSERT_NE(upmixed->measured().audio(), nullptr);
  EXPECT_EQ(upmixed->measured().audio()->channels, 6);
  p.audio->channels = 2;
  const auto downmixed = run(p, "bbb-1080p60-vp8-vorbis-6ch.webm", 1.0);
  EXPECT_EQ(downmixed->measured().audio()->channels, 2);
  EXPECT_GT(mean_volume_db(downmixed->file().string()), -60.0);
}

}  // namespace
}  // namespace mw::encoders
