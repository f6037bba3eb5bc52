#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "daemon/cli/commands.hpp"
#include "daemon/cli/preset_source.hpp"
#include "encoders/adaptive_ladder.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"
#include "encoders/plan.hpp"
#include "encoders/probe.hpp"
#include "presets/format_rules.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace mw::cli {

namespace {

const char* name_of(presets::H264Profile p) {
  switch (p) {
    case presets::H264Profile::Baseline: return "baseline";
    case presets::H264Profile::Main: return "main";
    case presets::H264Profile::High: return "high";
    case presets::H264Profile::Auto: break;
  }
  return "auto";
}

void show(const presets::Preset& p) {
  fmt::print("name: {}\n", p.name);
  if (!p.aliases.empty()) {
    std::string joined;
    for (const auto& a : p.aliases) joined += (joined.empty() ? "" : ", ") + a;
    fmt::print("aliases: {}\n", joined);
  }
  fmt::print("file: {}\n", p.origin);
  if (!p.description.empty()) fmt::print("description: {}\n", p.description);
  if (p.video) {
    const auto& v = *p.video;
    fmt::print("video: H.264, keyframe interval {} s, scene change detection {}, {}\n", v.keyframe_interval_s,
               v.scene_change_detection ? "on" : "off",
               v.ladder == presets::LadderMode::ContentAdaptive
                   ? std::string("content-adaptive ladder (built per input: `presets explain NAME INPUT` shows it)")
                   : fmt::format("{} layer(s)", v.layers.size()));
    for (const auto& l : v.layers)
      fmt::print("  {}x{}  {} kbps (VBV maxrate {} kbps, buffer {} kbit)  profile {}{}  B-frames {}  refs {}  frame rate {}\n",
                 l.width, l.height, l.bitrate_kbps, l.maxrate_kbps(), l.bufsize_kbit(), name_of(l.profile),
                 l.level.empty() ? "" : " level " + l.level, l.b_frames, l.reference_frames,
                 l.frame_rate.is_source() ? std::string("source") : fmt::format("{}/{}", l.frame_rate.num, l.frame_rate.den));
  }
  if (p.audio) {
    const std::string profile = p.audio->profile == presets::AacProfile::AacLc
                                    ? "AAC"
                                    : "AAC-LC (" + std::string(p.audio->profile == presets::AacProfile::HeAacV1 ? "HE-AAC v1" : "HE-AAC v2") +
                                          " requested; libavcodec encodes AAC-LC)";
    fmt::print("audio: {} {} ch {} Hz {} kbps\n", profile, p.audio->channels, p.audio->sampling_rate, p.audio->bitrate_kbps);
  }
  for (const auto& codec : p.images) {
    fmt::print("images: {}\n", summarize_images(codec));
    for (const auto& l : codec.layers) {
      const std::string w = l.width_percent ? fmt::format("{}%", l.width_percent) : l.width ? std::to_string(l.width) : "auto";
      const std::string h = l.height_percent ? fmt::format("{}%", l.height_percent) : l.height ? std::to_string(l.height) : "auto";
      fmt::print("  width {} height {}{}\n", w, h,
                 codec.format == presets::OutputFormat::Jpg ? fmt::format("  JPEG quality {}", l.quality) : "");
    }
  }
  for (const auto& o : p.outputs) {
    std::string format = format_name(o.format);
    std::transform(format.begin(), format.end(), format.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (o.format == presets::OutputFormat::Jpg) format = "jpg";
    const char* streams = presets::format::is_image_format(o.format)               ? ""
                          : o.streams == presets::OutputStreams::VideoOnly ? ", video only"
                          : o.streams == presets::OutputStreams::AudioOnly ? ", audio only"
                                                                           : "";
    fmt::print("output: {} ({}{})\n", o.file_name, format, streams);
    if (presets::format::is_streaming_format(o.format))
      fmt::print("  manifest: {}, segments: {}\n", o.manifest_name,
                 o.segment_duration_s > 0 ? fmt::format("{} s", o.segment_duration_s) : "the keyframe interval");
  }
  if (!p.unsupported.empty())
    fmt::print("not supported: {}; use '{}' instead\n", p.unsupported, p.use_instead);
  if (!p.source.empty()) fmt::print("source: {}\n", p.source);
}

/// "0.000, 5.000, 10.000 s" (at most kShownTimes times, then "... (N in all)").
std::string capture_times(const std::vector<double>& times) {
  constexpr size_t kShownTimes = 8;
  std::string text;
  for (size_t i = 0; i < times.size() && i < kShownTimes; ++i)
    text += fmt::format("{}{:.3f}", i ? ", " : "", times[i]);
  if (times.size() > kShownTimes) text += fmt::format(", ... ({} in all)", times.size());
  return text + " s";
}

/// One image codec of a plan: when it captures, at which sizes, into which files.
void print_images(const encoders::ImagePlan& ip) {
  if (ip.best)
    fmt::print("images: {} (codec {}): 1 capture, the most detailed frame of the first {:.3f} s ({{Best}})\n",
               ip.type_name(), ip.codec_index, ip.end_s);
  else
    fmt::print("images: {} (codec {}): {} capture(s) at {}\n", ip.type_name(), ip.codec_index, ip.captures(),
               capture_times(ip.times_s));
  for (size_t i = 0; i < ip.layers.size(); ++i) {
    const auto& l = ip.layers[i];
    const std::string quality =
        ip.format == presets::OutputFormat::Jpg ? fmt::format(", JPEG quality {} (qscale {})", l.layer.quality, l.qscale) : "";
    if (ip.sprite_columns > 0) {
      fmt::print("  layer {}: {}x{}{}, sprite of {} column(s) {}x{}: {} + {}\n", i, l.width, l.height, quality,
                 ip.sprite_columns, l.sprite_width, l.sprite_height, l.sprite_file_name, l.vtt_file_name);
    } else if (!l.file_names.empty()) {
      fmt::print("  layer {}: {}x{}{}: {}{}\n", i, l.width, l.height, quality, l.file_names.front(),
                 l.file_names.size() > 1 ? " .. " + l.file_names.back() : std::string());
    }
  }
  fmt::print("  filter graph: {}\n", ip.filter);
}

void explain(const presets::Preset& preset, const PresetsOptions& opts) {
  const encoders::MediaInfo input = encoders::probe(opts.input);
  encoders::PlanOptions plan_options;
  plan_options.start_s = opts.start_s;
  plan_options.duration_s = opts.duration_s;
  // A content-adaptive ladder is built for this input (runs the complexity probe).
  std::vector<std::string> ladder_notes;
  const presets::Preset resolved = encoders::with_adaptive_ladder(preset, input, plan_options, {}, ladder_notes);
  encoders::EncodePlan plan = encoders::make_plan(resolved, input, plan_options);
  plan.notes.insert(plan.notes.begin(), ladder_notes.begin(), ladder_notes.end());
  if (opts.ffmpeg_only) {
    fmt::print("{}\n", plan.ffmpeg_command(opts.output_dir));
    return;
  }
  fmt::print("preset: {} ({})\ninput: {}\n", preset.name, preset.origin.empty() ? "library" : preset.origin,
             input.path);
  fmt::print("output time 0 = input {:.3f} s; expected duration {:.3f} s\n", plan.origin_s, plan.duration_s);
  if (plan.video_stream >= 0 && plan.video.empty() && !plan.images.empty()) {
    fmt::print("video: stream {}, thumbnails only (no H.264 layers)\n", plan.video_stream);
  } else if (plan.video_stream >= 0 || plan.black_video) {
    // Out of the ladder as built for this input (a content-adaptive preset lists no layers).
    fmt::print("video: stream {}, {} of {} layer(s) encoded\n", plan.video_stream, plan.video.size(),
               resolved.video ? resolved.video->layers.size() : 0);
    for (size_t i = 0; i < plan.video.size(); ++i) {
      const auto& v = plan.video[i];
      const bool padded = v.picture.width != v.size.width || v.picture.height != v.size.height;
      fmt::print("  layer {}: {}x{}{} {:.3f} fps, {} kbps (VBV maxrate {} kbps, bufsize {} kbit), profile {}{}, "
                 "GOP {} frames{}\n",
                 i, v.size.width, v.size.height,
                 padded ? fmt::format(" (picture {}x{}, padded)", v.picture.width, v.picture.height) : "",
                 v.frame_rate.value(), v.layer.bitrate_kbps, v.layer.maxrate_kbps(), v.layer.bufsize_kbit(),
                 // No level: x264 picks it from the size, rate and VBV when it encodes.
                 v.profile, " level " + (v.level.empty() ? std::string("auto") : v.level), v.keyint_frames,
                 v.scene_cut ? " + scene-cut keyframes" : " (fixed, aligned across layers)");
      fmt::print("    libx264 -preset {} -profile:v {}{} -b:v {}k -maxrate {}k -bufsize {}k -bf {} -refs {} "
                 "-x264-params {}\n",
                 v.x264_preset, v.profile, v.level.empty() ? "" : " -level:v " + v.level, v.layer.bitrate_kbps,
                 v.layer.maxrate_kbps(), v.layer.bufsize_kbit(), v.layer.b_frames, v.layer.reference_frames,
                 v.x264_params);
    }
    if (!plan.video_filter.empty()) fmt::print("  filter graph: {}\n", plan.video_filter);
  }
  for (const auto& ip : plan.images) print_images(ip);
  if (plan.audio_stream >= 0 && plan.audio)
    fmt::print("audio: stream {}: AAC ({}) {} ch ({}) {} Hz {} kbps\n  filter graph: {}\n", plan.audio_stream,
               plan.audio->profile, plan.audio->codec.channels, plan.audio->channel_layout,
               plan.audio->codec.sampling_rate, plan.audio->codec.bitrate_kbps, plan.audio_filter);
  for (const auto& o : plan.outputs) {
    std::string carries;
    if (o.video >= 0) carries = fmt::format("video layer {}", o.video);
    if (o.audio) carries += carries.empty() ? "audio" : " + audio";
    fmt::print("output: {} ({})\n", o.file_name, carries);
  }
  for (const auto& n : plan.notes) fmt::print("note: {}\n", n);
  std::string command = plan.ffmpeg_command(opts.output_dir);
  for (size_t p = command.find('\n'); p != std::string::npos; p = command.find('\n', p + 3)) command.insert(p + 1, "  ");
  fmt::print("ffmpeg equivalent:\n  {}\n", command);
}

/// "NAME, N layers, <summary>" for `presets validate`.
std::string describe(const presets::Preset& p) {
  if (!p.unsupported.empty()) return fmt::format("{}, {}", p.name, summarize(p));
  std::string kind;
  if (p.video && p.video->ladder == presets::LadderMode::ContentAdaptive) kind = "adaptive ladder";
  else if (p.video) kind = fmt::format("{} layer{}", p.video->layers.size(), p.video->layers.size() == 1 ? "" : "s");
  else if (p.audio) kind = "audio only";
  else kind = "thumbnails only";
  return fmt::format("{}, {}, {}", p.name, kind, summarize(p));
}

/// Outcome of `presets validate` over its arguments.
struct ValidateCounts {
  int valid = 0;
  int invalid = 0;
  int unusable = 0;  ///< arguments that are no preset file or folder
};

void validate_file(const std::filesystem::path& file, ValidateCounts& counts) {
  try {
    const presets::Preset preset = presets::load_preset_file(file);
    fmt::print("{}: ok ({})\n", file.string(), describe(preset));
    ++counts.valid;
  } catch (const presets::PresetError& e) {
    fmt::print(stderr, "{}\n", e.what());
    ++counts.invalid;
  }
}

/// Validates every preset file of a folder, then (when they all load) the rules between them
/// that the library enforces (one name or alias per preset within a folder).
void validate_folder(const std::filesystem::path& folder, ValidateCounts& counts) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (has_preset_file_extension(it->path()) && it->is_regular_file(ec)) files.push_back(it->path());
  if (ec) {
    print_error(fmt::format("{}: cannot list the folder: {}", folder.string(), ec.message()));
    ++counts.unusable;
    return;
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) fmt::print("{}: no preset files (*.yaml, *.yml, *.json, *.xml)\n", folder.string());
  const int invalid_before = counts.invalid;
  for (const auto& f : files) validate_file(f, counts);
  if (counts.invalid != invalid_before) return;
  try {
    (void)presets::PresetLibrary::load({folder});
  } catch (const presets::PresetError& e) {
    fmt::print(stderr, "{}\n", e.what());
    ++counts.invalid;
  }
}

/// Exit code: 0 every preset valid, 1 some preset invalid, 2 an argument is no file or folder.
int validate(const std::vector<std::string>& paths) {
  ValidateCounts counts;
  for (const auto& arg : paths) {
    const std::filesystem::path path(arg);
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(status)) {
      validate_folder(path, counts);
    } else if (std::filesystem::is_regular_file(status)) {
      validate_file(path, counts);
    } else {
      print_error(fmt::format("{}: no such preset file or folder", arg));
      ++counts.unusable;
    }
  }
  if (counts.unusable > 0) return kExitUsage;
  return counts.invalid > 0 ? kExitFailure : 0;
}

}  // namespace

