#include <fmt/format.h>

#include <filesystem>

#include "daemon/cli/commands.hpp"
#include "daemon/cli/preset_source.hpp"
#include "daemon/cli/progress_bar.hpp"
#include "encoders/av/log.hpp"
#include "encoders/engine.hpp"
#include "encoders/quality_report.hpp"
#include "presets/preset_error.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace mw::cli {

namespace {

int run_encode(const Context& ctx, const EncodeOptions& opts) {
  av::install_log_capture(opts.verbose ? AV_LOG_INFO : AV_LOG_QUIET);
  presets::Preset preset;
  try {
    preset = resolve_preset(opts.preset, ctx.preset_dirs);
  } catch (const presets::PresetError& e) {
    print_error(e.what());
    return kExitUsage;
  }
  encoders::EncodeRequest request;
  request.input = opts.input;
  request.preset = &preset;
  request.output_dir = opts.output_dir.empty()
                           ? std::filesystem::path(std::filesystem::path(opts.input).stem().string() + "-encoded")
                           : std::filesystem::path(opts.output_dir);
  request.options = {opts.start_s, opts.duration_s};
  ProgressBar bar(stderr, "encoding");
  try {
    const encoders::EncodeResult result = encoders::encode(request, &bar, ctx.stop);
    bar.finish();
    if (opts.report == "json") {
      // stdout is the JSON document only, so it can be piped.
      nlohmann::json j = encoders::quality_report_json(encoders::make_quality_report(result, request.output_dir, ctx.stop));
      j["output"] = std::filesystem::absolute(request.output_dir).lexically_normal().string();
      j["files"] = nlohmann::json::array();
      for (const auto& f : result.files) j["files"].push_back(f.name);
      j["notes"] = result.plan.notes;
      fmt::print("{}\n", j.dump(2));
      return 0;
    }
    for (const auto& note : result.plan.notes) fmt::print("note: {}\n", note);
    fmt::print("output: {}\n", std::filesystem::absolute(request.output_dir).lexically_normal().string());
    for (size_t i = 0; i < result.files.size(); ++i) {
      const auto& f = result.files[i];
      fmt::print("  {}  {}{}\n", f.name, human_size(f.size_bytes),
                 i < result.measured.size() ? "  " + describe(result.measured[i]) : "");
    }
    if (opts.report == "table") {
      fmt::print(stderr, "measuring quality against the source...\n");
      fmt::print("\n{}", encoders::quality_report_table(encoders::make_quality_report(result, request.output_dir, ctx.stop)));
    }
    return 0;
  } catch (const encoders::EncodeError& e) {
    bar.finish();
    print_error(e.what());
    return e.category() == encoders::ErrorCategory::Canceled ? kExitCanceled : kExitFailure;
  }
}

}  // namespace

void add_encode_command(CLI::App& app, Context& ctx, EncodeOptions& opts) {
  auto* cmd = app.add_subcommand("encode", "Encode one file with a preset, as a task would (preset development)");
  cmd->add_option("--preset,-p", opts.preset, "Preset name or alias (e.g. \"H.264 HD 720p VBR\"), or a preset file: .yaml, or MES .json/.xml")
      ->required();
  cmd->add_option("--output,-o", opts.output_dir, "Output folder (default: ./<input name>-encoded)");
  cmd->add_option("--start", opts.start_s, "Skip this many seconds of the input")->check(kSeconds);
  cmd->add_option("--duration", opts.duration_s, "Encode at most this many seconds")->check(kSeconds);
  cmd->add_flag("--verbose,-v", opts.verbose, "Show libav's own messages");
  cmd->add_flag("--report{table}", opts.report,
                "After encoding, compare each layer with the source: bitrate vs target, PSNR, SSIM, encode fps "
                "(--report=json prints only a JSON document)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("input", opts.input, "Input media file")->required();
  cmd->callback([&ctx, &opts] { ctx.exit_code = run_encode(ctx, opts); });
}

}  // namespace mw::cli
