#include "encoders/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "encoders/encode_error.hpp"

namespace mw::encoders {

namespace {

using presets::StretchMode;

int even(double v) { return std::max(2, 2 * static_cast<int>(std::lround(v / 2.0))); }

const char* x264_preset(presets::Complexity c) {
  switch (c) {
    case presets::Complexity::Speed: return "veryfast";
    case presets::Complexity::Quality: return "slow";
    case presets::Complexity::Balanced: break;
  }
  return "medium";
}

const char* h264_profile(presets::H264Profile p) {
  switch (p) {
    case presets::H264Profile::Baseline: return "baseline";
    case presets::H264Profile::Main: return "main";
    case presets::H264Profile::High: case presets::H264Profile::Auto: break;
  }
  return "high";  // Auto: High suits every 8-bit 4:2:0 output
}

// The swscale name of the input's YUV matrix. Untagged input follows the common player rule:
// HD (height >= 720) is BT.709, smaller pictures BT.601.
std::string input_matrix(const VideoTrackInfo& v) {
  const std::string& cs = v.color_space;
  if (cs == "bt709") return "bt709";
  if (cs == "bt470bg" || cs == "smpte170m") return "bt601";
  if (cs == "smpte240m") return "smpte240m";
  if (cs == "bt2020nc" || cs == "bt2020c") return "bt2020";
  if (cs == "fcc") return "fcc";
  return v.height >= 720 || v.width >= 1280 ? "bt709" : "bt601";
}

// scale to `coded` (the size before the display transform) converting to limited-range BT.709.
std::string sdr_scale(const VideoTrackInfo& v, Size coded, bool tagged_bt709_tv) {
  std::string s = fmt::format("scale=w={}:h={}:flags=bicubic", coded.width, coded.height);
  if (tagged_bt709_tv) return s + ":in_range=tv:out_range=tv:in_color_matrix=bt709:out_color_matrix=bt709";
  if (v.color_range == "pc") s += ":in_range=pc";
  else if (v.color_range == "tv") s += ":in_range=tv";
  return s + fmt::format(":out_range=tv:in_color_matrix={}:out_color_matrix=bt709", input_matrix(v));
}

// HDR10 (PQ) / HLG to SDR BT.709: linearise, convert primaries, tone-map (Hable, no
// desaturation), back to BT.709 limited range. The zimg library reads the input's transfer,
// primaries and matrix from the frame.
std::string tonemap(std::optional<Size> coded) {
  const std::string size = coded ? fmt::format("w={}:h={}:", coded->width, coded->height) : "";
  return fmt::format(
      "zscale={}filter=bicubic:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
      "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv",
      size);
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string fmt_seconds(double s) { return fmt::format("{:.6f}", s); }

double declared_duration(const MediaInfo& in, const TrackInfo& t) {
  if (t.duration_s > 0) return t.duration_s;
  return std::max(0.0, in.duration_s - (t.start_time_s - in.start_time_s));
}

VideoEncodePlan video_encoder(const presets::VideoCodec& vc, const presets::VideoLayer& layer,
                              Size size, Size picture, Fraction source_rate) {
  VideoEncodePlan p;
  p.layer = layer;
  p.size = size;
  p.picture = picture;
  p.frame_rate = layer.frame_rate.is_source() ? source_rate
                                              : Fraction{layer.frame_rate.num, layer.frame_rate.den};
  if (p.frame_rate.num <= 0) p.frame_rate = {25, 1};
  p.keyint_frames = std::max(1, static_cast<int>(std::lround(vc.keyframe_interval_s * p.frame_rate.value())));
  p.scene_cut = vc.scene_change_detection;
  p.x264_preset = x264_preset(vc.complexity);
  p.profile = h264_profile(layer.profile);
  p.level = layer.level == "auto" ? "" : layer.level;
  const bool baseline = p.profile == "baseline";
  // Fixed GOP: IDR every keyint frames. With scene-change detection x264 may add keyframes at
  // cuts (and restart the interval there); without it GOPs stay aligned across layers.
  p.x264_params = fmt::format("keyint={}:min-keyint={}:scenecut={}:b-adapt={}:cabac={}",
                              p.keyint_frames, p.scene_cut ? std::max(1, p.keyint_frames / 10) : p.keyint_frames,
                              p.scene_cut ? 40 : 0, layer.adaptive_b_frames ? 1 : 0,
                              baseline || layer.entropy == presets::EntropyMode::Cavlc ? 0 : 1);
  if (layer.slices > 0) p.x264_params += fmt::format(":slices={}", layer.slices);
  return p;
}

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

}  // namespace

Size fit_to_box(double display_w, double display_h, Size box, StretchMode stretch,
                bool allow_upscale) {
  if (stretch != StretchMode::AutoSize || display_w <= 0 || display_h <= 0) return box;
  const double aspect = display_w / display_h;
  double w, h;
  if (aspect >= static_cast<double>(box.width) / box.height) {
    w = box.width;
    h = box.width / aspect;
  } else {
    h = box.height;
    w = box.height * aspect;
  }
  if (!allow_upscale && w > display_w) {
    w = display_w;
    h = display_h;
  }
  return {even(w), even(h)};
}

std::string expand_file_name(const std::string& pattern, const std::string& input_name,
                             const VideoEncodePlan* video, const AudioEncodePlan* audio,
                             presets::OutputFormat) {
  std::string out;
  size_t i = 0;
  auto need = [&](bool have, std::string_view macro) {
    if (!have)
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("output file name '{}': {{{}}} needs a {} stream in the output",
                                    pattern, macro, macro.find("Audio") != std::string_view::npos || macro == "Channel" ? "audio" : "video"));
  };
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
    const std::string macro = pattern.substr(i + 1, close - i - 1);
    if (macro == "Basename") {
      out += std::filesystem::path(input_name).stem().string().substr(0, 32);
    } else if (macro == "Width") {
      need(video, macro);
      out += std::to_string(video->size.width);
    } else if (macro == "Height") {
      need(video, macro);
      out += std::to_string(video->size.height);
    } else if (macro == "Resolution") {
      need(video, macro);
      out += fmt::format("{}x{}", video->size.width, video->size.height);
    } else if (macro == "VideoBitrate") {
      need(video, macro);
      out += std::to_string(video->layer.bitrate_kbps);
    } else if (macro == "AudioBitrate") {
      need(audio, macro);
      out += std::to_string(audio->codec.bitrate_kbps);
    } else if (macro == "Channel") {
      need(audio, macro);
      out += std::to_string(audio->codec.channels);
    } else if (macro == "Bitrate") {
      need(video || audio, macro);
      out += std::to_string(video ? video->layer.bitrate_kbps : audio->codec.bitrate_kbps);
    } else if (macro == "Codec") {
      out += video ? "H264" : "AAC";
    } else if (macro == "Extension") {
      out += ".mp4";
    } else {
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("output file name '{}': unknown macro {{{}}}", pattern, macro));
    }
    i = close + 1;
  }
  return out;
}

