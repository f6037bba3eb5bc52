// The CMAF package of a real clip (two layers and the audio, 6 s, written by encoders::encode())
// played in headless Chromium by hls.js (the master .m3u8) and dash.js (the .mpd), as a
// viewer's browser plays it (tests/support/browser_playback.hpp): playback reaches the end
// without an error or a 404, at a size of the ladder (exactly the top layer's when the manifest
// offers only it), and the picture mid-way is the source's at that time (issue 5).
//
// 6 s is the length where a packager cutting the audio on its own 2 s clock leaves a last audio
// segment of one 21 ms AAC frame, on which hls.js 1.7.4 never ends playback (see
// browser_playback_test.cpp); ours cuts the audio at the video's segment starts.

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/encode_cache.hpp"
#include "tests/encoders/package_encodes.hpp"
#include "tests/encoders/package_reading.hpp"
#include "tests/encoders/test_support.hpp"
#include "tests/support/browser_playback.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
using test::PlaybackReport;
using test::Player;

constexpr auto kTimeout = std::chrono::seconds(90);
constexpr double kSnapshotAt = 3.0;

// The 6 s CMAF package of engine_package_test.cpp (two layers and the audio; the folder has
// the Smooth and TS files of the same encode too).
const EncodedClip& two_layer_cmaf() {
  return cmaf_smooth_ts();
}
constexpr double kDurationS = kCmafSmoothTsDurationS;

// The package with manifests that offer only the top layer (the players then cannot pick
// another): top.m3u8 (the master's first variant) and top.mpd (the first video Representation).
const std::filesystem::path& top_layer_only() {
  static TempDir dir;
  static bool made = false;
  if (made) return dir.path();
  made = true;
  const EncodedClip& e = two_layer_cmaf();
  std::filesystem::copy(e.output_dir, dir.path(), std::filesystem::copy_options::recursive);
  std::string master = read_text(dir.path() / (std::string(kStem) + ".m3u8"));
  const auto second = master.find("#EXT-X-STREAM-INF", master.find("#EXT-X-STREAM-INF") + 1);
  EXPECT_NE(second, std::string::npos);
  std::ofstream(dir.path() / "top.m3u8") << master.substr(0, second);
  pugi::xml_document mpd;
  EXPECT_TRUE(mpd.load_file((dir.path() / (std::string(kStem) + ".mpd")).c_str()));
  auto video = mpd.child("MPD").child("Period").find_child_by_attribute("AdaptationSet",
                                                                        "contentType", "video");
  video.remove_child(video.children("Representation").begin()->next_sibling("Representation"));
  mpd.save_file((dir.path() / "top.mpd").c_str());
  return dir.path();
}

// Ended at the package's end without an error, at one of `sizes`, with the source's picture.
void expect_played_like_the_source(const PlaybackReport& report,
                                   const std::vector<std::string>& sizes) {
  EXPECT_TRUE(report.ended) << report.error << "\n" << report.log;
  EXPECT_EQ(report.error, "") << report.log;
  EXPECT_TRUE(report.not_found.empty()) << report.not_found.front();
  const std::string size =
      std::to_string(report.video_width) + "x" + std::to_string(report.video_height);
  EXPECT_NE(std::find(sizes.begin(), sizes.end(), size), sizes.end()) << size;
  EXPECT_NEAR(report.duration_s, kDurationS, 0.1);
  EXPECT_NEAR(report.current_time_s, report.duration_s, 0.1);
  ASSERT_TRUE(report.snapshot.has_value()) << report.log;
  const test::PlaybackSnapshot& snapshot = *report.snapshot;
  EXPECT_GE(snapshot.time_s, kSnapshotAt);
  EXPECT_LT(snapshot.time_s, kSnapshotAt + 0.5);
  EXPECT_GT(test::mean_luma(snapshot), 60) << "a black or dark snapshot";
  const GrayImage seen{64, 36, test::luma_of(snapshot, 64, 36)};
  const GrayImage then = decode_gray_frame(media(kClip), snapshot.time_s, 64, 36);
  const GrayImage later = decode_gray_frame(media(kClip), snapshot.time_s + 2.5, 64, 36);
  const double same = mean_abs_diff(seen, then), other = mean_abs_diff(seen, later);
  EXPECT_LT(same, 8.0) << "the snapshot is not the source's picture at " << snapshot.time_s << " s";
  EXPECT_GT(other, 2 * same) << "the snapshot matches the source 2.5 s later as well";
  std::cout << "played at " << size << " in " << report.wall_s << " s wall; snapshot at "
            << snapshot.time_s << " s: luma difference to the source " << same
            << " (2.5 s later: " << other << ")\n";
}

const std::vector<std::string> kLadder{"640x360", "320x180"};

TEST(PackagePlayback, HlsJsPlaysTheCmafMasterPlaylistToTheEnd) {
  const EncodedClip& e = two_layer_cmaf();
  ASSERT_EQ(e.error, "");
  const PlaybackReport report = test::play_in_chromium(e.output_dir, std::string(kStem) + ".m3u8",
                                                       Player::Hls, kSnapshotAt, kTimeout);
  expect_played_like_the_source(report, kLadder);
}

TEST(PackagePlayback, DashJsPlaysTheCmafMpdToTheEnd) {
  const EncodedClip& e = two_layer_cmaf();
  ASSERT_EQ(e.error, "");
  const PlaybackReport report = test::play_in_chromium(e.output_dir, std::string(kStem) + ".mpd",
                                                       Player::Dash, kSnapshotAt, kTimeout);
  expect_played_like_the_source(report, kLadder);
}

TEST(PackagePlayback, TopLayerOnlyPlaysAtTheTopLayersSizeInBothPlayers) {
  ASSERT_EQ(two_layer_cmaf().error, "");
  const auto& dir = top_layer_only();
  expect_played_like_the_source(
      test::play_in_chromium(dir, "top.m3u8", Player::Hls, kSnapshotAt, kTimeout), {"640x360"});
  expect_played_like_the_source(
      test::play_in_chromium(dir, "top.mpd", Player::Dash, kSnapshotAt, kTimeout), {"640x360"});
}

}  // namespace
}  // namespace mw::encoders
