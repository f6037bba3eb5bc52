#include "encoders/output_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <string_view>

#include "encoders/encode_error.hpp"
#include "presets/format_rules.hpp"

namespace mw::encoders {

AudioEncodePlan audio_encoder(const presets::AudioCodec& ac) {
  AudioEncodePlan p;
  p.codec = ac;
  switch (ac.channels) {
    case 1: p.channel_layout = "mono"; break;
    case 6: p.channel_layout = "5.1"; break;
    case 8: p.channel_layout = "7.1"; break;
    default: p.channel_layout = "stereo"; break;
  }
  p.profile = "aac_low";
  if (ac.profile != presets::AacProfile::AacLc) {
    p.note = fmt::format(
        "{} requested: libavcodec's AAC encoder has no SBR/PS, so the audio is AAC-LC at {} kbps",
        ac.profile == presets::AacProfile::HeAacV1 ? "HE-AAC v1" : "HE-AAC v2", ac.bitrate_kbps);
  }
  return p;
}

std::string expand_macros(const std::string& pattern,
                          const std::function<std::string(const std::string& macro)>& value) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '{') {
      out += pattern[i++];
      continue;
    }
    const size_t close = pattern.find('}', i);
    if (close == std::string::npos) {
      out += pattern.substr(i);
      break;
    }
    out += value(pattern.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  return out;
}

std::string OutputFilePlan::mux_name() const {
  if (format == presets::OutputFormat::Mp4) return file_name;
  return fmt::format("{}/{}/{}.mp4", kStagingFolder, presets::format::text_of<presets::format::kOutputFormats>(format),
                     file_name);
}

std::string basename_macro(const std::string& input_name) {
  // MES: the first 32 characters. Counted in UTF-8 characters (a byte that is not a
  // continuation byte 10xxxxxx starts one): a cut inside a character makes a name that is not
  // UTF-8, which the XML and playlists naming the files cannot hold.
  const std::string stem = std::filesystem::path(input_name).stem().string();
  size_t end = 0;
  for (int characters = 0; end < stem.size(); ++end) {
    if ((static_cast<unsigned char>(stem[end]) & 0xC0) != 0x80 && characters++ == 32) break;
  }
  return stem.substr(0, end);
}

std::string expand_file_name(const std::string& pattern, const std::string& input_name,
                             const VideoEncodePlan* video, const AudioEncodePlan* audio,
                             presets::OutputFormat format) {
  auto need = [&](bool have, std::string_view macro) {
    if (!have)
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("output file name '{}': {{{}}} needs a {} stream in the output",
                                    pattern, macro, macro.find("Audio") != std::string_view::npos || macro == "Channel" ? "audio" : "video"));
  };
  return expand_macros(pattern, [&](const std::string& macro) -> std::string {
    if (macro == "Basename") return basename_macro(input_name);
    if (macro == "Codec") return video ? "H264" : "AAC";
    if (macro == "Extension") return format == presets::OutputFormat::Mp4 ? ".mp4" : "";
    if (macro == "Width" || macro == "Height" || macro == "Resolution" || macro == "VideoBitrate") {
      need(video, macro);
      if (macro == "Width") return std::to_string(video->size.width);
      if (macro == "Height") return std::to_string(video->size.height);
      if (macro == "Resolution") return fmt::format("{}x{}", video->size.width, video->size.height);
      return std::to_string(video->layer.bitrate_kbps);
    }
    if (macro == "AudioBitrate" || macro == "Channel") {
      need(audio, macro);
      return std::to_string(macro == "Channel" ? audio->codec.channels : audio->codec.bitrate_kbps);
    }
    if (macro == "Bitrate") {
      need(video || audio, macro);
      return std::to_string(video ? video->layer.bitrate_kbps : audio->codec.bitrate_kbps);
    }
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("output file name '{}': unknown macro {{{}}}", pattern, macro));
  });
}

