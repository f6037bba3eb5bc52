#pragma once
// Media Encoder Standard (MES) custom presets, JSON or XML (AMS-V2-REFERENCE.md §8), translated
// into the preset model. docs/mes-presets.md has the field mapping and every deviation.

#include <string_view>

#include "presets/preset.hpp"

namespace mw::presets {

/// Whether a Configuration is an MES custom preset rather than a preset name or YAML: its first
/// character that is not white space is '{' (JSON) or '<' (XML), after an optional UTF-8 byte
/// order mark; UTF-16 text (MES accepted it) is recognised by its byte order mark.
bool is_mes_preset(std::string_view text);

/// Translates an MES custom preset, JSON (`{"Version": 1.0, "Codecs": [...], "Outputs": [...]}`)
/// or XML (`<Preset Version="1.0" xmlns="http(s)://www.windowsazure.com/media/encoding/Preset/
/// 2014/03">`), in UTF-8 or UTF-16, into a validated Preset. Nothing is ignored: every field is
/// translated or is an error. The preset's name is its `Description` if written, else
/// "inline MES JSON preset" / "inline MES XML preset" (for `origin` "inline") or the file's
/// stem ("web-ladder" for /etc/presets/web-ladder.json); Preset::origin is `origin`.
/// @param origin "inline" for a Task.Configuration, or the file's path; errors name it
/// @throws PresetError whose key is the field path as written — `Codecs[0].H264Layers[1].Bitrate`
///         (JSON) or `Preset/Encoding/H264Video/H264Layers/H264Layer[2]/Bitrate` with its line
///         (XML) — for malformed JSON or XML (with line and column), an unknown or misplaced
///         field, a wrong type ("expected an integer (kbps), found 'fast'"), a feature mediaworker
///         does not implement (VideoOverlay, CopyVideo, CopyAudio, TwoPass true, input stream
///         selection), a Version other than 1.0, and every rule of validate_preset
Preset parse_mes_preset(std::string_view text, std::string_view origin);

}  // namespace mw::presets
