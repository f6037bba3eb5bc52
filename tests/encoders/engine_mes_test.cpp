// MES custom presets (JSON and XML, AMS-V2-REFERENCE.md §8) end to end: the preset text as a
// Task.Configuration carries it, translated (presets/mes_preset) and encoded on real clips, gives
// the outputs the MES documentation describes: a trimmed span, two assets concatenated, a crop,
// an AutoFit letterbox, thumbnails every N seconds, a silent track for a video-only input.
// The layers are small and use Complexity Speed so that each encode takes a second or two.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "encoders/engine.hpp"
#include "encoders/measure.hpp"
#include "presets/mes_preset.hpp"
#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

constexpr double kFrame30 = 1001.0 / 30000;  // one frame of the 29.97 fps clips, seconds

struct Encoded {
  presets::Preset preset;
  TempDir dir;
  EncodeResult result;
  std::filesystem::path file(size_t i = 0) const { return dir.path() / result.files.at(i).name; }
  const MeasuredFile& measured(size_t i = 0) const { return result.measured.at(i); }
};

std::unique_ptr<Encoded> encode_mes(std::string_view text, std::vector<EncodeInput> inputs) {
  auto e = std::make_unique<Encoded>();
  e->preset = presets::parse_mes_preset(text, "inline");
  EncodeRequest request;
  request.input = inputs.front().path;
  request.inputs = std::move(inputs);
  request.preset = &e->preset;
  request.output_dir = e->dir.path();
  e->result = encode(request, nullptr, std::stop_token{});
  return e;
}

std::unique_ptr<Encoded> encode_mes(std::string_view text, const std::string& clip) {
  return encode_mes(text, {{media(clip), "6c2b6b3a-8e8a-4a8d-9f3c-1d2e3f4a5b6c"}});
}

// The MES "trim" sample (media-services-advanced-encoding-with-mes: Sources StartTime/Duration)
// with InsertSilenceIfNoAudio, on the video-only clip whose first picture is stamped 10 s.
constexpr std::string_view kTrimJson = R"({
  "Version": 1.0,
  "Sources": [ { "StartTime": "00:00:11", "Duration": "00:00:02" } ],
  "Codecs": [
    { "KeyFrameInterval": "00:00:02", "Complexity": "Speed",
      "H264Layers": [ { "Profile": "Auto", "Level": "auto", "Bitrate": 800, "MaxBitrate": 800,
                        "BufferWindow": "00:00:05", "Width": 640, "Height": 360, "BFrames": 3,
                        "ReferenceFrames": 3, "AdaptiveBFrame": true, "Type": "H264Layer",
                        "FrameRate": "0/1" } ],
      "Type": "H264Video" },
    { "Profile": "AACLC", "Channels": 2, "SamplingRate": 48000, "Bitrate": 128,
      "Condition": "InsertSilenceIfNoAudio", "Type": "AACAudio" } ],
  "Outputs": [ { "FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4",
                 "Format": { "Type": "MP4Format" } } ]
})";

TEST(MesPresetEncode, TrimmedSpanOfAVideoOnlyClipGetsASilentTrackOfItsLength) {
  const auto e = encode_mes(kTrimJson, "bbb-800x640-h264-video-only-14s.mp4");
  ASSERT_EQ(e->result.measured.size(), 1u);
  const MeasuredFile& f = e->measured();
  EXPECT_EQ(f.name.rfind("bbb-800x640-h264-video-only-14s_", 0), 0u) << f.name;
  const MeasuredTrack* v = f.video();
  const MeasuredTrack* a = f.audio();
  ASSERT_NE(v, nullptr);
  ASSERT_NE(a, nullptr) << "InsertSilenceIfNoAudio gives the video-only clip an audio track";
  EXPECT_NEAR(v->duration_s, 2.0, kFrame30 + 1e-3);
  EXPECT_NEAR(a->duration_s, v->duration_s, 0.05);
  EXPECT_EQ(a->channels, 2);
  EXPECT_EQ(a->sampling_rate, 48000);
  EXPECT_LT(mean_volume_db(e->file().string()), -90.0) << "the inserted track is silent";
  // The first picture is the one at StartTime (1 s into the clip), not the clip's first.
  const std::string in = media("bbb-800x640-h264-video-only-14s.mp4");
  const GrayImage first = decode_gray_frame(e->file().string(), 0, 64, 36);
  EXPECT_LT(mean_abs_diff(first, decode_gray_frame(in, 1.0, 64, 36)),
            mean_abs_diff(first, decode_gray_frame(in, 0.0, 64, 36)));
}

