#include "encoders/image_plan.hpp"

#include "presets/format_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "encoders/encode_error.hpp"
#include "encoders/plan.hpp"

namespace mw::encoders {

namespace {

using presets::ImagePosition;
using presets::OutputFormat;

const char* type_name_of(OutputFormat f) {
  switch (f) {
    case OutputFormat::Png:
      return "PngImage";
    case OutputFormat::Bmp:
      return "BmpImage";
    case OutputFormat::Jpg:
    default:  // Mp4 and the streaming formats are not images
      break;
  }
  return "JpgImage";
}

const char* format_name_of(OutputFormat f) {
  switch (f) {
    case OutputFormat::Png:
      return "PngFormat";
    case OutputFormat::Bmp:
      return "BmpFormat";
    case OutputFormat::Jpg:
      return "JpgFormat";
    default:  // Mp4 and the streaming formats are not images
      break;
  }
  return "MP4Format";
}

const char* extension_of(OutputFormat f) {
  switch (f) {
    case OutputFormat::Png:
      return ".png";
    case OutputFormat::Bmp:
      return ".bmp";
    case OutputFormat::Jpg:
      return ".jpg";
    default:  // Mp4 and the streaming formats are not images
      break;
  }
  return ".mp4";
}

bool is_image(OutputFormat f) { return presets::format::is_image_format(f); }

// The swscale name of the input's YUV matrix; the same rule as the video layers (plan.cpp):
// untagged HD is BT.709, smaller pictures BT.601.
std::string input_matrix(const VideoTrackInfo& v) {
  const std::string& cs = v.color_space;
  if (cs == "bt709") return "bt709";
  if (cs == "bt470bg" || cs == "smpte170m") return "bt601";
  if (cs == "smpte240m") return "smpte240m";
  if (cs == "bt2020nc" || cs == "bt2020c") return "bt2020";
  return v.height >= 720 || v.width >= 1280 ? "bt709" : "bt601";
}

// The libavfilter chain of one layer: scale in the coded orientation (cheaper than after the
// turn), convert to the image format's pixels (JPEG: full-range BT.601 4:2:0 as JFIF says; PNG
// rgb24; BMP bgr24), then the display transform.
std::string layer_chain(const VideoTrackInfo& v, bool hdr, int width, int height,
                        OutputFormat format) {
  const bool swap = v.display_transform.swaps_axes();
  std::string s =
      fmt::format("scale=w={}:h={}:flags=bicubic", swap ? height : width, swap ? width : height);
  if (hdr) {
    s += ":in_range=tv:in_color_matrix=bt709";
  } else {
    if (v.color_range == "pc" || v.pixel_format.rfind("yuvj", 0) == 0)
      s += ":in_range=pc";
    else if (v.color_range == "tv")
      s += ":in_range=tv";
    s += ":in_color_matrix=" + input_matrix(v);
  }
  s += ":out_range=pc:out_color_matrix=bt601";
  if (const std::string turn = v.display_transform.filter_chain(); !turn.empty()) s += "," + turn;
  s += ",setsar=1,format=";
  s += format == OutputFormat::Png ? "rgb24" : format == OutputFormat::Bmp ? "bgr24" : "yuvj420p";
  return s;
}

std::string describe(const ImagePosition& p) {
  switch (p.unit) {
    case ImagePosition::Unit::Best:
      return "{Best}";
    case ImagePosition::Unit::Frame:
      return fmt::format("frame {}", p.value);
    case ImagePosition::Unit::Percent:
      return fmt::format("{}%", p.value);
    case ImagePosition::Unit::Seconds:
      break;
  }
  // Below a millisecond (a Step of 1e-7 s) three decimals would read "0.000 s".
  return p.value > 0 && p.value < 0.001 ? fmt::format("{:.3g} s", p.value)
                                        : fmt::format("{:.3f} s", p.value);
}

struct Context {
  const std::string& path;
  std::string codec;  // "JpgImage 1"
  double duration_s;
  double fps;
};

// A position (or a length, for Step and Range) in output seconds.
double seconds_of(const ImagePosition& p, const Context& c, const char* field) {
  switch (p.unit) {
    case ImagePosition::Unit::Frame:
      return p.value / c.fps;
    case ImagePosition::Unit::Percent:
      if (c.duration_s <= 0)
        throw EncodeError(ErrorCategory::Configuration,
                          fmt::format("{}: {} {} {}: the input's duration is unknown, so a percent "
                                      "cannot be placed; give a time or a frame number",
                                      c.path, c.codec, field, describe(p)));
      return c.duration_s * p.value / 100.0;
    case ImagePosition::Unit::Seconds:
      return p.value;
    case ImagePosition::Unit::Best:
      break;
  }
  throw EncodeError(
      ErrorCategory::Configuration,
      fmt::format("{}: {} {}: {{Best}} is only allowed as Start", c.path, c.codec, field));
}

// The displayed size of one layer (see the header for the rules).
std::pair<int, int> layer_size(const presets::ImageLayer& l, double dw, double dh) {
  auto px = [](double v) { return std::max(1, static_cast<int>(std::lround(v))); };
  double w = l.width_percent > 0 ? dw * l.width_percent / 100.0 : l.width;
  double h = l.height_percent > 0 ? dh * l.height_percent / 100.0 : l.height;
  const bool w_px = l.width_percent == 0 && l.width > 0,
             h_px = l.height_percent == 0 && l.height > 0;
  if (w <= 0 && h <= 0) return {px(dw), px(dh)};
  if (w <= 0) return {px(h * dw / dh), px(h)};
  if (h <= 0) return {px(w), px(w * dh / dw)};
  if (w_px && h_px) {
    // A pixel box: turned to the picture's orientation, then fitted keeping the aspect.
    if ((dh > dw) != (h > w) && w != h) std::swap(w, h);
    const double scale = std::min(w / dw, h / dh);
    return {px(dw * scale), px(dh * scale)};
  }
  return {px(w), px(h)};
}

// Expands an image output's FileName for one capture of one layer.
std::string expand_image_name(const std::string& pattern, const Context& c,
                              const std::string& input_name, int width, int height, size_t index,
                              OutputFormat format) {
  size_t indexes = 0;
  std::string out = expand_macros(pattern, [&](const std::string& macro) -> std::string {
    if (macro == "Basename") return basename_macro(input_name);
    if (macro == "Index") return ++indexes, fmt::format("{:06}", index);
    if (macro == "Width") return std::to_string(width);
    if (macro == "Height") return std::to_string(height);
    if (macro == "Resolution") return fmt::format("{}x{}", width, height);
    if (macro == "Extension") return extension_of(format);
    throw EncodeError(
        ErrorCategory::Configuration,
        fmt::format(
            "{}: {} output file name '{}': {{{}}} is not a thumbnail macro (thumbnails "
            "have {{Basename}} {{Index}} {{Width}} {{Height}} {{Resolution}} {{Extension}})",
            c.path, c.codec, pattern, macro));
  });
  if (indexes != 1)
    throw EncodeError(
        ErrorCategory::Configuration,
        fmt::format(
            "{}: {} output file name '{}' must contain {{Index}} exactly once (MES), not {} times",
            c.path, c.codec, pattern, indexes));
  return out;
}

std::vector<double> capture_times(const presets::ImageCodec& ic, const Context& c, double& end_s) {
  const double start = seconds_of(ic.start, c, "Start");
  if (start < 0)
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("{}: {} Start {} is before the input's start", c.path, c.codec,
                                  describe(ic.start)));
  if (c.duration_s > 0 && start >= c.duration_s)
    throw EncodeError(
        ErrorCategory::Configuration,
        fmt::format("{}: {} Start {}{} is beyond the input's duration ({:.3f} s)", c.path, c.codec,
                    describe(ic.start),
                    ic.start.unit == ImagePosition::Unit::Seconds ? "" : fmt::format(" ({:.3f} s)", start),
                    c.duration_s));
  double end = c.duration_s > 0 ? c.duration_s : 0;
  if (ic.range) {
    const double range = seconds_of(*ic.range, c, "Range");
    if (range <= 0)
      throw EncodeError(
          ErrorCategory::Configuration,
          fmt::format("{}: {} Range {} must be above 0", c.path, c.codec, describe(*ic.range)));
    end = end > 0 ? std::min(end, start + range) : start + range;
  }
  std::vector<double> times{start};
  if (ic.step) {
    const double step = seconds_of(*ic.step, c, "Step");
    if (step <= 0)
      throw EncodeError(
          ErrorCategory::Configuration,
          fmt::format("{}: {} Step {} must be above 0", c.path, c.codec, describe(*ic.step)));
    if (end <= 0)
      throw EncodeError(
          ErrorCategory::Configuration,
          fmt::format("{}: {} has a Step but no Range, and the input's duration is unknown", c.path,
                      c.codec));
    // k x step rather than repeated additions: no drift over thousands of captures. The small
    // tolerance keeps "Range 96%" from dropping a capture that rounding put at the very end.
    for (size_t k = 1;; ++k) {
      const double t = start + static_cast<double>(k) * step;
      if (t >= end - 1e-9) break;
      if (times.size() >= kMaxCaptures)
        throw EncodeError(ErrorCategory::Configuration,
                          fmt::format("{}: {} Step {} makes more than {} images", c.path, c.codec,
                                      describe(*ic.step), kMaxCaptures));
      times.push_back(t);
    }
  }
  end_s = end > 0 ? end : start;
  return times;
}

}  // namespace

