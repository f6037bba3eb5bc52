#pragma once
// The quality report of `mediaworker encode --report` (DESIGN.md, preset developers: "see the
// graph it resolves to, the measured bitrate and quality"): per video layer the measured bitrate
// against the target, PSNR and SSIM against the source, and the encode speed; for the audio the
// measured bitrate against the target (and the loudness, when the preset normalises it).
//
// PSNR and SSIM compare each layer's output, decoded, with the source decoded again and run
// through that layer's own filter chain from the plan (the same deinterlacer, tone-mapping,
// display transform and scaler the encode used), frame by frame matched by presentation time,
// inside the layer's picture area (AutoFit padding is excluded). libavfilter's psnr and ssim
// filters compute the values; the output file is read in the same graph by the movie filter.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/engine.hpp"
#include "encoders/loudness.hpp"

namespace mw::encoders {

/// One video layer's row.
struct VideoLayerQuality {
  size_t layer = 0;            ///< index into EncodePlan::video
  std::string file;            ///< the output file measured (the first that carries the layer)
  Size size;                   ///< encoded picture, pixels
  Size picture;                ///< the compared area (the picture without AutoFit padding), pixels
  int target_kbps = 0;         ///< the layer's bitrate (x264 ABR target), kbps
  double bitrate_kbps = 0;     ///< measured over the track's duration, kbps
  double bitrate_percent = 0;  ///< bitrate_kbps / target_kbps x 100
  /// PSNR of the luma and of all planes weighted by their size, dB, from the mean squared error
  /// over all compared frames (as the psnr filter's own summary); +infinity when identical.
  double psnr_y_db = 0;
  double psnr_avg_db = 0;
  double ssim = 0;  ///< mean SSIM of all planes (the ssim filter's "All"), 0-1
  int64_t frames_compared = 0;
  int64_t frames = 0;     ///< frames in the output track
  double encode_fps = 0;  ///< frames / wall-clock seconds of the encode (all layers encode at once)
};

/// The audio row.
struct AudioQuality {
  std::string file;
  int target_kbps = 0;
  double bitrate_kbps = 0;
  double bitrate_percent = 0;
  std::optional<LoudnessMeasurement>
      loudness;  ///< the output's, when the preset normalises loudness
};

struct QualityReport {
  std::vector<VideoLayerQuality> video;
  std::optional<AudioQuality> audio;
  double encode_wall_s = 0;  ///< EncodeResult::pipeline_wall_s
};

/// Builds the report of a finished encode whose files are in `output_dir`.
/// @throws EncodeError: decoding the source or an output fails (the source's categories,
///         Processing for the comparison graph), Canceled when `stop` is requested
QualityReport make_quality_report(const EncodeResult& result,
                                  const std::filesystem::path& output_dir, std::stop_token stop);

/// The report as a text table, one row per video layer, then the audio line.
std::string quality_report_table(const QualityReport& report);

/// The report as JSON: {"encode_seconds", "video": [{"layer", "file", "width", "height",
/// "picture_width", "picture_height", "target_kbps", "bitrate_kbps", "bitrate_percent",
/// "psnr_y_db", "psnr_avg_db", "ssim", "frames_compared", "frames", "encode_fps"}],
/// "audio": {"file", "target_kbps", "bitrate_kbps", "bitrate_percent", "loudness"?} or null}.
/// An infinite PSNR (identical pictures) is null.
nlohmann::json quality_report_json(const QualityReport& report);

}  // namespace mw::encoders