EncodePlan make_plan(const presets::Preset& preset, const MediaInfo& input,
                     const PlanOptions& options) {
  EncodePlan plan;
  plan.input_path = input.path;
  plan.preset_name = preset.name;
  plan.start_s = options.start_s;
  plan.max_duration_s = options.duration_s;
  const bool images = !preset.images.empty();
  const VideoTrackInfo* v = preset.video || images ? input.primary_video() : nullptr;
  const AudioTrackInfo* a = preset.audio ? input.primary_audio() : nullptr;
  if (preset.video && v == nullptr)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: no video stream; preset '{}' encodes video (an audio "
                                  "preset such as 'AAC Good Quality Audio' encodes this file)",
                                  input.path, preset.name));
  if (images && v == nullptr)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: no video stream; preset '{}' makes thumbnails ({}), which need "
                                  "a video stream", input.path, preset.name,
                                  preset.images[0].format == presets::OutputFormat::Png   ? "PngImage"
                                  : preset.images[0].format == presets::OutputFormat::Bmp ? "BmpImage"
                                                                                          : "JpgImage"));
  if (!preset.video && !images && a == nullptr)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: no audio stream; preset '{}' encodes audio only",
                                  input.path, preset.name));
  if (preset.audio && a == nullptr)
    plan.notes.push_back("the input has no audio stream: the output is video only");

  // Output time 0 is the first video frame (or the first audio sample of an audio-only encode);
  // audio is conformed to the video's span so both tracks start and end together.
  const TrackInfo& lead = v ? static_cast<const TrackInfo&>(*v) : *a;
  plan.origin_s = lead.start_time_s;
  plan.declared_end_s = declared_duration(input, lead);
  if (options.start_s > 0 && plan.declared_end_s > 0 && options.start_s >= plan.declared_end_s)
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("{}: start {:.3f} s is beyond the input's end ({:.3f} s)",
                                  input.path, options.start_s, plan.declared_end_s));
  double span = plan.declared_end_s > 0 ? plan.declared_end_s - options.start_s : 0;
  if (options.duration_s > 0) span = span > 0 ? std::min(span, options.duration_s) : options.duration_s;
  plan.duration_s = span;
  const bool trimmed = options.start_s > 0 || options.duration_s > 0;
  const std::string trim_end = options.duration_s > 0 ? ":end=" + fmt_seconds(span) : "";

  if (v) plan.video_stream = v->index;
  if (v && preset.video) {
    const auto& vc = *preset.video;
    const auto [dw, dh] = v->display_size();
    const bool rotated = v->display_transform.swaps_axes();
    const bool multi = vc.layers.size() > 1;
    std::vector<std::string> common;
    if (trimmed) common.push_back("trim=start=0" + trim_end);
    if (v->interlaced) common.push_back("bwdif=mode=send_frame:parity=auto:deint=interlaced");
    const bool hdr = v->hdr();
    if (hdr) plan.notes.push_back(fmt::format("HDR input ({}): tone-mapped to SDR BT.709", v->color_transfer));
    if (hdr && multi) common.push_back(tonemap(std::nullopt));  // once, at the source size
    std::vector<std::string> layer_chains;
    for (size_t i = 0; i < vc.layers.size(); ++i) {
      const auto& layer = vc.layers[i];
      Size box{layer.width, layer.height};
      const bool portrait = dh > dw, box_portrait = box.height > box.width;
      if (vc.orientation == presets::Orientation::FollowSource && portrait != box_portrait &&
          box.width != box.height)
        std::swap(box.width, box.height);
      // AutoFit fits like AutoSize and pads the rest of the box (letterbox/pillarbox).
      const StretchMode fit = vc.stretch == StretchMode::AutoFit ? StretchMode::AutoSize : vc.stretch;
      Size picture = fit_to_box(dw, dh, box, fit, true);
      if (!vc.upscale_allowed() && (picture.width > even(dw) || picture.height > even(dh))) {
        // Ladders drop the layers above the source (MES; DESIGN.md); when every layer is above
        // it, the last (lowest) one is kept at the source's size.
        if (multi && !(plan.video.empty() && i + 1 == vc.layers.size())) {
          plan.notes.push_back(fmt::format(
              "layer {} ({}x{} at {} kbps) dropped: it is larger than the source's {}x{} picture and the "
              "preset does not upscale",
              i, layer.width, layer.height, layer.bitrate_kbps, even(dw), even(dh)));
          continue;
        }
        picture = fit_to_box(dw, dh, box, fit, false);
        if (multi)
          plan.notes.push_back(fmt::format("layer {} ({}x{}) is encoded at the source's {}x{}: every layer is larger "
                                           "than the source", i, layer.width, layer.height, picture.width, picture.height));
      }
      const Size coded = rotated ? Size{picture.height, picture.width} : picture;
      std::vector<std::string> chain;
      if (hdr && !multi) chain.push_back(tonemap(coded));
      else chain.push_back(sdr_scale(*v, coded, hdr));
      chain.push_back(v->display_transform.filter_chain());
      Size size = picture;
      if (vc.stretch == StretchMode::AutoFit && (picture.width != box.width || picture.height != box.height)) {
        chain.push_back(fmt::format("pad={}:{}:(ow-iw)/2:(oh-ih)/2:black", box.width, box.height));
        size = box;
      }
      chain.push_back("setsar=1");
      if (!layer.frame_rate.is_source())
        chain.push_back(fmt::format("fps={}/{}", layer.frame_rate.num, layer.frame_rate.den));
      chain.push_back("format=yuv420p");
      layer_chains.push_back(join(chain, ","));
      plan.video.push_back(video_encoder(vc, layer, size, picture, v->frame_rate));
    }
    std::string head = "[in]" + join(common, ",");
    if (plan.video.size() == 1) {
      plan.video_filter = head + (common.empty() ? "" : ",") + layer_chains[0] + "[v0]";
    } else {
      std::string g = head + (common.empty() ? "" : ",") + fmt::format("split={}", plan.video.size());
      for (size_t i = 0; i < plan.video.size(); ++i) g += fmt::format("[s{}]", i);
      for (size_t i = 0; i < plan.video.size(); ++i)
        g += fmt::format(";[s{}]{}[v{}]", i, layer_chains[i], i);
      plan.video_filter = g;
    }
  }

  if (a && preset.audio) {
    plan.audio_stream = a->index;
    plan.audio = audio_encoder(*preset.audio);
    if (!plan.audio->note.empty()) plan.notes.push_back(plan.audio->note);
    std::vector<std::string> chain;
    if (trimmed) chain.push_back("atrim=start=0" + trim_end);
    // Fill gaps and a late start with silence, drop samples before output time 0.
    chain.push_back("aresample=async=1:first_pts=0");
    chain.push_back(fmt::format("aformat=sample_fmts=fltp:sample_rates={}:channel_layouts={}",
                                preset.audio->sampling_rate, plan.audio->channel_layout));
    if (v && span > 0) {
      // Conform to the video's span: pad a short audio track, cut a long one.
      chain.push_back(fmt::format("apad=whole_dur={}", fmt_seconds(span)));
      chain.push_back(fmt::format("atrim=end={}", fmt_seconds(span)));
    }
    plan.audio_filter = "[in]" + join(chain, ",") + "[a0]";
  }

  // Output files: one per video layer (each carrying the audio), or one audio file.
  std::set<std::string> names;
  for (const auto& out : preset.outputs) {
    if (out.format != presets::OutputFormat::Mp4) continue;  // image outputs: plan.images
    const size_t files = plan.video.empty() ? 1 : plan.video.size();
    for (size_t i = 0; i < files; ++i) {
      OutputFilePlan f;
      f.format = out.format;
      f.video = plan.video.empty() ? -1 : static_cast<int>(i);
      f.audio = plan.audio.has_value();
      f.file_name = expand_file_name(out.file_name, input.name,
                                     f.video >= 0 ? &plan.video[i] : nullptr,
                                     plan.audio ? &*plan.audio : nullptr, out.format);
      if (!names.insert(f.file_name).second) {
        const auto stem = std::filesystem::path(f.file_name).stem().string();
        const auto ext = std::filesystem::path(f.file_name).extension().string();
        for (int n = 2; !names.insert(f.file_name = fmt::format("{}_{}{}", stem, n, ext)).second; ++n) {}
      }
      plan.outputs.push_back(std::move(f));
    }
  }
  if (images) {
    plan.images = plan_images(preset, *v, span, input.name, input.path);
    if (plan.video.empty() && !plan.audio) {
      // Thumbnails only: the input is needed up to the last capture (one frame more for the
      // nearest-frame choice); decoding stops there, and progress and the "input ended early"
      // check measure against it.
      double last = 0;
      for (const auto& ip : plan.images) last = std::max(last, ip.best ? ip.end_s : ip.times_s.back());
      const double needed = last + 1.0 / (v->frame_rate.value() > 0 ? v->frame_rate.value() : 25.0);
      if (plan.duration_s <= 0 || needed < plan.duration_s) plan.duration_s = plan.max_duration_s = needed;
    }
  }
  return plan;
}

