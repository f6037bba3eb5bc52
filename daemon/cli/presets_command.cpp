#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "daemon/cli/commands.hpp"
#include "daemon/cli/preset_source.hpp"
#include "encoders/adaptive_ladder.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"
#include "encoders/plan.hpp"
#include "encoders/probe.hpp"
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
  if (p.audio)
    fmt::print("audio: AAC {} ch {} Hz {} kbps\n", p.audio->channels, p.audio->sampling_rate, p.audio->bitrate_kbps);
  for (const auto& o : p.outputs) fmt::print("output: {} (mp4)\n", o.file_name);
  if (!p.source.empty()) fmt::print("source: {}\n", p.source);
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
  if (plan.video_stream >= 0) {
    fmt::print("video: stream {}, {} of {} layer(s) encoded\n", plan.video_stream, plan.video.size(),
               preset.video ? preset.video->layers.size() : 0);
    for (size_t i = 0; i < plan.video.size(); ++i) {
      const auto& v = plan.video[i];
      const bool padded = v.picture.width != v.size.width || v.picture.height != v.size.height;
      fmt::print("  layer {}: {}x{}{} {:.3f} fps, {} kbps (VBV maxrate {} kbps, bufsize {} kbit), profile {}{}, "
                 "GOP {} frames{}\n",
                 i, v.size.width, v.size.height,
                 padded ? fmt::format(" (picture {}x{}, padded)", v.picture.width, v.picture.height) : "",
                 v.frame_rate.value(), v.layer.bitrate_kbps, v.layer.maxrate_kbps(), v.layer.bufsize_kbit(),
                 v.profile, v.level.empty() ? "" : " level " + v.level, v.keyint_frames,
                 v.scene_cut ? " + scene-cut keyframes" : " (fixed, aligned across layers)");
      fmt::print("    libx264 -preset {} -profile:v {}{} -b:v {}k -maxrate {}k -bufsize {}k -bf {} -refs {} "
                 "-x264-params {}\n",
                 v.x264_preset, v.profile, v.level.empty() ? "" : " -level:v " + v.level, v.layer.bitrate_kbps,
                 v.layer.maxrate_kbps(), v.layer.bufsize_kbit(), v.layer.b_frames, v.layer.reference_frames,
                 v.x264_params);
    }
    fmt::print("  filter graph: {}\n", plan.video_filter);
  }
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
  fmt::print("ffmpeg equivalent:\n  {}\n", plan.ffmpeg_command(opts.output_dir));
}

/// "NAME, N layers, <summary>" for `presets validate`.
std::string describe(const presets::Preset& p) {
  std::string layers = p.video   ? fmt::format("{} layer{}", p.video->layers.size(), p.video->layers.size() == 1 ? "" : "s")
                       : p.audio ? std::string("audio only")
                                 : std::string("thumbnails only");
  std::string text = fmt::format("{}, {}, {}", p.name, layers, summarize(p));
  if (!p.unsupported.empty()) text += "; not encoded by mediaworker: " + p.unsupported;
  return text;
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
      for (const auto* p : library.all()) fmt::print("{:<44} {}\n", p->name, summarize(*p));
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
      show(resolve_preset(opts.name, ctx.preset_dirs));
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