void plan_outputs(EncodePlan& plan, const presets::Preset& preset, const MediaInfo& input) {
  // Interleaved: one file per video layer, each carrying the audio (or one audio file).
  // VideoOnly: one file per layer without audio. AudioOnly: one audio file, at its own bitrate
  // when the output names one (an extra AAC encoder on the same audio graph).
  auto audio_encoder_for = [&](int kbps) -> int {
    if (kbps <= 0 || kbps == plan.audio->codec.bitrate_kbps) return 0;
    for (size_t k = 0; k < plan.extra_audio.size(); ++k)
      if (plan.extra_audio[k].codec.bitrate_kbps == kbps) return static_cast<int>(k + 1);
    presets::AudioCodec codec = plan.audio->codec;
    codec.bitrate_kbps = kbps;
    plan.extra_audio.push_back(audio_encoder(codec));
    return static_cast<int>(plan.extra_audio.size());
  };
  std::set<std::string> names;
  for (const auto& out : preset.outputs) {
    if (presets::format::is_image_format(out.format)) continue;  // image outputs: plan.images
    using presets::OutputStreams;
    if (out.streams == OutputStreams::VideoOnly && plan.video.empty())
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("output '{}' carries only video, but preset '{}' encodes none",
                                    out.file_name, preset.name));
    if (out.streams == OutputStreams::AudioOnly && !plan.audio && preset.audio && !plan.video.empty()) {
      // An input without audio gives video-only files (MES: "the output asset contains files
      // that contain only video data"), so an audio-only file ("Adaptive Streaming", the
      // "Adaptive Bitrate MP4 Set" renditions) is left out rather than failing the task.
      plan.notes.push_back(fmt::format("the input has no audio stream: audio-only output '{}' is not written",
                                       out.file_name));
      continue;
    }
    if (out.streams == OutputStreams::AudioOnly && !plan.audio)
      throw EncodeError(preset.audio ? ErrorCategory::UnsupportedFormat : ErrorCategory::Configuration,
                        fmt::format("{}: output '{}' carries only audio, but {}", input.path, out.file_name,
                                    preset.audio ? "the input has no audio stream"
                                                 : "preset '" + preset.name + "' encodes none"));
    const bool audio_only = out.streams == OutputStreams::AudioOnly || plan.video.empty();
    const size_t files = audio_only ? 1 : plan.video.size();
    for (size_t i = 0; i < files; ++i) {
      OutputFilePlan f;
      f.format = out.format;
      f.video = audio_only ? -1 : static_cast<int>(i);
      f.audio = plan.audio.has_value() && out.streams != OutputStreams::VideoOnly;
      if (f.audio && out.streams == OutputStreams::AudioOnly) f.audio_encoder = audio_encoder_for(out.audio_bitrate_kbps);
      const AudioEncodePlan* audio =
          !f.audio ? nullptr : f.audio_encoder == 0 ? &*plan.audio : &plan.extra_audio[static_cast<size_t>(f.audio_encoder - 1)];
      f.file_name = expand_file_name(out.file_name, input.name, f.video >= 0 ? &plan.video[i] : nullptr,
                                     audio, out.format);
      // Two outputs never share a name: a repeated one gets _2, _3... (streaming outputs of
      // different formats may share a stem: their files differ in extension).
      auto key = [&] { return fmt::format("{}|{}", static_cast<int>(f.format), f.file_name); };
      if (!names.insert(key()).second) {
        const bool streaming = presets::format::is_streaming_format(f.format);
        const std::string name = f.file_name;
        const auto stem = streaming ? name : std::filesystem::path(name).stem().string();
        const auto ext = streaming ? std::string() : std::filesystem::path(name).extension().string();
        for (int n = 2; (f.file_name = fmt::format("{}_{}{}", stem, n, ext), !names.insert(key()).second); ++n) {}
      }
      if (presets::format::is_streaming_format(out.format)) {
        auto package = std::find_if(plan.packages.begin(), plan.packages.end(),
                                    [&](const PackagePlan& p) { return p.format == out.format; });
        if (package == plan.packages.end()) {
          PackagePlan p;
          p.format = out.format;
          p.manifest_name = expand_file_name(out.manifest_name, input.name, nullptr, nullptr, out.format);
          p.segment_duration_s = out.segment_duration_s;
          plan.packages.push_back(std::move(p));
          package = std::prev(plan.packages.end());
        }
        package->outputs.push_back(plan.outputs.size());
      }
      plan.outputs.push_back(std::move(f));
    }
  }
}

}  // namespace mw::encoders
