#pragma once
// Runs one plan: source stage (demux + decode) on one thread, one encode stage per media type
// (filter graph + encoders) on their own threads, bounded queues between them, muxing into the
// output files. The first error wins and stops the rest; a stop request cancels. Output files
// appear only when everything succeeded.

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <vector>

#include "encoders/input_file.hpp"
#include "encoders/plan.hpp"

namespace mw::encoders {

/// Receives progress reports. Called from pipeline threads; implementations must be thread-safe.
class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  /// @param percent 0-100, never decreasing; 100 only once every output (media and metadata)
  ///        is in place
  virtual void on_progress(double percent) = 0;
  /// @param frames video frames this pipeline run has read into its filter graph so far (from 1
  ///        per run; an encode with a measuring pass or several segments runs more than once).
  ///        Called from a stage thread as frames arrive; the default ignores it (metrics use it)
  virtual void on_video_frames(int64_t frames) { (void)frames; }
};

/// Executes the plan, writing plan.outputs into `output_dir`.
/// @return the paths of the committed output files: plan.outputs in order, then the thumbnail
///         files (ThumbnailStage::commit() order)
/// @throws EncodeError (Canceled when `stop` was requested; otherwise the first stage's error);
///         no output file or temporary file is left behind on failure
std::vector<std::filesystem::path> run_pipeline(const EncodePlan& plan, InputFile& input,
                                                const std::filesystem::path& output_dir,
                                                ProgressListener* listener, std::stop_token stop);

/// The same over several inputs: inputs[i] is the opened file of SegmentPlan::input i (the
/// plan's segments are read one after the other, MES Sources concatenation).
std::vector<std::filesystem::path> run_pipeline(const EncodePlan& plan, const std::vector<InputFile*>& inputs,
                                                const std::filesystem::path& output_dir,
                                                ProgressListener* listener, std::stop_token stop);

}  // namespace mw::encoders
