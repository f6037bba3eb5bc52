// The playback harness (browser_playback.hpp) on HLS and DASH made by the ffmpeg CLI: a good
// stream plays to its end in headless Chromium at its size with the source's picture, and broken
// ones come back as reports with errors, quickly, rather than as hangs.

#include "tests/support/browser_playback.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "tests/encoders/decoded_media.hpp"
#include "tests/support/process.hpp"

namespace mw::test {
namespace {

using encoders::test_support::decode_gray_frame;
using encoders::test_support::GrayImage;
using encoders::test_support::mean_abs_diff;

const std::string kSource = std::string(MW_MEDIA_DIR) + "/vfr-640x360-h264-aac-17s.mp4";
constexpr auto kTimeout = std::chrono::seconds(90);
constexpr double kSnapshotAt = 3.0;  // seconds
constexpr int kLumaWidth = 64, kLumaHeight = 36;

GrayImage gray(const PlaybackSnapshot& snapshot) {
  return {kLumaWidth, kLumaHeight, luma_of(snapshot, kLumaWidth, kLumaHeight)};
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// 7 s of the VFR clip as DASH with HLS playlists beside it (master.m3u8, media_0/1.m3u8): 2 s
// segments, H.264 + AAC in separate fMP4 renditions, as a packager makes them. (Not 6 s: then
// the last audio segment holds one 9 ms AAC frame, and hls.js 1.7.4 never signals the audio end
// of stream, so playback stalls 0.2 s before the end; the harness reports that as a stall.)
class BrowserPlayback : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stream_ = std::make_unique<TempDir>();
    const ProcessResult r = run({"/usr/bin/ffmpeg",
                                 "-nostdin",
                                 "-hide_banner",
                                 "-loglevel",
                                 "error",
                                 "-t",
                                 "7",
                                 "-i",
                                 kSource,
                                 "-c:v",
                                 "libx264",
                                 "-preset",
                                 "veryfast",
                                 "-g",
                                 "48",
                                 "-c:a",
                                 "aac",
                                 "-f",
                                 "dash",
                                 "-hls_playlist",
                                 "1",
                                 "-seg_duration",
                                 "2",
                                 (stream_->path() / "stream.mpd").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { stream_.reset(); }

  // A copy of the stream without its second video segment (the manifests still name it).
  static std::unique_ptr<TempDir> stream_without_a_segment() {
    auto copy = std::make_unique<TempDir>();
    std::filesystem::copy(stream_->path(), copy->path(), std::filesystem::copy_options::recursive);
    EXPECT_TRUE(std::filesystem::remove(copy->path() / "chunk-stream0-00002.m4s"));
    return copy;
  }

  // The playback ended without error at the source's size, and the snapshot shows the source's
  // picture at the snapshot's time.
  static void expect_played_like_the_source(const PlaybackReport& report) {
    EXPECT_TRUE(report.ended) << report.log;
    EXPECT_EQ(report.error, "") << report.log;
    EXPECT_TRUE(report.not_found.empty()) << report.not_found.front();
    EXPECT_EQ(report.video_width, 640);
    EXPECT_EQ(report.video_height, 360);
    EXPECT_NEAR(report.duration_s, 7.0, 0.1);
    EXPECT_NEAR(report.current_time_s, report.duration_s, 0.1);
    ASSERT_TRUE(report.snapshot.has_value()) << report.log;
    const PlaybackSnapshot& snapshot = *report.snapshot;
    EXPECT_EQ(snapshot.width, 640);
    EXPECT_EQ(snapshot.height, 360);
    EXPECT_GE(snapshot.time_s, kSnapshotAt);
    EXPECT_LT(snapshot.time_s, kSnapshotAt + 0.5);  // the first frame presented at or after 3 s
    EXPECT_GT(mean_luma(snapshot), 60) << "a black or dark snapshot";

    const GrayImage seen = gray(snapshot);
    const GrayImage source_then =
        decode_gray_frame(kSource, snapshot.time_s, kLumaWidth, kLumaHeight);
    const GrayImage source_later =
        decode_gray_frame(kSource, snapshot.time_s + 2.5, kLumaWidth, kLumaHeight);
    const double same = mean_abs_diff(seen, source_then), other = mean_abs_diff(seen, source_later);
    EXPECT_LT(same, 8.0) << "the snapshot is not the source's picture at " << snapshot.time_s
                         << " s";
    EXPECT_GT(other, 2 * same)
        << "the snapshot matches the source 2.5 s later as well as at its time";
    std::cout << "snapshot at " << snapshot.time_s << " s: mean luma " << mean_luma(snapshot)
              << ", luma difference to the source then " << same << ", 2.5 s later " << other
              << "\n";
  }

  static std::unique_ptr<TempDir> stream_;
};

std::unique_ptr<TempDir> BrowserPlayback::stream_;

TEST_F(BrowserPlayback, HlsOutputPlaysToTheEndWithTheSourcePicture) {
  const PlaybackReport report =
      play_in_chromium(stream_->path(), "master.m3u8", Player::Hls, kSnapshotAt, kTimeout);
  expect_played_like_the_source(report);
  EXPECT_NE(report.log.find("hlsBufferCodecs"), std::string::npos)
      << "not played through hls.js's MSE path";
  std::cout << "HLS playback: " << report.wall_s << " s wall\n";
}

TEST_F(BrowserPlayback, DashOutputPlaysToTheEndWithTheSourcePicture) {
  const PlaybackReport report =
      play_in_chromium(stream_->path(), "stream.mpd", Player::Dash, kSnapshotAt, kTimeout);
  expect_played_like_the_source(report);
  std::cout << "DASH playback: " << report.wall_s << " s wall\n";
}

TEST_F(BrowserPlayback, HlsMissingSegmentIsAnErrorNotAHang) {
  const auto broken = stream_without_a_segment();
  const PlaybackReport report =
      play_in_chromium(broken->path(), "master.m3u8", Player::Hls, kSnapshotAt, kTimeout);
  EXPECT_FALSE(report.ended);
  EXPECT_NE(report.error.find("fragLoadError HTTP 404"), std::string::npos) << report.error << "\n"
                                                                            << report.log;
  EXPECT_NE(report.error.find("chunk-stream0-00002.m4s"), std::string::npos) << report.error;
  EXPECT_TRUE(contains(report.not_found, "/media/chunk-stream0-00002.m4s"));
  EXPECT_LT(report.current_time_s, 2.5);  // the first segment's end
  EXPECT_LT(report.wall_s, 30);
}

TEST_F(BrowserPlayback, DashMissingSegmentIsAnErrorNotAHang) {
  const auto broken = stream_without_a_segment();
  const PlaybackReport report =
      play_in_chromium(broken->path(), "stream.mpd", Player::Dash, kSnapshotAt, kTimeout);
  EXPECT_FALSE(report.ended);
  EXPECT_NE(report.error.find("chunk-stream0-00002.m4s is not available"), std::string::npos)
      << report.error << "\n"
      << report.log;
  EXPECT_TRUE(contains(report.not_found, "/media/chunk-stream0-00002.m4s"));
  EXPECT_LT(report.current_time_s, 2.5);
  EXPECT_LT(report.wall_s, 30);
}

// A media playlist without #EXT-X-ENDLIST is live: hls.js plays what is there and waits for more.
// The page reports the stall after PlaybackOptions::stall rather than leaving the test waiting.
TEST_F(BrowserPlayback, StreamThatStopsShortIsReportedAsAStall) {
  const auto live = std::make_unique<TempDir>();
  std::filesystem::copy(stream_->path(), live->path(), std::filesystem::copy_options::recursive);
  for (const char* playlist : {"media_0.m3u8", "media_1.m3u8"}) {
    const auto file = live->path() / playlist;
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("#EXT-X-ENDLIST");
    ASSERT_NE(at, std::string::npos) << playlist;
    std::ofstream(file) << text.substr(0, at);
  }
  PlaybackOptions options;
  options.stall = std::chrono::seconds(3);
  const PlaybackReport report =
      play_in_chromium(live->path(), "master.m3u8", Player::Hls, -1, kTimeout, options);
  EXPECT_FALSE(report.ended);
  EXPECT_NE(report.error.find("stalled at"), std::string::npos) << report.error << "\n"
                                                                << report.log;
  EXPECT_LT(report.wall_s, 30);
}

TEST_F(BrowserPlayback, NoReportInTimeThrowsAndEndsChromium) {
  PlaybackOptions options;
  options.rate = 1;  // 7 s of playback
  try {
    play_in_chromium(stream_->path(), "stream.mpd", Player::Dash, -1, std::chrono::seconds(1),
                     options);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no report within 1 s"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Chromium's stderr"), std::string::npos) << e.what();
  }
}

TEST(BrowserPlaybackSetup, MissingManifestIsNamedBeforeChromiumStarts) {
  TempDir empty;
  try {
    play_in_chromium(empty.path(), "stream.mpd", Player::Dash, -1, std::chrono::seconds(5));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((empty.path() / "stream.mpd").string()), std::string::npos)
        << e.what();
  }
}

TEST(BrowserPlaybackSetup, MissingPlayersAreNamed) {
  TempDir stream, page;
  std::ofstream(stream.path() / "stream.mpd") << "<MPD/>";
  std::ofstream(page.path() / "player.html") << "<html></html>";
  PlaybackOptions options;
  options.page_dir = page.path();
  try {
    play_in_chromium(stream.path(), "stream.mpd", Player::Dash, -1, std::chrono::seconds(5),
                     options);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("node_modules/hls.js/dist/hls.min.js"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("install-deps.sh"), std::string::npos) << e.what();
  }
}

TEST(BrowserPlaybackReport, SnapshotPixelsAreDecodedToRgb) {
  // Two RGBA pixels (255,0,0,255) (0,128,255,255), base64.
  const PlaybackReport report = parse_playback_report(
      R"({"ended":true,"error":"","videoWidth":2,"videoHeight":1,"duration":1.5,"currentTime":1.5,)"
      R"("snapshot":{"width":2,"height":1,"time":0.5,"rgba":"/wAA/wCA//8="},"log":"a\nb"})");
  EXPECT_TRUE(report.ended);
  EXPECT_EQ(report.video_width, 2);
  ASSERT_TRUE(report.snapshot);
  EXPECT_EQ(report.snapshot->rgb, (std::vector<uint8_t>{255, 0, 0, 0, 128, 255}));
  EXPECT_DOUBLE_EQ(report.snapshot->time_s, 0.5);
  EXPECT_NEAR(mean_luma(*report.snapshot), (0.299 * 255 + 0.587 * 128 + 0.114 * 255) / 2, 0.5);
  EXPECT_THROW(
      parse_playback_report(R"({"snapshot":{"width":3,"height":1,"rgba":"/wAA/wCA//8="}})"),
      std::runtime_error);
}

TEST(BrowserPlaybackReport, LumaDifferenceIsZeroForOnePictureAndLargeForItsNegative) {
  PlaybackSnapshot picture{128, 72, 0, {}}, negative{128, 72, 0, {}};
  for (int y = 0; y < 72; ++y)
    for (int x = 0; x < 128; ++x)
      for (int c = 0; c < 3; ++c) {
        const auto v = static_cast<uint8_t>((x * 2 + y) % 256);
        picture.rgb.push_back(v);
        negative.rgb.push_back(static_cast<uint8_t>(255 - v));
      }
  EXPECT_DOUBLE_EQ(mean_abs_luma_difference(picture, picture), 0.0);
  EXPECT_GT(mean_abs_luma_difference(picture, negative), 60.0);
}

}  // namespace
}  // namespace mw::test
