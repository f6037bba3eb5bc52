#include "encoders/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string_view>

#include "encoders/encode_error.hpp"
#include "encoders/output_plan.hpp"
#include "presets/format_rules.hpp"

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

/// ITU-T H.264 Table A-1: the macroblocks per second (MaxMBPS) and per frame (MaxFS) of a level.
struct LevelLimits {
  std::string_view level;
  int64_t max_mbps;
  int64_t max_fs;
};
constexpr LevelLimits kLevelLimits[] = {
    {"1", 1485, 99},          {"1b", 1485, 99},         {"1.1", 3000, 396},
    {"1.2", 6000, 396},       {"1.3", 11880, 396},      {"2", 11880, 396},
    {"2.1", 19800, 792},      {"2.2", 20250, 1620},     {"3", 40500, 1620},
    {"3.1", 108000, 3600},    {"3.2", 216000, 5120},    {"4", 245760, 8192},
    {"4.1", 245760, 8192},    {"4.2", 522240, 8704},    {"5", 589824, 22080},
    {"5.1", 983040, 36864},   {"5.2", 2073600, 36864},  {"6", 4177920, 139264},
    {"6.1", 8355840, 139264}, {"6.2", 16711680, 139264}};

/// A note when a layer's picture size or frame rate is beyond the level the preset writes (the
/// published iOS ladders' levels assume at most 30 fps): the level is still signalled as the
/// preset says, so the note names the level that would cover the layer. Empty when it fits or
/// the level is automatic.
std::string level_note(size_t index, const VideoEncodePlan& v) {
  const auto limits = std::find_if(std::begin(kLevelLimits), std::end(kLevelLimits),
                                   [&](const LevelLimits& l) { return l.level == v.level; });
  if (v.level.empty() || limits == std::end(kLevelLimits)) return "";
  const int64_t frame_mbs = int64_t{(v.size.width + 15) / 16} * ((v.size.height + 15) / 16);
  const double mbps = static_cast<double>(frame_mbs) * v.frame_rate.value();
  if (frame_mbs <= limits->max_fs && mbps <= static_cast<double>(limits->max_mbps)) return "";
  const auto enough = std::find_if(limits, std::end(kLevelLimits), [&](const LevelLimits& l) {
    return frame_mbs <= l.max_fs && mbps <= static_cast<double>(l.max_mbps);
  });
  return fmt::format(
      "layer {} ({}x{} at {:.3f} fps: {} macroblocks a frame, {:.0f} a second) is beyond level {} "
      "(ITU-T H.264 Table A-1: {} a frame, {} a second); it is signalled level {} as the preset "
      "says, which strict decoders may refuse{}",
      index, v.size.width, v.size.height, v.frame_rate.value(), frame_mbs, mbps, v.level,
      limits->max_fs, limits->max_mbps, v.level,
      enough == std::end(kLevelLimits) ? std::string()
                                       : fmt::format("; level {} would cover it", enough->level));
}

// The input a Source names: its AssetID (with or without the "nb:cid:UUID:" prefix), or the
// task's first input when it names none.
size_t find_input(const std::vector<PlanInput>& inputs, const std::string& asset_id, size_t source) {
  if (asset_id.empty()) return 0;
  auto bare = [](std::string_view id) {
    constexpr std::string_view prefix = "nb:cid:UUID:";
    if (id.substr(0, prefix.size()) == prefix) id.remove_prefix(prefix.size());
    return id;
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    if (bare(inputs[i].asset_id) == bare(asset_id)) return i;
  std::string known;
  for (const auto& in : inputs) known += (known.empty() ? "" : ", ") + in.asset_id;
  throw EncodeError(ErrorCategory::Configuration,
                    fmt::format("Sources[{}]: AssetID '{}' is not an input asset of the task (inputs: {})",
                                source, asset_id, known.empty() ? "none named" : known));
}

// MES Filters Crop: a rectangle of the coded picture (before rotation).
void check_crop(const presets::Crop& c, const VideoTrackInfo& v, const std::string& where) {
  if (c.x < 0 || c.y < 0 || c.width < 2 || c.height < 2 || c.x + c.width > v.width ||
      c.y + c.height > v.height)
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("{}: crop {}x{} at ({}, {}) lies outside the {}x{} picture (Filters.Crop is "
                                  "in the source's pixels, before rotation)",
                                  where, c.width, c.height, c.x, c.y, v.width, v.height));
}

