#pragma once
// How CLI verbs find presets: the system library, then --presets-dir folders; a value naming an
// existing preset file (*.yaml, *.yml, *.json, *.xml) is loaded from that file, and "-" reads a
// Configuration from stdin (preset development).

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "presets/library.hpp"

namespace mw::cli {

presets::PresetLibrary load_library(const std::vector<std::string>& extra_dirs);

/// Whether `path` has the extension of a preset file: .yaml, .yml (the YAML format,
/// docs/presets.md), .json or .xml (MES custom presets, AMS-V2-REFERENCE.md §8). The format
/// itself is presets::load_preset_file's business.
bool has_preset_file_extension(const std::filesystem::path& path);

/// The preset named by a CLI argument: an existing preset file (has_preset_file_extension) is
/// loaded with presets::load_preset_file; "-" reads stdin and resolves it as a Task's
/// Configuration would be (inline preset text, or a name); anything else is a name or alias.
/// @throws presets::PresetError when the name is unknown or the file or text is invalid
presets::Preset resolve_preset(const std::string& name_or_file, const std::vector<std::string>& extra_dirs);

/// The longest name inline_preset_name returns, in bytes.
inline constexpr std::size_t kMaxInlinePresetNameLength = 64;

/// A short name for a Task.Configuration, for default job, task and output asset names and
/// progress labels: a preset name is itself; inline preset text (YAML, or MES JSON/XML:
/// presets::is_mes_preset) gives its YAML `name` or MES `Description`, else "inline preset"
/// (also when the text does not parse: the service reports the error). The result is one
/// line (control characters become spaces) of at most kMaxInlinePresetNameLength bytes, cut at
/// a UTF-8 character boundary with "...".
std::string inline_preset_name(const std::string& configuration);

/// One line describing a preset's video, audio and thumbnails, e.g. "H.264 1280x720 @4500 kbps;
/// AAC-LC 2 ch 48000 Hz 128 kbps", "H.264 ladder built from the input" (content-adaptive),
/// "HE-AAC v2 requested, encoded AAC-LC ..." (libavcodec has no HE-AAC encoder), "thumbnails:
/// JPEG 300 px every 5 s", or for an unsupported preset "not supported (VC-1); use 'X'".
std::string summarize(const presets::Preset& preset);

/// One image codec: "JPEG 300 px every 5 s", "PNG 160 px, 64x64 every 25% at 0.5 s", with
/// ", as a sprite N wide + WebVTT" for sprites.
std::string summarize_images(const presets::ImageCodec& codec);

/// "JPEG", "PNG", "BMP" or "MP4".
std::string format_name(presets::OutputFormat format);

}  // namespace mw::cli
