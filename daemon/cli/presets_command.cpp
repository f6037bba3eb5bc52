#include <fmt/format.h>

#include "daemon/cli/commands.hpp"
#include "daemon/cli/preset_source.hpp"
#include "encoders/adaptive_ladder.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"
#include "encoders/plan.hpp"
#include "encoders/probe.hpp"
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
  // A content-adaptive ladder is built for this input (runs the complexity probe).
  std::vector<std::string> ladder_notes;
  const presets::Preset resolved = encoders::with_adaptive_ladder(preset, input, {}, {}, ladder_notes);
  encoders::EncodePlan plan = encoders::make_plan(resolved, input);
  plan.notes.insert(plan.notes.begin(), ladder_notes.begin(), ladder_notes.end());
  if (opts.ffmpeg_only) {
    fmt::print("{}\n", plan.ffmpeg_command(opts.output_dir));
    return;
  }
  fmt::print("preset: {}\ninput: {}\n", preset.name, input.path);
  fmt::print("output time 0 = input {:.3f} s; expected duration {:.3f} s\n", plan.origin_s, plan.duration_s);
  if (plan.video_stream >= 0) {
    fmt::print("video: stream {} -> filter graph:\n  {}\n", plan.video_stream, plan.video_filter);
    for (const auto& v : plan.video)
      fmt::print("  libx264 {}x{} {:.3f} fps, preset {}, profile {}{}, {} kbps (maxrate {} kbps, bufsize {} kbit), x264-params {}\n",
                 v.size.width, v.size.height, v.frame_rate.value(), v.x264_preset, v.profile,
                 v.level.empty() ? "" : " level " + v.level, v.layer.bitrate_kbps, v.layer.maxrate_kbps(),
                 v.layer.bufsize_kbit(), v.x264_params);
  }
  if (plan.audio_stream >= 0 && plan.audio)
    fmt::print("audio: stream {} -> filter graph:\n  {}\n  aac {} {} ch {} Hz {} kbps\n", plan.audio_stream,
               plan.audio_filter, plan.audio->profile, plan.audio->codec.channels,
               plan.audio->codec.sampling_rate, plan.audio->codec.bitrate_kbps);
  for (const auto& o : plan.outputs) fmt::print("output: {}\n", o.file_name);
  for (const auto& n : plan.notes) fmt::print("note: {}\n", n);
  fmt::print("ffmpeg equivalent:\n  {}\n", plan.ffmpeg_command(opts.output_dir));
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
  show_cmd->add_option("name", opts.name, "Preset name, alias, or .yaml file")->required();
  show_cmd->callback([&ctx, &opts] {
    try {
      show(resolve_preset(opts.name, ctx.preset_dirs));
      ctx.exit_code = 0;
    } catch (const presets::PresetError& e) {
      print_error(e.what());
      ctx.exit_code = kExitUsage;
    }
  });
  auto* explain_cmd = cmd->add_subcommand("explain", "Show what a preset resolves to for an input: filter graphs, encoder settings, the equivalent ffmpeg command");
  explain_cmd->add_option("name", opts.name, "Preset name, alias, or .yaml file")->required();
  explain_cmd->add_option("input", opts.input, "Input media file")->required();
  explain_cmd->add_flag("--ffmpeg", opts.ffmpeg_only, "Print only the equivalent ffmpeg command line");
  explain_cmd->add_option("--output,-o", opts.output_dir, "Output folder used in the ffmpeg command");
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
