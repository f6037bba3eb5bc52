#pragma once
// The encoding engine's one entry point (DESIGN.md: "run this task's plan with these inputs into
// this output folder, report progress, honour cancel"). Used by `mediaworker encode` and by the
// daemon's workers.

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/encode_error.hpp"
#include "encoders/loudness.hpp"
#include "encoders/measure.hpp"
#include "encoders/media_info.hpp"
#include "encoders/pipeline.hpp"
#include "encoders/plan.hpp"
#include "presets/preset.hpp"

namespace mw::encoders {

/// One input asset's primary file.
struct EncodeInput {
  std::string path;
  std::string asset_id;  ///< the AMS asset Id (matched against the preset's Sources AssetID)
};

struct EncodeRequest {
  std::string input;                   ///< path of the primary input file
  /// The task's inputs in its input-asset order, for presets with Sources (concatenation).
  /// Empty: `input` alone. When set, inputs[0] is the primary input (`input` is ignored).
  std::vector<EncodeInput> inputs;
  const presets::Preset* preset = nullptr;
  std::filesystem::path output_dir;    ///< created if missing
  PlanOptions options;
  /// Name of the input metadata file; "" means "<input stem>_metadata.xml" (the daemon passes
  /// "<input-asset-guid>_metadata.xml", as AMS names it).
  std::string input_metadata_name;
};

/// One file the encode produced (becomes an AssetFile of the output asset).
struct OutputAssetFile {
  std::string name;       ///< file name in output_dir
  int64_t size_bytes = 0;
  std::string mime_type;  ///< "video/mp4", "audio/mp4", "image/jpeg", "image/png", "image/bmp",
                          ///< "text/vtt" (sprite cues), "application/xml"
  bool is_primary = false;
};

struct EncodeResult {
  MediaInfo input;
  EncodePlan plan;
  /// The progressive MP4 files first, then each streaming output's files (its manifests, then
  /// its media files: .ismv/.isma, CMAF init and media segments, .ts), then thumbnails (the
  /// first file is primary), then the metadata. The output metadata (_manifest.xml) lists the
  /// MP4 and streaming files: its AssetFile has a Duration and tracks (§9), which a still image
  /// has not.
  std::vector<OutputAssetFile> files;
  /// The measured values of files[0..measured.size()) (the MP4 and streaming files).
  std::vector<MeasuredFile> measured;
  /// The input audio's loudness (pass 1 of loudness normalisation), when the preset normalises.
  std::optional<LoudnessMeasurement> input_loudness;
  double pipeline_wall_s = 0;  ///< wall-clock seconds of the encode pipeline (decode to mux)
};

/// Probes the input(s), plans, encodes, measures the outputs and writes `<basename>_manifest.xml`
/// and the input metadata into output_dir. Every file appears complete or not at all.
/// With AudioCodec::loudness the input's audio is measured first (a decode of the audio only,
/// counted as the first part of the progress), loudnorm is added to the plan's audio filter
/// graph, and the encoded audio is measured for the manifest's LoudnessMeteringResultParameters.
/// @throws EncodeError with the category of the failure (Canceled when `stop` was requested)
EncodeResult encode(const EncodeRequest& request, ProgressListener* listener, std::stop_token stop);

}  // namespace mw::encoders
