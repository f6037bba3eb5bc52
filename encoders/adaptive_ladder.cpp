#include "encoders/adaptive_ladder.hpp"

#include <fmt/format.h>

#include <stdlib.h>  // mkdtemp (POSIX)

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "encoders/encode_error.hpp"
#include "encoders/input_file.hpp"
#include "encoders/measure.hpp"
#include "encoders/pipeline.hpp"

namespace mw::encoders {

namespace {

// MES's "Adaptive Streaming" example for a 1080p 29.97 source (AMS-V2-REFERENCE.md §7). Its
// 720p 23.97 and 360p 29.97 examples have the same ratios between layers (within 10 kbps
// rounding), so one table describes all three.
struct Rung {
  Size box;
  double kbps;
};
constexpr std::array<Rung, 6> kReferenceLadder{{
    {{1920, 1080}, 6780},
    {{1280, 720}, 3520},
    {{960, 540}, 2210},
    {{640, 360}, 1150},
    {{480, 270}, 720},
    {{320, 180}, 380},
}};
// Bitrate ~ area^0.8 fits the table: 1080p/180p = 17.8 for 36x the pixels.
constexpr double kAreaExponent = 0.8;
// A source this much larger (in pixels) than the largest box that fits it gets a layer at its
// own size.
constexpr double kOwnSizeRungArea = 1.2;

int even_down(double v) { return std::max(2, 2 * static_cast<int>(std::floor(v / 2.0))); }
double area(Size s) { return static_cast<double>(s.width) * s.height; }
int round10(double kbps) { return static_cast<int>(std::lround(kbps / 10.0)) * 10; }

std::string layer_list(const std::vector<Size>& pictures, const std::vector<presets::VideoLayer>& layers) {
  std::string out;
  for (size_t i = 0; i < layers.size(); ++i)
    out += fmt::format("{}{}x{}@{}", i ? ", " : "", pictures[i].width, pictures[i].height,
                       layers[i].bitrate_kbps);
  return out;
}

// A folder under the system temp folder, removed with its content on destruction.
class ProbeFolder {
 public:
  ProbeFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mw-ladder-probe-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw EncodeError(ErrorCategory::Output,
                        fmt::format("{}: cannot create the complexity probe's temporary folder",
                                    pattern));
    path_ = pattern;
  }
  ~ProbeFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ProbeFolder(const ProbeFolder&) = delete;
  ProbeFolder& operator=(const ProbeFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

double source_video_kbps(const MediaInfo& input) {
  const VideoTrackInfo* v = input.primary_video();
  if (v == nullptr) return 0;
  if (v->bitrate_bps > 0) return v->bitrate_bps / 1000.0;
  double overall_bps = static_cast<double>(input.overall_bitrate_bps);
  if (overall_bps <= 0 && input.size_bytes > 0 && input.duration_s > 0)
    overall_bps = input.size_bytes * 8.0 / input.duration_s;
  if (overall_bps <= 0) return 0;
  for (const auto& a : input.audio_tracks) overall_bps -= static_cast<double>(a.bitrate_bps);
  return std::max(0.0, overall_bps / 1000.0);
}

double reference_kbps(double pixels) {
  const auto& top = kReferenceLadder.front();
  const auto& bottom = kReferenceLadder.back();
  if (pixels >= area(top.box)) return top.kbps * std::pow(pixels / area(top.box), kAreaExponent);
  if (pixels <= area(bottom.box))
    return bottom.kbps * std::pow(std::max(pixels, 1.0) / area(bottom.box), kAreaExponent);
  for (size_t i = 1; i < kReferenceLadder.size(); ++i) {
    const auto& hi = kReferenceLadder[i - 1];
    const auto& lo = kReferenceLadder[i];
    if (pixels < area(lo.box)) continue;
    const double t = std::log(pixels / area(lo.box)) / std::log(area(hi.box) / area(lo.box));
    return std::exp(std::log(lo.kbps) + t * (std::log(hi.kbps) - std::log(lo.kbps)));
  }
  return bottom.kbps;  // not reached
}

AdaptiveLadder ladder_from_probe(const LadderSource& source, const ComplexityProbe& probe,
                                 const presets::VideoCodec& video_template) {
  AdaptiveLadder ladder;
  const double dw = source.display_width, dh = source.display_height;
  const bool portrait = dh > dw;
  auto oriented = [portrait](Size box) { return portrait ? Size{box.height, box.width} : box; };
  // The source's size rounded down to even numbers (4:2:0): a layer never has more lines or
  // columns than the source.
  const Size source_size{even_down(dw), even_down(dh)};

  // The rungs: each box's AutoSize picture, as make_plan will fit it; boxes whose picture is
  // larger than the source are left out (MES never exceeds the input's resolution).
  std::vector<Size> boxes, pictures;
  for (const auto& rung : kReferenceLadder) {
    const Size box = oriented(rung.box);
    const Size picture = fit_to_box(dw, dh, box, presets::StretchMode::AutoSize, true);
    if (picture.width > source_size.width || picture.height > source_size.height) continue;
    boxes.push_back(box);
    pictures.push_back(picture);
  }
  const Size largest = oriented(kReferenceLadder.front().box);
  const bool larger_box_dropped =
      boxes.empty() || boxes.front().width != largest.width || boxes.front().height != largest.height;
  if (boxes.empty() ||
      (larger_box_dropped && area(source_size) >= kOwnSizeRungArea * area(pictures.front()))) {
    boxes.insert(boxes.begin(), source_size);
    pictures.insert(pictures.begin(), source_size);
  }

  // Complexity: the probe's bitrate as if measured at 640x360, against typical content.
  double measured = 1;
  if (probe.kbps > 0 && probe.size.width > 0 && probe.size.height > 0) {
    const double reference_area = area(kProbeBox);
    measured = probe.kbps * std::pow(reference_area / area(probe.size), kAreaExponent) / kTypicalProbeKbps;
  }
  ladder.complexity = std::clamp(measured, kMinComplexity, kMaxComplexity);
  const double top_area = area(pictures.front());
  const double wanted = ladder.complexity * reference_kbps(top_area);
  int top = std::max(10, round10(wanted));
  const bool capped = source.video_kbps > 0 && wanted > source.video_kbps;
  if (capped) top = std::max(10, static_cast<int>(std::floor(source.video_kbps / 10.0)) * 10);

  // The layers' settings: the template's first layer, else MES's defaults with High profile.
  presets::VideoLayer base;
  base.profile = presets::H264Profile::High;
  if (!video_template.layers.empty()) base = video_template.layers.front();
  base.level.clear();
  base.width_percent = base.height_percent = 0;
  const double max_ratio = base.max_bitrate_kbps > 0 && base.bitrate_kbps > 0
                               ? static_cast<double>(base.max_bitrate_kbps) / base.bitrate_kbps
                               : 0;
  std::vector<Size> kept_pictures;
  std::vector<std::string> left_out;
  for (size_t i = 0; i < boxes.size(); ++i) {
    const int kbps = i == 0 ? top : round10(top * reference_kbps(area(pictures[i])) / reference_kbps(top_area));
    if (i > 0 && kbps < kMinLayerKbps) {
      left_out.push_back(fmt::format("{}x{} ({} kbps)", pictures[i].width, pictures[i].height, kbps));
      continue;
    }
    presets::VideoLayer layer = base;
    layer.width = boxes[i].width;
    layer.height = boxes[i].height;
    layer.bitrate_kbps = kbps;
    layer.max_bitrate_kbps = max_ratio > 0 ? static_cast<int>(std::lround(kbps * max_ratio)) : 0;
    ladder.layers.push_back(layer);
    kept_pictures.push_back(pictures[i]);
  }

  if (probe.segments > 0) {
    std::string factor = fmt::format("complexity {:.2f}", ladder.complexity);
    if (measured != ladder.complexity)
      factor = fmt::format("complexity {:.2f}, limited to {:.2f}", measured, ladder.complexity);
    ladder.notes.push_back(fmt::format(
        "complexity probe: {} segment{} ({:.1f} s), CRF {} at {}x{} -> {:.0f} kbps (typical content: {:.0f} "
        "kbps at 640x360): {}; the probe took {:.2f} s",
        probe.segments, probe.segments == 1 ? "" : "s", probe.seconds, kProbeCrf, probe.size.width,
        probe.size.height, probe.kbps, kTypicalProbeKbps, factor, probe.elapsed_s));
  }
  const std::string source_rate =
      source.video_kbps > 0 ? fmt::format("source video {:.0f} kbps", source.video_kbps) : "source bitrate unknown";
  ladder.notes.push_back(fmt::format(
      "content-adaptive ladder: top layer {}x{} at {} kbps ({}{}); {} layer{}: {}", kept_pictures.front().width,
      kept_pictures.front().height, top, source_rate,
      capped ? fmt::format(", capped: the content asks for {:.0f} kbps", wanted) : "", ladder.layers.size(),
      ladder.layers.size() == 1 ? "" : "s", layer_list(kept_pictures, ladder.layers)));
  if (source_size.width > largest.width || source_size.height > largest.height)
    ladder.notes.push_back(fmt::format(
        "the source is {}x{}: content-adaptive ladders stop at 1920x1080 (MES's documented ladder)",
        source_size.width, source_size.height));
  if (!left_out.empty()) {
    std::string list;
    for (const auto& l : left_out) list += (list.empty() ? "" : ", ") + l;
    ladder.notes.push_back(fmt::format("layers under {} kbps left out: {}", kMinLayerKbps, list));
  }
  return ladder;
}

ComplexityProbe probe_complexity(const presets::Preset& preset, const MediaInfo& input,
                                 const PlanOptions& options, std::stop_token stop) {
  const auto started = std::chrono::steady_clock::now();
  // One layer into the probe box, never upscaled, CRF instead of a bitrate; the preset's GOP
  // and filters so the probe sees what the ladder will encode.
  presets::Preset p;
  p.name = preset.name + " (complexity probe)";
  p.filters = preset.filters;
  p.video = *preset.video;
  auto& vc = *p.video;
  vc.ladder = presets::LadderMode::Fixed;
  vc.complexity = presets::Complexity::Speed;
  vc.scene_change_detection = false;
  vc.stretch = presets::StretchMode::AutoSize;
  vc.orientation = presets::Orientation::FollowSource;
  vc.allow_upscale = false;
  presets::VideoLayer layer;
  layer.width = kProbeBox.width;
  layer.height = kProbeBox.height;
  layer.bitrate_kbps = 1;  // replaced by CRF below
  layer.profile = presets::H264Profile::High;
  vc.layers = {layer};
  presets::Output out;
  out.file_name = "segment.mp4";
  out.streams = presets::OutputStreams::VideoOnly;
  p.outputs = {out};

  const double span = make_plan(p, input, options).duration_s;
  const double length = span > 0 ? std::min(kProbeSegmentS, span) : kProbeSegmentS;
  const int segments =
      span > 0 ? std::clamp(static_cast<int>(span / (4 * kProbeSegmentS)), 1, kProbeMaxSegments) : 1;

  ProbeFolder folder;
  ComplexityProbe probe;
  double bits = 0;
  for (int i = 0; i < segments; ++i) {
    if (stop.stop_requested())
      throw EncodeError(ErrorCategory::Canceled, fmt::format("{}: encode canceled", input.path));
    const double offset = span > 0 ? std::clamp(span * (i + 0.5) / segments - length / 2, 0.0, span - length) : 0;
    PlanOptions segment_options;
    segment_options.start_s = options.start_s + offset;
    segment_options.duration_s = length;
    EncodePlan plan = make_plan(p, input, segment_options);
    auto& encoder = plan.video.at(0);
    encoder.layer.bitrate_kbps = 0;
    encoder.layer.max_bitrate_kbps = 0;
    encoder.x264_params += fmt::format(":crf={}", kProbeCrf);
    probe.size = encoder.size;
    InputFile file = InputFile::open(input.path);
    const auto paths = run_pipeline(plan, file, folder.path(), nullptr, stop);
    const MeasuredFile measured = measure_file(paths.at(0).string());
    if (const MeasuredTrack* v = measured.video(); v != nullptr && v->duration_s > 0) {
      bits += v->bytes * 8.0;
      probe.seconds += v->duration_s;
      ++probe.segments;
    }
    std::error_code ignored;
    std::filesystem::remove(paths.at(0), ignored);
  }
  if (probe.segments == 0 || probe.seconds <= 0)
    throw EncodeError(ErrorCategory::MalformedContent,
                      fmt::format("{}: the complexity probe decoded no video", input.path));
  probe.kbps = bits / probe.seconds / 1000.0;
  probe.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return probe;
}

AdaptiveLadder build_adaptive_ladder(const presets::Preset& preset, const MediaInfo& input,
                                     const PlanOptions& options, std::stop_token stop) {
  const VideoTrackInfo* v = input.primary_video();
  if (v == nullptr) {
    AdaptiveLadder ladder;
    presets::VideoLayer layer =
        preset.video->layers.empty() ? presets::VideoLayer{} : preset.video->layers.front();
    layer.width = kReferenceLadder.back().box.width;
    layer.height = kReferenceLadder.back().box.height;
    layer.bitrate_kbps = static_cast<int>(kReferenceLadder.back().kbps);
    ladder.layers = {layer};
    ladder.notes.push_back("content-adaptive ladder: the input has no video stream, so one 320x180 layer");
    return ladder;
  }
  const ComplexityProbe probe = probe_complexity(preset, input, options, stop);
  const auto [dw, dh] = v->display_size();
  return ladder_from_probe({dw, dh, source_video_kbps(input)}, probe, *preset.video);
}

presets::Preset with_adaptive_ladder(const presets::Preset& preset, const MediaInfo& input,
                                     const PlanOptions& options, std::stop_token stop,
                                     std::vector<std::string>& notes) {
  if (!preset.video || preset.video->ladder != presets::LadderMode::ContentAdaptive) return preset;
  AdaptiveLadder ladder = build_adaptive_ladder(preset, input, options, stop);
  presets::Preset adapted = preset;
  adapted.video->layers = std::move(ladder.layers);
  adapted.video->ladder = presets::LadderMode::Fixed;
  notes.insert(notes.end(), ladder.notes.begin(), ladder.notes.end());
  return adapted;
}

}  // namespace mw::encoders