std::string EncodePlan::ffmpeg_command(const std::string& output_dir) const {
  std::string graph;
  auto with_input = [](std::string g, int stream) {
    const std::string label = fmt::format("[0:{}]", stream);
    for (size_t p = g.find("[in]"); p != std::string::npos; p = g.find("[in]", p)) g.replace(p, 4, label);
    return g;
  };
  if (video_stream >= 0 && !video_filter.empty()) graph = with_input(video_filter, video_stream);
  if (audio_stream >= 0) graph += (graph.empty() ? "" : ";") + with_input(audio_filter, audio_stream);
  std::string cmd = fmt::format("ffmpeg -hide_banner -y -i '{}'", input_path);
  if (start_s > 0) cmd = fmt::format("ffmpeg -hide_banner -y -ss {} -i '{}'", fmt_seconds(start_s), input_path);
  cmd += fmt::format(" -filter_complex '{}'", graph);
  for (const auto& out : outputs) {
    if (out.video >= 0) {
      const auto& v = video[out.video];
      cmd += fmt::format(
          " -map '[v{}]' -fps_mode passthrough -c:v libx264 -preset {} -profile:v {}{} -b:v {}k -maxrate {}k -bufsize {}k"
          " -bf {} -refs {} -g {} -x264-params '{}' -color_primaries bt709 -color_trc bt709"
          " -colorspace bt709 -color_range tv",
          out.video, v.x264_preset, v.profile, v.level.empty() ? "" : " -level:v " + v.level,
          v.layer.bitrate_kbps, v.layer.maxrate_kbps(), v.layer.bufsize_kbit(), v.layer.b_frames,
          v.layer.reference_frames, v.keyint_frames, v.x264_params);
    }
    if (out.audio && audio) {
      cmd += fmt::format(" -map '[a0]' -c:a aac -profile:a {} -b:a {}k -ar {} -ac {}", audio->profile,
                         audio->codec.bitrate_kbps, audio->codec.sampling_rate, audio->codec.channels);
    }
    cmd += fmt::format(" -movflags +faststart '{}/{}'", output_dir, out.file_name);
  }
  return cmd;
}

}  // namespace mw::encoders
