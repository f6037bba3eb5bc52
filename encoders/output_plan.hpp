#pragma once
// The output side of a plan (plan.cpp's make_plan calls it): the AAC encoder settings, and the
// output files with their names (the AMS FileName macros), the audio encoder each carries and
// the streaming packages they belong to. The file-name functions are declared in plan.hpp.

#include "encoders/media_info.hpp"
#include "encoders/plan.hpp"
#include "presets/preset.hpp"

namespace mw::encoders {

/// The AAC encoder for a preset's audio: libav channel layout and profile; HE-AAC is planned as
/// AAC-LC at the same bitrate with a note (libavcodec's encoder has no SBR/PS).
AudioEncodePlan audio_encoder(const presets::AudioCodec& ac);

/// Adds plan.outputs (one file per video layer, or one audio file, per preset output that is not
/// an image), the extra AAC encoders audio-only outputs ask for (plan.extra_audio) and
/// plan.packages. Needs plan.video and plan.audio planned; `input` names the files.
/// Interleaved: one file per video layer, each carrying the audio (or one audio file).
/// VideoOnly: one file per layer without audio. AudioOnly: one audio file, at its own bitrate
/// when the output names one. Repeated names get _2, _3...
/// @throws EncodeError Configuration for a video_only output of a preset without video or a
///         macro the file lacks; UnsupportedFormat for an audio_only output on an input without
///         audio when the preset has no video to write instead
void plan_outputs(EncodePlan& plan, const presets::Preset& preset, const MediaInfo& input);

}  // namespace mw::encoders
