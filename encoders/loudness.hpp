#pragma once
// EBU R128 loudness normalisation in two passes (presets::AudioCodec::loudness):
//  1. measure the input's audio as the encode's audio filter graph delivers it (after trim,
//     resampling and the downmix to the preset's layout), decoding the audio stream only;
//  2. add libavfilter's loudnorm, given those measurements, to the plan's audio filter graph.
// After the encode the output file's audio is measured the same way, for the
// LoudnessMeteringResultParameters of the output metadata (AMS-V2-REFERENCE.md §9).
//
// The meter is libavfilter's ebur128 (ITU-R BS.1770-4 loudness and true peak, EBU Tech 3342
// loudness range); its values are read from the metadata it attaches to the frames
// ("lavfi.r128.*"), never from log text.

#include <functional>
#include <limits>
#include <stop_token>
#include <string>

#include "encoders/plan.hpp"
#include "presets/preset.hpp"

namespace mw::encoders {

/// One loudness measurement of an audio track.
struct LoudnessMeasurement {
  /// BS.1770-4 integrated loudness, LUFS (= LKFS), gated (absolute -70 LUFS, relative -10 LU);
  /// -70 when no 400 ms block is above the absolute gate (silence).
  double integrated_lufs = -70.0;
  /// The relative gate of the integrated loudness (BS.1770-4 §2.8: 10 LU below the loudness of
  /// the blocks above the absolute gate), LUFS; -70 for silence. Computed from ebur128's
  /// momentary (400 ms block, 100 ms step) values, which are exactly the gating blocks.
  double relative_gate_lufs = -70.0;
  /// EBU Tech 3342 loudness range, LU; 0 for audio shorter than one 3 s short-term window.
  double loudness_range_lu = 0.0;
  /// Highest true peak of any channel (ebur128: 4x oversampled to 192 kHz), dBTP; -infinity
  /// for digital silence. ebur128 exports peaks with 3 decimals of linear amplitude, so below
  /// about -40 dBTP this is within a few tenths of a dB.
  double true_peak_dbtp = -std::numeric_limits<double>::infinity();
  /// Highest absolute sample value of any channel, dBFS (exact); -infinity for digital silence.
  double sample_peak_dbfs = -std::numeric_limits<double>::infinity();
  double duration_s = 0;  ///< seconds of audio measured
  /// What measured it, e.g. "mediaworker ebur128 (libavfilter 8.44.100)" (the AMS
  /// DPLMVersionInformation attribute).
  std::string meter;

  /// True when nothing rises above the absolute gate: there is no loudness to normalise.
  bool silent() const { return integrated_lufs <= -70.0; }
};

/// Pass 1: measures the plan's audio through plan.audio_filter (the chain the encode will run),
/// decoding only the input's audio stream.
/// @param progress called with 0-1 (share of plan.duration_s measured) from the caller's thread
/// @throws EncodeError as decoding the input does (MalformedContent, UnsupportedFormat), Processing
///         when the plan has no audio or the filter graph fails, Canceled when `stop` is requested
LoudnessMeasurement measure_plan_loudness(const EncodePlan& plan,
                                          const std::function<void(double)>& progress,
                                          std::stop_token stop);

/// Measures the first audio track of a media file (an encode's output).
/// @throws EncodeError InputUnreadable when the file cannot be opened, Processing when it has
///         no audio track or decoding fails
LoudnessMeasurement measure_file_loudness(const std::string& path);

/// The largest gain normalisation applies, dB. A quieter input is raised by this much only (a
/// near-silent track would otherwise turn its noise floor into programme level).
inline constexpr double kMaxLoudnessGainDb = 40.0;

/// What pass 2 adds to the audio filter graph.
struct LoudnessNormalization {
  /// Filters appended to the plan's audio chain, or "" when the audio is left as it is (silent):
  /// "loudnorm=I=..:TP=..:LRA=..:measured_I=..:measured_TP=..:measured_LRA=..:measured_thresh=..
  /// :offset=0:linear=true,aresample=RATE,aformat=..." (loudnorm works at 192 kHz: the chain
  /// returns to the preset's rate, sample format and layout).
  std::string filter;
  double target_lufs =
      0;                ///< the integrated loudness aimed at (the preset's, or lower when capped)
  double gain_db = 0;   ///< target minus measured, dB
  bool linear = false;  ///< loudnorm's linear mode applies (one gain for the whole track)
  std::string note;     ///< what was done, for EncodePlan::notes
};

/// Decides pass 2 (ffmpeg loudnorm documentation, "two pass" and linear mode): loudnorm applies
/// one linear gain when the gained true peak stays at or below the target and the measured
/// loudness range is within the target, otherwise its dynamic mode (gain that follows the
/// short-term loudness, with a true-peak limiter).
/// Silent audio gets no filter; the gain is capped at kMaxLoudnessGainDb (the note says so).
LoudnessNormalization plan_loudness_normalization(const presets::Loudness& target,
                                                  const LoudnessMeasurement& input,
                                                  const AudioEncodePlan& audio);

/// Adds `n` to the plan: n.filter is appended to the audio chain (before its [a0] output label)
/// and n.note to plan.notes.
void apply_loudness_normalization(EncodePlan& plan, const LoudnessNormalization& n);

}  // namespace mw::encoders