// The MES concatenation sample: two Sources naming their assets, in the task's input order.
constexpr std::string_view kConcatJson = R"({
  "Version": 1.0,
  "Sources": [
    { "AssetID": "11111111-2222-3333-4444-555555555555", "StartTime": "00:00:00", "Duration": "00:00:01.5",
      "Filters": { "Rotation": "0" } },
    { "AssetID": "66666666-7777-8888-9999-000000000000", "Filters": { "Rotation": "0" } } ],
  "Codecs": [
    { "KeyFrameInterval": "00:00:02", "Complexity": "Speed",
      "H264Layers": [ { "Bitrate": 800, "Width": 640, "Height": 360, "Type": "H264Layer" } ],
      "Type": "H264Video" },
    { "Profile": "AACLC", "Channels": 2, "SamplingRate": 48000, "Bitrate": 128, "Type": "AACAudio" } ],
  "Outputs": [ { "FileName": "{Basename}_concat{Extension}", "Format": { "Type": "MP4Format" } } ]
})";

TEST(MesPresetEncode, TwoAssetsConcatenateInTheirSourcesOrder) {
  const auto e = encode_mes(kConcatJson, {{media("screen-720p30-h264-aac-rotate180.mp4"),
                                           "nb:cid:UUID:11111111-2222-3333-4444-555555555555"},
                                          {media("clip-1080x720-h264-aac-mono-1s.mp4"),
                                           "nb:cid:UUID:66666666-7777-8888-9999-000000000000"}});
  const MeasuredFile& f = e->measured();
  EXPECT_EQ(f.name, "screen-720p30-h264-aac-rotate180_concat.mp4");
  const MeasuredTrack* v = f.video();
  const MeasuredTrack* a = f.audio();
  ASSERT_NE(v, nullptr);
  ASSERT_NE(a, nullptr);
  EXPECT_NEAR(v->duration_s, 1.5 + 1.001, kFrame30 + 1e-3) << "1.5 s of the first asset, then all 1.001 s of the second";
  EXPECT_NEAR(a->duration_s, v->duration_s, 0.05);
  // After the join: the second asset's picture.
  const GrayImage out = decode_gray_frame(e->file().string(), 2.0, 64, 36);
  EXPECT_LT(mean_abs_diff(out, decode_gray_frame(media("clip-1080x720-h264-aac-mono-1s.mp4"), 0.5, 64, 36)), 8.0);
}

// The MES crop sample (media-services-crop-video): Filters Crop, the layer the cropped size.
constexpr std::string_view kCropXml = R"(<?xml version="1.0" encoding="utf-8"?>
<Preset xmlns="http://www.windowsazure.com/media/encoding/Preset/2014/03" Version="1.0">
  <Sources>
    <Source StartTime="PT0S" Duration="PT1S">
      <Filters>
        <Crop X="320" Y="180" Width="640" Height="360" />
      </Filters>
    </Source>
  </Sources>
  <Encoding>
    <H264Video>
      <KeyFrameInterval>00:00:02</KeyFrameInterval>
      <Complexity>Speed</Complexity>
      <H264Layers>
        <H264Layer>
          <Bitrate>800</Bitrate>
          <Width>640</Width>
          <Height>360</Height>
          <FrameRate>0/1</FrameRate>
        </H264Layer>
      </H264Layers>
    </H264Video>
    <AACAudio>
      <Bitrate>128</Bitrate>
    </AACAudio>
  </Encoding>
  <Outputs>
    <Output FileName="{Basename}_cropped_{Width}x{Height}.mp4">
      <MP4Format />
    </Output>
  </Outputs>
</Preset>)";