// The track as the layers see it: cropped (MES Crop) and turned as Filters.Rotation says (Auto:
// the display matrix; R0: not at all; R90/R180/R270: clockwise by that much).
VideoTrackInfo displayed_track(const VideoTrackInfo& v, const presets::Filters& filters) {
  VideoTrackInfo shown = v;
  if (filters.crop) {
    shown.width = filters.crop->width;
    shown.height = filters.crop->height;
  }
  switch (filters.rotation) {
    case presets::Rotation::Auto: break;
    case presets::Rotation::R0: shown.display_transform = {1, 0, 0, 1}; break;
    case presets::Rotation::R90: shown.display_transform = {0, 1, -1, 0}; break;
    case presets::Rotation::R180: shown.display_transform = {-1, 0, 0, -1}; break;
    case presets::Rotation::R270: shown.display_transform = {0, -1, 1, 0}; break;
  }
  return shown;
}

// MES InsertBlackIfNoVideo(BottomLayerOnly): black frames at each layer's box, at the layer's
// rate (25 fps when it follows the source), for `duration_s` (the audio's).
void plan_black_video(EncodePlan& plan, const presets::VideoCodec& vc, double duration_s) {
  std::vector<presets::VideoLayer> layers = vc.layers;
  if (vc.condition == presets::VideoCondition::InsertBlackIfNoVideoBottomLayerOnly && !layers.empty())
    layers = {*std::min_element(layers.begin(), layers.end(), [](const auto& x, const auto& y) {
      return x.bitrate_kbps < y.bitrate_kbps;
    })};
  std::string graph;
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& layer = layers[i];
    if (layer.width <= 0 || layer.height <= 0)
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("layer {}: a size in percent needs a source picture, and the input has "
                                    "no video to insert black frames for",
                                    i));
    const Size size{layer.width, layer.height};
    VideoEncodePlan p = video_encoder(vc, layer, size, size, Fraction{25, 1});
    graph += fmt::format("color=c=black:s={}x{}:r={}/{}:d={},setsar=1,format=yuv420p[v{}];", size.width,
                         size.height, p.frame_rate.num, p.frame_rate.den, fmt_seconds(duration_s), i);
    plan.video.push_back(std::move(p));
  }
  plan.video_filter = graph + "[in]nullsink";
  plan.notes.push_back(fmt::format("the input has no video stream: {} black at {}x{} is inserted ({})",
                                   layers.size() > 1 ? fmt::format("{} layers of", layers.size()) : "one layer",
                                   layers.front().width, layers.front().height,
                                   vc.condition == presets::VideoCondition::InsertBlackIfNoVideo
                                       ? "InsertBlackIfNoVideo"
                                       : "InsertBlackIfNoVideoBottomLayerOnly"));
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

EncodePlan make_plan(const presets::Preset& preset, const MediaInfo& input,
                     const PlanOptions& options) {
  return make_plan(preset, std::vector<PlanInput>{PlanInput{input, ""}}, options);
}