const char* ImagePlan::type_name() const {
  return type_name_of(format);
}

int jpeg_qscale(int quality) {
  const int q = std::clamp(quality, 1, 100);
  const double ijg_percent = q < 50 ? 5000.0 / q : 200.0 - 2.0 * q;
  return std::clamp(static_cast<int>(std::lround(0.15 * ijg_percent)), 1, 31);
}

std::string vtt_timestamp(double seconds) {
  const auto ms = static_cast<long long>(std::llround(std::max(0.0, seconds) * 1000.0));
  return fmt::format("{:02}:{:02}:{:02}.{:03}", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
                     ms % 1000);
}

std::vector<ImagePlan> plan_images(const presets::Preset& preset, const VideoTrackInfo& video,
                                   double duration_s, const std::string& input_name,
                                   const std::string& input_path) {
  std::vector<ImagePlan> plans;
  const auto [dw, dh] = video.display_size();
  const double fps = video.frame_rate.value() > 0 ? video.frame_rate.value() : 25.0;
  const bool hdr = video.hdr();
  std::set<std::string> names;
  int seen[4] = {0, 0, 0, 0};  // codecs of each format so far (binding to that format's outputs)
  for (size_t ci = 0; ci < preset.images.size(); ++ci) {
    const auto& ic = preset.images[ci];
    ImagePlan p;
    p.codec_index = static_cast<int>(ci);
    p.format = ic.format == OutputFormat::Mp4 ? OutputFormat::Jpg : ic.format;
    p.sprite_columns = ic.sprite_columns;
    const int nth = seen[static_cast<int>(p.format)]++;
    const Context c{input_path, fmt::format("{} {}", p.type_name(), nth + 1), duration_s, fps};

    // The nth codec of a format writes the nth output of that format.
    const presets::Output* output = nullptr;
    int of_format = 0;
    for (const auto& out : preset.outputs)
      if (out.format == p.format && of_format++ == nth) output = &out;
    if (output == nullptr)
      throw EncodeError(
          ErrorCategory::Configuration,
          fmt::format("{}: {} has no output with Format {} (MES matches each image codec to an "
                      "output of its format)",
                      input_path, c.codec, format_name_of(p.format)));
    if (ic.layers.empty())
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("{}: {} has no layers", input_path, c.codec));

    p.best = ic.start.unit == ImagePosition::Unit::Best;
    if (p.sprite_columns > 0) {
      auto frames = [](const std::optional<ImagePosition>& x) {
        return x && (x->unit == ImagePosition::Unit::Frame || x->unit == ImagePosition::Unit::Best);
      };
      if (p.format != OutputFormat::Jpg)
        throw EncodeError(
            ErrorCategory::Configuration,
            fmt::format("{}: {} has SpriteColumn: sprites are JPEG only", input_path, c.codec));
      if (frames(ic.start) || frames(ic.step) || frames(ic.range))
        throw EncodeError(
            ErrorCategory::Configuration,
            fmt::format("{}: {} has SpriteColumn: its Start, Step and Range must be times or "
                        "percents, not frame numbers or {{Best}} (generate-thumbnail-sprite.md)",
                        input_path, c.codec));
    }
    if (p.best) {
      p.end_s = duration_s > 0 ? std::min(kBestWindowS, duration_s) : kBestWindowS;
    } else {
      p.times_s = capture_times(ic, c, p.end_s);
    }

    std::vector<std::string> chains;
    for (const auto& layer : ic.layers) {
      ImageLayerPlan l;
      l.layer = layer;
      std::tie(l.width, l.height) = layer_size(layer, dw, dh);
      if (p.sprite_columns > 0) {  // even tiles: 4:2:0 chroma of every tile starts on a sample
        l.width = std::max(2, l.width / 2 * 2);
        l.height = std::max(2, l.height / 2 * 2);
      }
      if (p.format == OutputFormat::Jpg) l.qscale = jpeg_qscale(layer.quality);
      auto claim = [&](std::string name) {
        if (!names.insert(name).second)
          throw EncodeError(
              ErrorCategory::Configuration,
              fmt::format(
                  "{}: {} output file name '{}' gives '{}' twice; add {{Resolution}} to tell "
                  "layers apart",
                  input_path, c.codec, output->file_name, name));
        return name;
      };
      if (p.sprite_columns > 0) {
        const int columns = p.sprite_columns;
        const int rows = static_cast<int>((p.times_s.size() + static_cast<size_t>(columns) - 1) /
                                          static_cast<size_t>(columns));
        l.sprite_width = columns * l.width;
        l.sprite_height = rows * l.height;
        const long long pixels = static_cast<long long>(l.sprite_width) * l.sprite_height;
        // One sheet per layer, as MES writes it (and the WebVTT cues name): a grid over the
        // limit is refused rather than split into sheets the AMS client does not expect.
        if (pixels > kMaxSpritePixels || l.sprite_width > 65535 || l.sprite_height > 65535)
          throw EncodeError(
              ErrorCategory::Configuration,
              fmt::format(
                  "{}: {} SpriteColumn {}: sprite of {} images of {}x{} in {} columns is {}x{} "
                  "({:.1f} Mpixel); the limit is {:.1f} Mpixel and 65535 pixels a side "
                  "(generate-thumbnail-sprite.md): {}",
                  input_path, c.codec, columns, p.times_s.size(), l.width, l.height, columns,
                  l.sprite_width, l.sprite_height, pixels / 1048576.0, kMaxSpritePixels / 1048576.0,
                  pixels > kMaxSpritePixels
                      ? "fewer images (a longer Step or a shorter Range) or a smaller layer size"
                      : "another SpriteColumn"));
        l.sprite_file_name = claim(
            expand_image_name(output->file_name, c, input_name, l.width, l.height, 1, p.format));
        l.vtt_file_name =
            claim(std::filesystem::path(l.sprite_file_name).replace_extension(".vtt").string());
      } else {
        for (size_t i = 0; i < p.captures(); ++i)
          l.file_names.push_back(claim(expand_image_name(output->file_name, c, input_name, l.width,
                                                         l.height, i + 1, p.format)));
      }
      chains.push_back(layer_chain(video, hdr, l.width, l.height, p.format));
      p.layers.push_back(std::move(l));
    }
    // HDR10/HLG: tone-mapped to SDR BT.709 once, before the layers (as the video layers are).
    const std::string head =
        hdr ? "[in]zscale=filter=bicubic:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
              "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,"
            : "[in]";
    if (chains.size() == 1) {
      p.filter = head + chains[0] + "[v0]";
    } else {
      p.filter = head + fmt::format("split={}", chains.size());
      for (size_t i = 0; i < chains.size(); ++i) p.filter += fmt::format("[s{}]", i);
      for (size_t i = 0; i < chains.size(); ++i)
        p.filter += fmt::format(";[s{}]{}[v{}]", i, chains[i], i);
    }
    plans.push_back(std::move(p));
  }
  // An image output no codec writes is a preset mistake, not something to skip silently.
  for (const auto& out : preset.outputs) {
    if (!is_image(out.format)) continue;
    int outputs_of_format = 0;
    for (const auto& o : preset.outputs) outputs_of_format += o.format == out.format ? 1 : 0;
    if (outputs_of_format > seen[static_cast<int>(out.format)])
      throw EncodeError(
          ErrorCategory::Configuration,
          fmt::format("{}: output '{}' has Format {} but the preset has no {} codec for it",
                      input_path, out.file_name, format_name_of(out.format),
                      type_name_of(out.format)));
  }
  return plans;
}

}  // namespace mw::encoders