void add_presets_command(CLI::App& app, Context& ctx, PresetsOptions& opts) {
  auto* cmd = app.add_subcommand("presets", "The preset library");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "List every preset with its ladder");
  list->callback([&ctx] {
    try {
      const presets::PresetLibrary library = load_library(ctx.preset_dirs);
      size_t width = 0;  // the longest name, so that every summary starts in one column
      for (const auto* p : library.all()) width = std::max(width, p->name.size());
      for (const auto* p : library.all()) fmt::print("{:<{}}  {}\n", p->name, width, summarize(*p));
      ctx.exit_code = 0;
    } catch (const presets::PresetError& e) {
      print_error(e.what());
      ctx.exit_code = kExitUsage;
    }
  });
  auto* show_cmd = cmd->add_subcommand("show", "Show one preset's settings");
  show_cmd->add_option("name", opts.name, "Preset name, alias, preset file, or - to read the preset from stdin")->required();
  show_cmd->callback([&ctx, &opts] {
    try {
      // A library preset is shown even when it is unsupported (docs/presets.md: "still listed and
      // shown"); files, stdin and unknown names go through resolve_preset and its errors.
      const presets::PresetLibrary library = load_library(ctx.preset_dirs);
      std::error_code ec;
      const bool is_file = opts.name == "-" || (has_preset_file_extension(opts.name) && std::filesystem::is_regular_file(opts.name, ec));
      if (const presets::Preset* found = is_file ? nullptr : library.find(opts.name)) show(*found);
      else show(resolve_preset(opts.name, ctx.preset_dirs));
      ctx.exit_code = 0;
    } catch (const presets::PresetError& e) {
      print_error(e.what());
      ctx.exit_code = kExitUsage;
    }
  });
  auto* validate_cmd = cmd->add_subcommand(
      "validate",
      "Load and validate preset files (and every *.yaml/*.yml/*.json/*.xml of a folder); exit 0 if all are valid, "
      "1 if one is not, 2 if an argument is no file or folder");
  validate_cmd->add_option("paths", opts.paths, "Preset files or folders")->required();
  validate_cmd->callback([&ctx, &opts] { ctx.exit_code = validate(opts.paths); });
  auto* explain_cmd = cmd->add_subcommand("explain", "Show what a preset resolves to for an input: filter graphs, encoder settings, the equivalent ffmpeg command");
  explain_cmd->add_option("name", opts.name, "Preset name, alias, preset file, or - to read the preset from stdin")->required();
  explain_cmd->add_option("input", opts.input, "Input media file")->required();
  explain_cmd->add_flag("--ffmpeg", opts.ffmpeg_only, "Print only the equivalent ffmpeg command line");
  explain_cmd->add_option("--output,-o", opts.output_dir, "Output folder used in the ffmpeg command");
  explain_cmd->add_option("--start", opts.start_s, "Skip this many seconds of the input (as encode --start)")->check(kSeconds);
  explain_cmd->add_option("--duration", opts.duration_s, "Encode at most this many seconds (as encode --duration)")->check(kSeconds);
  explain_cmd->callback([&ctx, &opts] {
    av::install_log_capture(AV_LOG_QUIET);
    try {
      explain(resolve_preset(opts.name, ctx.preset_dirs), opts);
      ctx.exit_code = 0;
    } catch (const presets::PresetError& e) {
      print_error(e.what());
      ctx.exit_code = kExitUsage;
    } catch (const encoders::EncodeError& e) {
      print_error(e.what());
      ctx.exit_code = kExitFailure;
    }
  });
}

}  // namespace mw::cli