TEST(MesPresetEncode, CropTakesTheCentreOfTheCodedPicture) {
  const auto e = encode_mes(kCropXml, "clip-1080x720-h264-aac-mono-1s.mp4");
  const MeasuredTrack* v = e->measured().video();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(e->measured().name, "clip-1080x720-h264-aac-mono-1s_cropped_640x360.mp4");
  EXPECT_EQ(v->width, 640);
  EXPECT_EQ(v->height, 360);
  EXPECT_NEAR(v->duration_s, 1.0, kFrame30 + 1e-3);
  // The output is the source's centre region, not the whole picture scaled down.
  const GrayImage src = decode_gray_frame(media("clip-1080x720-h264-aac-mono-1s.mp4"), 0.5, 1080, 720);
  GrayImage centre{640, 360, {}};
  for (int y = 0; y < 360; ++y)
    for (int x = 0; x < 640; ++x) centre.pixels.push_back(static_cast<uint8_t>(src.at(320 + x, 180 + y)));
  const GrayImage out = decode_gray_frame(e->file().string(), 0.5, 640, 360);
  const GrayImage whole = decode_gray_frame(media("clip-1080x720-h264-aac-mono-1s.mp4"), 0.5, 640, 360);
  EXPECT_LT(mean_abs_diff(out, centre), 6.0);
  EXPECT_GT(mean_abs_diff(out, whole), mean_abs_diff(out, centre));
}

// StretchMode AutoFit (MES schema: pad to exactly the layer's box): the 2.4:1 clip in a 16:9
// box is letterboxed.
constexpr std::string_view kAutoFitJson = R"({
  "Version": 1.0,
  "Codecs": [
    { "KeyFrameInterval": "00:00:02", "StretchMode": "AutoFit", "Complexity": "Speed",
      "H264Layers": [ { "Bitrate": 1000, "Width": 1280, "Height": 720, "Type": "H264Layer" } ],
      "Type": "H264Video" },
    { "Bitrate": 128, "Type": "AACAudio" } ],
  "Outputs": [ { "FileName": "{Basename}_{Resolution}{Extension}", "Format": { "Type": "MP4Format" } } ]
})";

TEST(MesPresetEncode, AutoFitLetterboxesAWidePictureToTheWholeBox) {
  const auto e = encode_mes(kAutoFitJson, "clip-960x400-mpeg4-mp3.avi");
  const MeasuredTrack* v = e->measured().video();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(e->measured().name, "clip-960x400-mpeg4-mp3_1280x720.mp4");
  EXPECT_EQ(v->width, 1280);
  EXPECT_EQ(v->height, 720);
  // 960x400 fitted to 1280 wide is 1280x534: bars of 93 lines above and below.
  const GrayImage out = decode_gray_frame(e->file().string(), 1.0, 1280, 720);
  auto row_mean = [&](int y) {
    double sum = 0;
    for (int x = 0; x < 1280; ++x) sum += out.at(x, y);
    return sum / 1280;
  };
  EXPECT_LT(row_mean(40), 20.0) << "top bar is black";
  EXPECT_LT(row_mean(680), 20.0) << "bottom bar is black";
  EXPECT_GT(row_mean(360), row_mean(40) + 10) << "the picture is in the middle";
}

// Thumbnails every N seconds (media-services-dotnet-generate-thumbnail-with-mes: JpgImage with
// Start, Step, Range and a JpgLayer), beside nothing else.
constexpr std::string_view kThumbnailsJson = R"({
  "Version": 1.0,
  "Codecs": [
    { "JpgLayers": [ { "Quality": 90, "Type": "JpgLayer", "Width": 640, "Height": 360 } ],
      "Start": "00:00:00", "Step": "00:00:04", "Range": "00:00:12", "Type": "JpgImage" } ],
  "Outputs": [ { "FileName": "{Basename}_{Index}{Extension}", "Format": { "Type": "JpgFormat" } } ]
})";

TEST(MesPresetEncode, ThumbnailsEveryFourSecondsOverTwelve) {
  const auto e = encode_mes(kThumbnailsJson, "vfr-640x360-h264-aac-17s.mp4");
  std::vector<std::string> images;
  for (const auto& f : e->result.files)
    if (f.name.ends_with(".jpg")) images.push_back(f.name);
  std::sort(images.begin(), images.end());
  EXPECT_EQ(images, (std::vector<std::string>{"vfr-640x360-h264-aac-17s_000001.jpg", "vfr-640x360-h264-aac-17s_000002.jpg",
                                              "vfr-640x360-h264-aac-17s_000003.jpg"}))
      << "captures at 0, 4 and 8 s (12 s is the end of the Range)";
  // The second image is the picture at 4 s.
  const GrayImage second = decode_gray_frame((e->dir.path() / images.at(1)).string(), 0, 64, 36);
  const std::string in = media("vfr-640x360-h264-aac-17s.mp4");
  EXPECT_LT(mean_abs_diff(second, decode_gray_frame(in, 4.0, 64, 36)),
            mean_abs_diff(second, decode_gray_frame(in, 8.0, 64, 36)));
}

}  // namespace
}  // namespace mw::encoders
