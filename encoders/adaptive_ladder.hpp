#pragma once
// Content-adaptive ladders: the layers of a preset whose video ladder is
// presets::LadderMode::ContentAdaptive (MES "Adaptive Streaming" and "Content Adaptive Multiple
// Bitrate MP4", AMS-V2-REFERENCE.md §7) are built from each input, never above its resolution or
// its video bitrate. docs/presets.md, "Content-adaptive ladders", explains the model and its
// calibration.
//
// Two steps:
//  1. probe_complexity(): a few short segments sampled across the input are encoded at CRF 23
//     (x264 veryfast, the preset's GOP) into 640x360 (or the source's size when smaller); their
//     average bitrate measures how hard the content is to compress.
//  2. ladder_from_probe() (pure, unit-tested): that bitrate scales MES's documented 1080p ladder
//     (6780/3520/2210/1150/720/380 kbps at 1080/720/540/360/270/180 lines); the top layer is
//     capped at the source's video bitrate and the lower layers keep MES's ratios to it.

#include <stop_token>
#include <string>
#include <vector>

#include "encoders/media_info.hpp"
#include "encoders/plan.hpp"
#include "presets/preset.hpp"

namespace mw::encoders {

/// The complexity probe's encoder settings.
inline constexpr int kProbeCrf = 23;                 ///< x264 CRF of the probe encode
inline constexpr Size kProbeBox{640, 360};           ///< probe picture box (AutoSize, no upscale)
inline constexpr double kProbeSegmentS = 2.0;        ///< length of one sampled segment, seconds
inline constexpr int kProbeMaxSegments = 5;          ///< segments of a long input
/// The probe bitrate of typical-complexity content (kbps at CRF 23, veryfast, 640x360, the
/// source's frame rate): content measuring this gets MES's 1080p example ladder unchanged.
inline constexpr double kTypicalProbeKbps = 800;
/// The complexity factor is limited to this range (a still picture or pure noise in the sampled
/// seconds must not give an absurd ladder).
inline constexpr double kMinComplexity = 0.4;
inline constexpr double kMaxComplexity = 1.5;
/// Layers whose bitrate would be below this are left out (the top layer is always kept), kbps.
inline constexpr int kMinLayerKbps = 100;

/// What the complexity probe measured.
struct ComplexityProbe {
  int segments = 0;        ///< segments encoded
  double seconds = 0;      ///< media time encoded in all, seconds
  Size size;               ///< the probe's picture size, pixels (display orientation)
  double kbps = 0;         ///< average video bitrate of the CRF encode, kbps
  double elapsed_s = 0;    ///< wall-clock time the probe took, seconds
};

/// The facts about the source a ladder depends on.
struct LadderSource {
  double display_width = 0;   ///< the displayed picture in square pixels (after SAR, rotation)
  double display_height = 0;
  double video_kbps = 0;      ///< the source's video bitrate, kbps; 0 = unknown (no cap)
};

/// A built ladder and why it is what it is.
struct AdaptiveLadder {
  std::vector<presets::VideoLayer> layers;  ///< highest first; boxes in the display orientation
  double complexity = 1;                    ///< factor applied to the reference ladder (clamped)
  std::vector<std::string> notes;           ///< for EncodePlan::notes: the probe and the choices
};

/// The source's video bitrate in kbps: the video stream's own bitrate, else the container's
/// overall bitrate (or size / duration) minus the audio streams; 0 when nothing says.
double source_video_kbps(const MediaInfo& input);

/// MES's documented 1080p 29.97 example ladder, interpolated by picture area: the reference
/// bitrate in kbps of a picture of `pixels` (width x height). Log-log interpolation between
/// 320x180@380 ... 1920x1080@6780; beyond them bitrate ~ pixels^0.8 (the table's own slope).
double reference_kbps(double pixels);

/// Turns a probe measurement into layers (no I/O).
/// Rungs: the 16:9 boxes 1920x1080, 1280x720, 960x540, 640x360, 480x270, 320x180 (turned to a
/// portrait source's orientation) whose AutoSize fit of the source is not larger than the
/// source; plus the source's own size on top when it lies between two boxes and has at least
/// 1.2x the pixels of the largest kept box (e.g. 640x480, 854x480); a source smaller than
/// 320x180 gets one layer at its own size. Bitrates: complexity = clamp(probe kbps normalised to
/// 640x360 by area^0.8 / kTypicalProbeKbps, kMinComplexity, kMaxComplexity); top = complexity x
/// reference_kbps(top picture), capped at (rounded down under) source.video_kbps; each lower
/// layer = top x reference_kbps(its picture) / reference_kbps(top picture); all rounded to 10
/// kbps; layers under kMinLayerKbps are left out. Each layer takes the template's first layer's
/// settings (profile, B-frames, references, entropy, buffer window, frame rate), or High profile
/// and the MES defaults when the template has none; the level is left automatic.
/// @param probe probe.kbps <= 0 means "not measured": complexity 1
AdaptiveLadder ladder_from_probe(const LadderSource& source, const ComplexityProbe& probe,
                                 const presets::VideoCodec& video_template);

/// Encodes the sampled segments of the span `options` selects: 2 s segments, one per 8 s of
/// span, at most 5 (a 17 s clip: 2 segments; 40 s or more: 5), evenly spread. Each segment runs
/// through make_plan + run_pipeline with a one-layer copy of `preset` (its filters and GOP,
/// no audio) into a temporary folder that is removed afterwards.
/// @throws EncodeError Canceled when `stop` is requested; the pipeline's errors otherwise
ComplexityProbe probe_complexity(const presets::Preset& preset, const MediaInfo& input,
                                 const PlanOptions& options, std::stop_token stop);

/// probe_complexity() then ladder_from_probe() for the input's primary video. An input without
/// video gets one 320x180 layer (for InsertBlackIfNoVideo presets) and no probe.
/// @pre preset.video is set
AdaptiveLadder build_adaptive_ladder(const presets::Preset& preset, const MediaInfo& input,
                                     const PlanOptions& options, std::stop_token stop);

/// `preset` itself when its video ladder is fixed; otherwise a copy whose video layers are built
/// for this input (build_adaptive_ladder), with the ladder's notes appended to `notes`. Called
/// before make_plan by the engine and `presets explain`.
presets::Preset with_adaptive_ladder(const presets::Preset& preset, const MediaInfo& input,
                                     const PlanOptions& options, std::stop_token stop,
                                     std::vector<std::string>& notes);

}  // namespace mw::encoders