EncodePlan make_plan(const presets::Preset& preset, const std::vector<PlanInput>& inputs,
                     const PlanOptions& options) {
  if (inputs.empty()) throw EncodeError(ErrorCategory::Configuration, "no input to encode");
  const MediaInfo& input = inputs.front().info;  // names the output files
  EncodePlan plan;
  plan.preset_name = preset.name;

  // --- Segments: which input, which span (MES Sources) ------------------------------------
  const bool from_sources = !preset.sources.empty();
  const bool images = !preset.images.empty();  // thumbnails need the video stream too
  std::vector<presets::Source> sources = preset.sources;
  if (!from_sources) sources.emplace_back();  // the whole first input
  const bool concat = sources.size() > 1;
  const VideoTrackInfo* v = nullptr;  // the first segment's tracks decide the graphs
  const AudioTrackInfo* a = nullptr;
  for (size_t i = 0; i < sources.size(); ++i) {
    const presets::Source& src = sources[i];
    const size_t index = find_input(inputs, src.asset_id, i);
    const MediaInfo& in = inputs[index].info;
    const std::string where = concat || from_sources
                                  ? fmt::format("Sources[{}] (asset '{}', {})", i,
                                                inputs[index].asset_id, in.path)
                                  : in.path;
    const VideoTrackInfo* sv = preset.video || images ? in.primary_video() : nullptr;
    const AudioTrackInfo* sa = preset.audio ? in.primary_audio() : nullptr;
    const bool black = preset.video && sv == nullptr &&
                       preset.video->condition != presets::VideoCondition::None;
    if (preset.video && sv == nullptr && (!black || concat))
      throw EncodeError(concat ? ErrorCategory::Configuration : ErrorCategory::UnsupportedFormat,
                        fmt::format("{}: no video stream; preset '{}' encodes video{}", where, preset.name,
                                    concat ? " and every concatenated input must have one"
                                           : " (an audio preset such as 'AAC Good Quality Audio' "
                                             "encodes this file)"));
    if (images && sv == nullptr && !black)
      throw EncodeError(ErrorCategory::UnsupportedFormat,
                        fmt::format("{}: no video stream; preset '{}' makes thumbnails ({}), which need "
                                    "a video stream", where, preset.name,
                                    preset.images[0].format == presets::OutputFormat::Png   ? "PngImage"
                                    : preset.images[0].format == presets::OutputFormat::Bmp ? "BmpImage"
                                                                                            : "JpgImage"));
    if (!preset.video && !images && sa == nullptr)
      throw EncodeError(concat ? ErrorCategory::Configuration : ErrorCategory::UnsupportedFormat,
                        fmt::format("{}: no audio stream; preset '{}' encodes audio only", where,
                                    preset.name));
    if (concat && preset.audio && sa == nullptr)
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("{}: no audio stream: concatenated inputs must each have one "
                                    "audio track (MES Sources)", where));
    if (i == 0) {
      v = sv;
      a = sa;
      plan.black_video = black;
    } else if (v && sv && std::abs(sv->frame_rate.value() - v->frame_rate.value()) > 0.01) {
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("{}: frame rate {}/{} differs from Sources[0]'s {}/{}: concatenated "
                                    "inputs must have the same frame rate (MES Sources)",
                                    where, sv->frame_rate.num, sv->frame_rate.den, v->frame_rate.num,
                                    v->frame_rate.den));
    }
    if (i > 0 && v && sv && preset.filters.rotation == presets::Rotation::Auto) {
      const DisplayTransform& t0 = v->display_transform;
      const DisplayTransform& t = sv->display_transform;
      if (t.a != t0.a || t.b != t0.b || t.c != t0.c || t.d != t0.d)
        throw EncodeError(ErrorCategory::Configuration,
                          fmt::format("{}: its display matrix ({}) differs from Sources[0]'s ({}): one graph "
                                      "turns every concatenated input, so they must agree (or set "
                                      "Filters.Rotation)",
                                      where, t.describe(), t0.describe()));
    }
    if (preset.filters.crop && sv) check_crop(*preset.filters.crop, *sv, where);

    // Output time 0 of the segment is its lead track's first timestamp (the first video frame,
    // or the first audio sample of an audio-only encode): audio is conformed to the video.
    const TrackInfo& lead = sv ? static_cast<const TrackInfo&>(*sv) : *sa;
    SegmentPlan seg;
    seg.input = index;
    seg.input_path = in.path;
    seg.asset_id = inputs[index].asset_id;
    seg.video_stream = sv ? sv->index : -1;
    seg.audio_stream = sa ? sa->index : -1;
    seg.origin_s = lead.start_time_s;
    const double declared_end = declared_duration(in, lead);
    double cut = options.duration_s;
    if (from_sources) {
      cut = src.duration_s.value_or(0);
      if (src.start_s) {
        if (*src.start_s < seg.origin_s - 0.0005)
          throw EncodeError(ErrorCategory::Configuration,
                            fmt::format("{}: StartTime {:.3f} s is before the input's first timestamp "
                                        "{:.3f} s (StartTime is an input timestamp, not an offset)",
                                        where, *src.start_s, seg.origin_s));
        seg.start_s = std::max(0.0, *src.start_s - seg.origin_s);
      }
    } else {
      seg.start_s = options.start_s;
    }
    if (seg.start_s > 0 && declared_end > 0 && seg.start_s >= declared_end)
      throw EncodeError(
          ErrorCategory::Configuration,
          from_sources ? fmt::format("{}: StartTime {:.3f} s is beyond the input's end ({:.3f} s)", where,
                                     seg.origin_s + seg.start_s, seg.origin_s + declared_end)
                       : fmt::format("{}: start {:.3f} s is beyond the input's end ({:.3f} s)", in.path,
                                     seg.start_s, declared_end));
    double span = declared_end > 0 ? declared_end - seg.start_s : 0;
    if (cut > 0) span = span > 0 ? std::min(span, cut) : cut;
    seg.duration_s = span;
    seg.max_duration_s = cut > 0 ? span : 0;
    if (i == 0) plan.declared_end_s = declared_end;
    plan.segments.push_back(std::move(seg));
  }
  if (from_sources && options.duration_s > 0) {  // the option caps the whole output
    double at = 0;
    for (size_t i = 0; i < plan.segments.size(); ++i) {
      auto& seg = plan.segments[i];
      if (seg.duration_s <= 0 || at + seg.duration_s > options.duration_s) {
        seg.duration_s = seg.max_duration_s = options.duration_s - at;
        plan.segments.resize(i + 1);
        break;
      }
      at += seg.duration_s;
    }
  }
  double total = 0;
  for (const auto& seg : plan.segments) total = seg.duration_s > 0 && total >= 0 ? total + seg.duration_s : -1;
  plan.duration_s = std::max(0.0, total);
  const SegmentPlan& first = plan.segments.front();
  plan.input_path = first.input_path;
  plan.video_stream = first.video_stream;
  plan.audio_stream = first.audio_stream;
  plan.origin_s = first.origin_s;
  plan.start_s = first.start_s;
  plan.max_duration_s = first.max_duration_s;
  const double span = plan.duration_s;
  plan.silent_audio = preset.audio && a == nullptr && preset.audio->insert_silence_if_no_audio;
  if (preset.audio && a == nullptr && !plan.silent_audio)
    plan.notes.push_back("the input has no audio stream: the output is video only");
  if ((plan.black_video || plan.silent_audio) && span <= 0)
    throw EncodeError(ErrorCategory::UnsupportedFormat,
                      fmt::format("{}: the input's duration is unknown, so no {} can be generated for it",
                                  input.path, plan.black_video ? "black video" : "silent audio"));
  // One segment: the graphs trim (exact to the frame and sample). Several: the source stage
  // trims and re-times each span, and the graphs see one continuous stream.
  const bool trimmed = !concat && (first.start_s > 0 || first.max_duration_s > 0);
  const std::string trim_end = first.max_duration_s > 0 ? ":end=" + fmt_seconds(span) : "";

  if (plan.black_video) {
    plan_black_video(plan, *preset.video, span);
  } else if (v && preset.video) {
    const auto& vc = *preset.video;
    const VideoTrackInfo shown = displayed_track(*v, preset.filters);
    const auto [dw, dh] = shown.display_size();
    const bool rotated = shown.display_transform.swaps_axes();
    const bool multi = vc.layers.size() > 1;
    std::vector<std::string> common;
    if (trimmed) common.push_back("trim=start=0" + trim_end);
    if (v->interlaced && preset.filters.deinterlace != presets::DeinterlaceMode::Off)
      common.push_back("bwdif=mode=send_frame:parity=auto:deint=interlaced");
    if (const auto& c = preset.filters.crop)
      common.push_back(fmt::format("crop=w={}:h={}:x={}:y={}:exact=1", c->width, c->height, c->x, c->y));
    const bool hdr = v->hdr();
    if (hdr) plan.notes.push_back(fmt::format("HDR input ({}): tone-mapped to SDR BT.709", v->color_transfer));
    if (hdr && multi) common.push_back(tonemap(std::nullopt));  // once, at the source size
    std::vector<std::string> layer_chains;
    for (size_t i = 0; i < vc.layers.size(); ++i) {
      const auto& layer = vc.layers[i];
      // Percent sizes are of the displayed (cropped, turned) picture, so already in its
      // orientation (MES Width "100%").
      const bool percent = layer.width_percent > 0 || layer.height_percent > 0;
      Size box{layer.width_percent > 0 ? even(dw * layer.width_percent / 100.0) : layer.width,
               layer.height_percent > 0 ? even(dh * layer.height_percent / 100.0) : layer.height};
      const bool portrait = dh > dw, box_portrait = box.height > box.width;
      if (!percent && vc.orientation == presets::Orientation::FollowSource && portrait != box_portrait &&
          box.width != box.height)
        std::swap(box.width, box.height);
      // The layer as the preset writes it, for notes.
      const std::string written = percent ? fmt::format("{}%x{}%", layer.width_percent, layer.height_percent)
                                          : fmt::format("{}x{}", layer.width, layer.height);
      // AutoFit fits like AutoSize and pads the rest of the box (letterbox/pillarbox).
      const StretchMode fit = vc.stretch == StretchMode::AutoFit ? StretchMode::AutoSize : vc.stretch;
      Size picture = fit_to_box(dw, dh, box, fit, true);
      if (!vc.upscale_allowed() && (picture.width > even(dw) || picture.height > even(dh))) {
        // Ladders drop the layers above the source (MES; DESIGN.md); when every layer is above
        // it, the last (lowest) one is kept at the source's size.
        if (multi && !(plan.video.empty() && i + 1 == vc.layers.size())) {
          plan.notes.push_back(fmt::format(
              "layer {} ({} at {} kbps) dropped: it is larger than the source's {}x{} picture and the "
              "preset does not upscale",
              i, written, layer.bitrate_kbps, even(dw), even(dh)));
          continue;
        }
        picture = fit_to_box(dw, dh, box, fit, false);
        if (multi)
          plan.notes.push_back(fmt::format("layer {} ({}) is encoded at the source's {}x{}: every layer is larger "
                                           "than the source", i, written, picture.width, picture.height));
      }
      const Size coded = rotated ? Size{picture.height, picture.width} : picture;
      std::vector<std::string> chain;
      if (hdr && !multi) chain.push_back(tonemap(coded));
      else chain.push_back(sdr_scale(*v, coded, hdr));
      chain.push_back(shown.display_transform.filter_chain());
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
      if (std::string note = level_note(plan.video.size() - 1, plan.video.back()); !note.empty())
        plan.notes.push_back(std::move(note));
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

  std::vector<std::string> audio_chain;
  if (preset.audio && (a || plan.silent_audio)) {
    plan.audio = audio_encoder(*preset.audio);
    if (!plan.audio->note.empty()) plan.notes.push_back(plan.audio->note);
    const std::string format =
        fmt::format("aformat=sample_fmts=fltp:sample_rates={}:channel_layouts={}",
                    preset.audio->sampling_rate, plan.audio->channel_layout);
    if (plan.silent_audio) {
      // MES InsertSilenceIfNoAudio: a silent track of the preset's layout and rate, as long as
      // the video.
      audio_chain.push_back(fmt::format("anullsrc=channel_layout={}:sample_rate={}",
                                        plan.audio->channel_layout, preset.audio->sampling_rate));
      audio_chain.push_back(fmt::format("atrim=end={}", fmt_seconds(span)));
      audio_chain.push_back(format);
      plan.notes.push_back(fmt::format("the input has no audio stream: a silent {} track is inserted "
                                       "(InsertSilenceIfNoAudio)", plan.audio->channel_layout));
    } else {
      if (trimmed) audio_chain.push_back("atrim=start=0" + trim_end);
      // Fill gaps and a late start with silence, drop samples before output time 0.
      audio_chain.push_back("aresample=async=1:first_pts=0");
      audio_chain.push_back(format);
      if ((v || plan.black_video) && span > 0) {
        // Conform to the video's span: pad a short audio track, cut a long one.
        audio_chain.push_back(fmt::format("apad=whole_dur={}", fmt_seconds(span)));
        audio_chain.push_back(fmt::format("atrim=end={}", fmt_seconds(span)));
      }
      if (concat) {
        // Each span reaches the graph already trimmed, converted and exactly its length.
        for (auto& seg : plan.segments) {
          std::vector<std::string> c{"atrim=start=0" + (seg.max_duration_s > 0 || seg.duration_s > 0
                                                            ? ":end=" + fmt_seconds(seg.duration_s)
                                                            : std::string()),
                                     "aresample=async=1:first_pts=0", format};
          if (seg.duration_s > 0) {
            c.push_back(fmt::format("apad=whole_dur={}", fmt_seconds(seg.duration_s)));
            c.push_back(fmt::format("atrim=end={}", fmt_seconds(seg.duration_s)));
          }
          seg.audio_filter = "[in]" + join(c, ",") + "[a0]";
        }
      }
    }
  }

  plan_outputs(plan, preset, input);
  if (images && v) {
    plan.images = plan_images(preset, *v, span, input.name, input.path);
    if (plan.video.empty() && !plan.audio) {
      // Thumbnails only: the input is needed up to the last capture (one frame more for the
      // nearest-frame choice); decoding stops there, and progress and the "input ended early"
      // check measure against it.
      double last = 0;
      for (const auto& ip : plan.images) last = std::max(last, ip.best ? ip.end_s : ip.times_s.back());
      const double needed = last + 1.0 / (v->frame_rate.value() > 0 ? v->frame_rate.value() : 25.0);
      if (plan.duration_s <= 0 || needed < plan.duration_s) {
        plan.duration_s = plan.max_duration_s = needed;
        if (plan.segments.size() == 1) plan.segments.front().duration_s = plan.segments.front().max_duration_s = needed;
      }
    }
  }

  if (plan.audio) {
    // One graph feeds every AAC encoder: [a0] the preset's, [a1].. the extra bitrates.
    const size_t sinks = 1 + plan.extra_audio.size();
    std::string sink_labels = sinks > 1 ? fmt::format(",asplit={}", sinks) : "";
    for (size_t k = 0; k < sinks; ++k) sink_labels += fmt::format("[a{}]", k);
    plan.audio_filter = plan.silent_audio ? join(audio_chain, ",") + sink_labels + ";[in]anullsink"
                                          : "[in]" + join(audio_chain, ",") + sink_labels;
  }
  return plan;
}

}  // namespace mw::encoders
