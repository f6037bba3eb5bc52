// `mediaworker package`: packages GOP-aligned MP4 files (an encode's layers) into Smooth
// Streaming, HLS, DASH or MPEG-TS without re-encoding, as a packaging task does (docs/streaming.md).

#include <fmt/format.h>

#include <filesystem>

#include "daemon/cli/commands.hpp"
#include "daemon/cli/progress_bar.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"
#include "encoders/package/package.hpp"
#include "presets/format_rules.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace mw::cli {

namespace {

// The inputs' common name prefix without trailing separators ("clip" for clip_1280x720_3000.mp4
// and clip_AAC_128.mp4), or "manifest" when they share none.
std::string default_manifest_name(const std::vector<std::string>& inputs) {
  std::string prefix = std::filesystem::path(inputs.front()).stem().string();
  for (const auto& input : inputs) {
    const std::string stem = std::filesystem::path(input).stem().string();
    size_t n = 0;
    while (n < prefix.size() && n < stem.size() && prefix[n] == stem[n]) ++n;
    prefix.resize(n);
  }
  while (!prefix.empty() && (prefix.back() == '_' || prefix.back() == '-' || prefix.back() == '.')) prefix.pop_back();
  const bool is_an_input = inputs.size() == 1;  // its stem would name a rendition's playlist too
  return prefix.empty() || is_an_input ? "manifest" : prefix;
}

int run_package(const Context& ctx, const PackageOptions& opts) {
  av::install_log_capture(opts.verbose ? AV_LOG_INFO : AV_LOG_QUIET);
  encoders::package::PackageRequest request;
  std::vector<std::string> formats;          // "-f hls,dash -f smooth": split at the commas here (a
  for (const auto& option : opts.formats) {  // CLI11 delimiter counts as more values than one)
    for (size_t start = 0, comma;; start = comma + 1) {
      comma = option.find(',', start);
      formats.push_back(
          option.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
    }
  }
  for (const auto& text : formats) {
    const auto* choice = presets::format::find_choice<presets::format::kOutputFormats>(text);
    if (choice == nullptr || !presets::format::is_streaming_format(choice->value)) {
      print_error(fmt::format("--format: '{}' is not one of smooth, hls, dash, cmaf, ts", text));
      return kExitUsage;
    }
    request.formats.push_back(choice->value);
  }
  for (const auto& input : opts.inputs) request.inputs.push_back({input, std::filesystem::path(input).stem().string()});
  request.manifest_name = opts.name.empty() ? default_manifest_name(opts.inputs) : opts.name;
  request.segment_duration_s = opts.segment_duration_s;
  request.output_dir = opts.output_dir;
  std::error_code ec;
  std::filesystem::create_directories(request.output_dir, ec);
  if (ec) {
    print_error(fmt::format("{}: cannot create the output folder: {}", opts.output_dir, ec.message()));
    return kExitFailure;
  }
  ProgressBar bar(stderr, "packaging");
  try {
    const auto result = encoders::package::package_media(
        request, [&](double done) { bar.on_progress(100 * done); }, ctx.stop);
    bar.finish();
    fmt::print("output: {} ({} segments of {:.3f} s per rendition)\n",
               std::filesystem::absolute(request.output_dir).lexically_normal().string(), result.segments,
               result.segment_duration_s);
    for (const auto& f : result.files)
      fmt::print("  {}  {}{}\n", f.name, human_size(f.size_bytes),
                 f.measured.tracks.empty() ? "" : "  " + describe(f.measured));
    return 0;
  } catch (const encoders::EncodeError& e) {
    bar.finish();
    print_error(e.what());
    return e.category() == encoders::ErrorCategory::Canceled ? kExitCanceled : kExitFailure;
  }
}

}  // namespace

void add_package_command(CLI::App& app, Context& ctx, PackageOptions& opts) {
  auto* cmd = app.add_subcommand(
      "package", "Package GOP-aligned MP4 files (one encode's layers) into Smooth Streaming, HLS, DASH or MPEG-TS without re-encoding");
  cmd->add_option("inputs", opts.inputs, "The MP4 files: each video track is a rendition; the audio of the audio-only files (or of the first file)")
      ->required()
      ->check(CLI::ExistingFile);
  // One value per -f (comma-separated or repeated): a -f before the inputs must not take them
  // ("-f hls a.mp4 b.mp4" once read a.mp4 as a format).
  cmd->add_option("-f,--format", opts.formats,
                  "smooth, hls, dash, cmaf (HLS and DASH on one set of segments), ts; repeatable")
      ->required()
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_option("-o,--output", opts.output_dir, "Output folder")->required();
  cmd->add_option("-n,--name", opts.name, "Name of the manifests (NAME.m3u8, NAME.mpd, NAME.ism/.ismc); default: the inputs' common name prefix");
  cmd->add_option("--segment-duration", opts.segment_duration_s,
                  "Segment length in seconds, a multiple of the keyframe interval (default: the keyframe interval)")
      ->check(kSeconds);
  cmd->add_flag("-v,--verbose", opts.verbose, "Show libav's own messages");
  cmd->callback([&ctx, &opts] { ctx.exit_code = run_package(ctx, opts); });
}

}  // namespace mw::cli
