// The rules of a preset's outputs[] (docs/presets.md "Rules across keys"): file names and their
// macros, streams, the streaming formats' manifests and segments, and the image outputs' codecs.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>

#include "presets/format_rules.hpp"
#include "presets/validate_rules.hpp"

namespace mw::presets::validate_rules {

namespace {

using namespace format;

/// Each image codec binds to the outputs of its format, in order (MES: each image codec needs
/// a matching Output Format), so the counts per format must agree.
void check_image_outputs(const Preset& preset) {
  for (const auto& choice : kImageFormats) {
    const auto codecs = std::count_if(preset.images.begin(), preset.images.end(),
                                      [&](const ImageCodec& c) { return c.format == choice.value; });
    std::size_t outputs = 0;
    std::size_t first_output = preset.outputs.size();
    for (std::size_t i = 0; i < preset.outputs.size(); ++i) {
      if (preset.outputs[i].format != choice.value) continue;
      if (outputs++ == 0) first_output = i;
    }
    if (static_cast<std::size_t>(codecs) == outputs) continue;
    const std::string format(choice.text);
    if (outputs > static_cast<std::size_t>(codecs)) {
      reject(preset, "outputs[" + std::to_string(first_output) + "].format",
             std::to_string(outputs) + " " + format + " output(s) but " + std::to_string(codecs) +
                 " images[] entries with format " + format +
                 "; each image output needs its image codec (MES JpgImage/PngImage/BmpImage)");
    }
    std::size_t last_codec = 0;
    for (std::size_t i = 0; i < preset.images.size(); ++i) {
      if (preset.images[i].format == choice.value) last_codec = i;
    }
    reject(preset, "images[" + std::to_string(last_codec) + "].format",
           std::to_string(codecs) + " images[] entries with format " + format + " but " +
               std::to_string(outputs) + " " + format +
               " output(s); each image codec needs an output of its format (MES: a matching "
               "Output Format)");
  }
}

/// Whether `pattern` uses the macro `{name}`, and how often.
std::size_t macro_count(const std::string& pattern, std::string_view name) {
  const std::string macro = "{" + std::string(name) + "}";
  std::size_t count = 0;
  for (auto at = pattern.find(macro); at != std::string::npos; at = pattern.find(macro, at + 1)) {
    ++count;
  }
  return count;
}

void validate_file_name(const Preset& preset, const std::string& key, const std::string& pattern);

/// The packaging fields: segment_duration and manifest_name belong to the streaming formats;
/// a segment is a whole number of fixed GOPs, so every segment starts with a keyframe.
void validate_streaming(const Preset& preset, const Output& output, const std::string& at) {
  if (!is_streaming_format(output.format)) {
    if (output.segment_duration_s != 0) {
      reject(preset, at + ".segment_duration",
             "segment_duration applies to the streaming formats (smooth, hls, dash, cmaf, ts) only");
    }
    if (output.manifest_name != "{Basename}") {
      reject(preset, at + ".manifest_name",
             "manifest_name applies to the streaming formats (smooth, hls, dash, cmaf, ts) only");
    }
    return;
  }
  if (output.manifest_name.empty() || macro_count(output.manifest_name, "Extension") != 0 ||
      macro_count(output.manifest_name, "Index") != 0) {
    reject(preset, at + ".manifest_name",
           "'" + output.manifest_name +
               "' must be a non-empty name without {Extension} or {Index} (the manifests add "
               ".m3u8, .mpd, .ism and .ismc)");
  }
  // The manifests and the packager's staging folder (.mw-package-NAME) are named after it: a
  // folder in it would write them outside the output asset, or stage (and remove) elsewhere.
  validate_file_name(preset, at + ".manifest_name", output.manifest_name);
  if (output.manifest_name.front() == '.') {
    reject(preset, at + ".manifest_name",
           "'" + output.manifest_name +
               "' must not start with '.': the manifests would be hidden files, which an asset "
               "cannot hold");
  }
  if (output.segment_duration_s == 0) return;
  check_between(preset, at + ".segment_duration", output.segment_duration_s, 0.5, 60.0, "s");
  if (!preset.video || preset.video->scene_change_detection) return;
  const double gop = preset.video->keyframe_interval_s;
  const double gops = output.segment_duration_s / gop;
  if (gop > 0 && std::abs(gops - std::round(gops)) > 1e-6) {
    reject(preset, at + ".segment_duration",
           number_text(output.segment_duration_s) + " s is not a multiple of video.keyframe_interval (" +
               number_text(gop) + " s); every segment must start with a keyframe");
  }
}

/// cmaf is hls and dash over one set of segments: beside an hls or dash output it would write
/// the same playlists and segments twice. Outputs of one streaming format share one manifest:
/// its name and segment length are the first such output's.
void check_streaming_outputs(const Preset& preset) {
  auto first_of = [&](OutputFormat f) {
    for (std::size_t i = 0; i < preset.outputs.size(); ++i)
      if (preset.outputs[i].format == f) return static_cast<int>(i);
    return -1;
  };
  const int cmaf = first_of(OutputFormat::Cmaf);
  if (cmaf >= 0 && (first_of(OutputFormat::Hls) >= 0 || first_of(OutputFormat::Dash) >= 0)) {
    reject(preset, "outputs[" + std::to_string(cmaf) + "].format",
           "cmaf already writes HLS and DASH over the same segments; drop the hls and dash outputs "
           "or write them instead of cmaf");
  }
  // An hls and a dash output of one file_name both write its STEM_init.mp4 and
  // STEM_00001.m4s...: the same files when their segments are as long, but with another
  // segment_duration the second package replaced the first's segments, and the first's
  // playlist named segments of another length. (A format's first output sets its length.)
  const auto segment_length = [&](OutputFormat f) {
    const double set = preset.outputs[static_cast<std::size_t>(first_of(f))].segment_duration_s;
    if (set > 0) return set;
    return preset.video ? preset.video->keyframe_interval_s : 0.0;
  };
  for (std::size_t i = 0; i < preset.outputs.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const Output& a = preset.outputs[j];
      const Output& b = preset.outputs[i];
      const bool hls_and_dash = (a.format == OutputFormat::Hls && b.format == OutputFormat::Dash) ||
                                (a.format == OutputFormat::Dash && b.format == OutputFormat::Hls);
      if (hls_and_dash && a.file_name == b.file_name &&
          segment_length(a.format) != segment_length(b.format)) {
        reject(preset, "outputs[" + std::to_string(i) + "].file_name",
               "'" + b.file_name + "' is also the file_name of outputs[" + std::to_string(j) +
                   "], whose segments have another segment_duration: both packages would write "
                   "the same CMAF segment files; give them different file names (or one "
                   "segment_duration)");
      }
    }
  }
  for (std::size_t i = 0; i < preset.outputs.size(); ++i) {
    const Output& o = preset.outputs[i];
    if (!is_streaming_format(o.format)) continue;
    if (o.file_name == o.manifest_name && o.format != OutputFormat::Ts) {
      reject(preset, "outputs[" + std::to_string(i) + "].manifest_name",
             "'" + o.manifest_name +
                 "' is also the file_name of the renditions: a rendition's playlist would overwrite the "
                 "master playlist; give the manifests another name");
    }
    const Output& first = preset.outputs[static_cast<std::size_t>(first_of(o.format))];
    // The first output of a format sets them; the others leave them out or repeat them.
    const bool other_name = o.manifest_name != "{Basename}" && o.manifest_name != first.manifest_name;
    const bool other_length = o.segment_duration_s != 0 && o.segment_duration_s != first.segment_duration_s;
    if (other_name || other_length) {
      reject(preset, "outputs[" + std::to_string(i) + "]",
             "the outputs of one streaming format share one manifest: set manifest_name and "
             "segment_duration on its first output (the others leave them out or repeat them)");
    }
  }
}

void validate_output(const Preset& preset, const Output& output, const std::string& at) {
  const std::string key = at + ".file_name";
  const std::string& pattern = output.file_name;
  const std::size_t indexes = macro_count(pattern, "Index");
  if (is_image_format(output.format)) {
    if (indexes != 1) {
      reject(preset, key,
             "'" + pattern + "' has {Index} " + std::to_string(indexes) +
                 " times; an image output's file name needs it exactly once (MES)");
    }
    if (output.streams != OutputStreams::Interleaved) {
      reject(preset, at + ".streams", "streams applies to mp4 outputs only");
    }
    if (output.audio_bitrate_kbps != 0) {
      reject(preset, at + ".audio_bitrate", "audio_bitrate applies to audio_only mp4 outputs only");
    }
    return;
  }
  if (indexes != 0) {
    reject(preset, key,
           "'" + pattern + "' uses {Index}, which is for image outputs (jpg, png, bmp) only");
  }
  validate_streaming(preset, output, at);
  switch (output.streams) {
    case OutputStreams::Interleaved:
      if (!preset.video && !preset.audio) {
        reject(preset, at + ".format", "an mp4 output needs a video or an audio section");
      }
      break;
    case OutputStreams::VideoOnly:
      if (!preset.video) {
        reject(preset, at + ".streams", "video_only needs a video section; the preset has none");
      }
      for (const std::string_view macro : {"AudioBitrate", "Channel"}) {
        if (macro_count(pattern, macro) != 0) {
          reject(preset, key,
                 "'" + pattern + "' uses {" + std::string(macro) +
                     "} but a video_only file has no audio");
        }
      }
      break;
    case OutputStreams::AudioOnly:
      if (!preset.audio) {
        reject(preset, at + ".streams", "audio_only needs an audio section; the preset has none");
      }
      for (const std::string_view macro : {"Width", "Height", "Resolution", "VideoBitrate"}) {
        if (macro_count(pattern, macro) != 0) {
          reject(preset, key,
                 "'" + pattern + "' uses {" + std::string(macro) +
                     "} but an audio_only file has no video");
        }
      }
      break;
  }
  if (output.audio_bitrate_kbps != 0) {
    if (output.streams != OutputStreams::AudioOnly) {
      reject(preset, at + ".audio_bitrate",
             "audio_bitrate needs streams: audio_only (an extra audio-only rendition)");
    }
    check_range(preset, at + ".audio_bitrate", output.audio_bitrate_kbps, kMinAudioKbps,
                kMaxAudioKbps, "kbps");
  }
}


void validate_file_name(const Preset& preset, const std::string& key, const std::string& pattern) {
  if (pattern.empty()) reject(preset, key, "the file name pattern is empty");
  if (pattern.find_first_of("/\\") != std::string::npos ||
      pattern.find("..") != std::string::npos) {
    reject(preset, key,
           "'" + pattern + "' must name a file in the output asset: no '/', '\\' or '..'");
  }
  if (pattern == ".") reject(preset, key, "'.' is the output folder, not a file name");
  // A NUL would cut the name short when the file is created (the manifest would name a file
  // that does not exist); other control characters make names no client can show.
  for (const char c : pattern) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02X", byte);
      reject(preset, key, std::string("the file name pattern holds the control character ") +
                              code + "; file names are printable text");
    }
  }
  constexpr std::size_t kNameMax = 255;  // NAME_MAX of Linux file systems, in bytes
  if (pattern.size() > kNameMax) {
    reject(preset, key,
           "the file name pattern is " + std::to_string(pattern.size()) +
               " bytes long; a file name is at most " + std::to_string(kNameMax) + " bytes");
  }
  for (auto open = pattern.find('{'); open != std::string::npos;
       open = pattern.find('{', open + 1)) {
    const auto close = pattern.find('}', open);
    if (close == std::string::npos) {
      reject(preset, key, "'" + pattern + "' has a '{' without its closing '}'");
    }
    const std::string macro = pattern.substr(open + 1, close - open - 1);
    if (std::find(std::begin(kMacros), std::end(kMacros), macro) == std::end(kMacros)) {
      reject(preset, key,
             "unknown macro '{" + macro + "}'; allowed: " + join_texts(kMacros, "{", "}"));
    }
  }
}

}  // namespace

void validate_outputs(const Preset& preset) {
  if (preset.outputs.empty()) reject(preset, "outputs", "at least one output is required");
  for (std::size_t i = 0; i < preset.outputs.size(); ++i) {
    const std::string at = "outputs[" + std::to_string(i) + "]";
    validate_file_name(preset, at + ".file_name", preset.outputs[i].file_name);
    validate_output(preset, preset.outputs[i], at);
  }
  check_streaming_outputs(preset);
  check_image_outputs(preset);
}

}  // namespace mw::presets::validate_rules
