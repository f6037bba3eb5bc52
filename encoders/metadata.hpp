#pragma once
// The two metadata documents AMS writes into an output asset (AMS-V2-REFERENCE.md §9):
//  - input metadata `<input-asset-guid>_metadata.xml`, namespace
//    http://schemas.microsoft.com/windowsazure/mediaservices/2014/07/mediaencoder/inputmetadata
//  - output metadata `<source_basename>_manifest.xml`, namespace
//    http://schemas.microsoft.com/windowsazure/mediaservices/2013/05/mediaencoder/metadata
// Display transform, colour properties and field order, which the schema has no attributes for,
// are written as <Metadata key value> entries of the video track (keys "rotation", "mirrored",
// "color_primaries", "color_transfer", "color_space", "color_range", "field_order").

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "encoders/measure.hpp"
#include "encoders/media_info.hpp"
#include "encoders/plan.hpp"

namespace mw::encoders {

/// The method written as IntegratedLoudnessGatingMethod: BS.1770-4's gated integrated loudness
/// (absolute -70 LUFS and relative -10 LU gates), no speech (dialogue) gating.
inline constexpr const char* kLoudnessGatingMethod = "ITU-R BS.1770-4 relative";

/// AC-3/Dolby DialogNormalization of an integrated loudness: the loudness rounded to a whole dB
/// and clamped to -31..-1 (AMS-V2-REFERENCE.md §9; ATSC A/52 dialnorm range).
int dialog_normalization(double integrated_lufs);

/// xs:duration of a number of seconds, e.g. 12.678 -> "PT12.678S" (up to 7 decimals, as AMS).
std::string xs_duration(double seconds);

/// The input metadata document (UTF-8 XML).
std::string input_metadata_xml(const MediaInfo& input);
/// The same content as JSON (for `mediaworker probe --json`), with the same names.
nlohmann::json input_metadata_json(const MediaInfo& input);

/// The output metadata document for the files of one encode, with their measured values and
/// the plan's targets (TargetBitrate, TargetFramerate). `plan_outputs[i]` is the index into
/// plan.outputs whose encoder made files[i] (-1: none, e.g. a playlist); when it is empty,
/// files[i] is plan.outputs[i].
/// Each AudioTrack whose MeasuredTrack has a loudness gets <LoudnessMeteringResultParameters>
/// with DPLMVersionInformation (the meter), DialogNormalization, IntegratedLoudness (LKFS, two
/// decimals, clamped to the schema's -70..10), IntegratedLoudnessGatingMethod, SamplePeak
/// (dBFS) and TruePeak (dBTP), peaks of digital silence as "-INF". IntegratedLoudnessSpeechPercentage
/// is omitted: the meter has no speech detection, so any percentage would be invented.
std::string output_manifest_xml(const std::vector<MeasuredFile>& files, const EncodePlan& plan,
                                const std::string& source_name, const std::vector<int>& plan_outputs = {});

/// Writes a metadata file (or any small text file) under a temporary name (".NAME.partial")
/// and renames it into place, so a reader never sees it half-written.
/// @throws EncodeError Output naming the file when writing or renaming fails
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace mw::encoders
