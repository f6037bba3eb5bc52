#pragma once
// Plays an HLS or DASH output in headless Chromium through hls.js or dash.js (MSE), as a viewer's
// browser would, and reads back what the page saw: whether playback reached the end, errors, the
// video size and one frame. The page is tests/playback/player.html; Chromium is Debian's package
// and the players come from tests/playback/node_modules (scripts/install-deps.sh installs both).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mw::test {

enum class Player { Hls, Dash };

/// One frame as the page drew it into a canvas: 8-bit RGB (sRGB, as Chromium renders the video),
/// row-major, width * height * 3 bytes.
struct PlaybackSnapshot {
  int width = 0;
  int height = 0;
  double time_s = 0;  ///< media time of the presented frame (requestVideoFrameCallback mediaTime)
  std::vector<uint8_t> rgb;
};

/// What the page reported when the video ended, a player raised a fatal error, or playback made no
/// progress for `PlaybackOptions::stall`.
struct PlaybackReport {
  bool ended = false;  ///< the video element's `ended`
  std::string error;  ///< the errors seen, "; "-joined (player errors, video element error, stall);
                      ///< empty if none
  int video_width = 0;    ///< videoWidth, pixels
  int video_height = 0;   ///< videoHeight, pixels
  double duration_s = 0;  ///< the video element's duration (-1 when not finite)
  double current_time_s = 0;
  std::optional<PlaybackSnapshot> snapshot;  ///< none when playback never reached the snapshot time
  std::string log;                     ///< the page's event log, one "wall-seconds event" a line
  std::vector<std::string> not_found;  ///< request targets the server answered 404
  double wall_s = 0;                   ///< from starting Chromium to the report, seconds
};

/// How the page plays. Defaults suit a few seconds of stream on a loaded 2-core machine.
struct PlaybackOptions {
  /// The video element's playbackRate. Chromium keeps up at 4 on a few seconds of 720p.
  double rate = 4;
  /// The page reports (with an error) when currentTime has not moved for this long.
  std::chrono::seconds stall{20};
  std::filesystem::path chromium = "/usr/bin/chromium";
  /// player.html, player.js and node_modules/ (hls.js, dashjs); default MW_PLAYBACK_DIR.
  std::filesystem::path page_dir;
};

/// Serves `folder` (the stream under test, at /media/) and the player page over HTTP on 127.0.0.1
/// at an ephemeral port, runs headless Chromium on the page (its own temporary --user-data-dir),
/// with `manifest` (a path relative to `folder`, e.g. "master.m3u8" or "stream.mpd") played by
/// `player`, a snapshot taken at the first frame presented at or after `snapshot_at_s` seconds
/// (none when negative), waits for the page's report (at most `timeout`), and kills Chromium.
/// A Chromium that neither reports nor exits in time is replaced once by a fresh one (a hung
/// headless browser on a loaded machine); the second silence throws.
/// Throws std::runtime_error naming what is missing (the Chromium binary, node_modules: run
/// scripts/install-deps.sh), or on timeout or when Chromium exits without a report, with the tail
/// of Chromium's stderr and the 404s.
PlaybackReport play_in_chromium(const std::filesystem::path& folder, const std::string& manifest,
                                Player player, double snapshot_at_s, std::chrono::seconds timeout,
                                const PlaybackOptions& options = {});

/// Parses the page's JSON report (player.js): the snapshot's base64 RGBA pixels become RGB.
/// Throws std::runtime_error on malformed JSON or a snapshot whose size does not match its pixels.
PlaybackReport parse_playback_report(const std::string& json);

/// The snapshot's luma (BT.601 weights on its RGB, full range 0-255), area-averaged to
/// width x height, row-major. Comparable with a decoded frame's full-range luma at the same size.
std::vector<uint8_t> luma_of(const PlaybackSnapshot& snapshot, int width, int height);

/// The snapshot's mean luma, 0-255 (a black frame is near 0; limited-range black drawn by Chromium
/// is 0 as well).
double mean_luma(const PlaybackSnapshot& snapshot);

/// The mean absolute difference of two snapshots' luma, both area-averaged to 64x36, in 8-bit
/// levels (0-255). Snapshots of the same picture differ by a few levels.
double mean_abs_luma_difference(const PlaybackSnapshot& a, const PlaybackSnapshot& b);

}  // namespace mw::test
