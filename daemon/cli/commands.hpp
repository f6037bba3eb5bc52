#pragma once
// The command-line verbs. Each adds its subcommand to the CLI11 app, binding its options to a
// struct owned by main(); the callback stores the process exit code in Context::exit_code.

#include <CLI/CLI.hpp>
#include <cmath>
#include <exception>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

namespace mw::cli {

/// What SIGHUP does: while a handler is set (`serve` sets one to reload the presets) it is called
/// on the signal thread; without one SIGHUP stops the command like SIGTERM (a closed terminal).
class HangupHandler {
 public:
  /// Sets (or, with an empty function, clears) the handler. Clearing waits for a running call.
  void set(std::function<void()> handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }
  /// Calls the handler if one is set; returns whether one was.
  bool call() {
    std::lock_guard lock(mutex_);
    if (!handler_) return false;
    handler_();
    return true;
  }

 private:
  std::mutex mutex_;
  std::function<void()> handler_;
};

struct Context {
  int exit_code = 0;
  std::stop_token stop;                  ///< requested on SIGINT/SIGTERM (and SIGHUP without a handler)
  HangupHandler* hangup = nullptr;       ///< owned by main()
  std::vector<std::string> preset_dirs;  ///< --presets-dir, after the system library
};

struct EncodeOptions {
  std::string preset;
  std::string input;
  std::string output_dir;
  double start_s = 0;
  double duration_s = 0;
  bool verbose = false;
  std::string report;  ///< "" (none), "table" or "json": the quality report after the encode
};
void add_encode_command(CLI::App& app, Context& ctx, EncodeOptions& opts);

struct PackageOptions {
  std::vector<std::string> inputs;   ///< GOP-aligned MP4 files
  std::vector<std::string> formats;  ///< smooth, hls, dash, cmaf, ts
  std::string output_dir;
  std::string name;                  ///< manifest name ("" = the first input's stem)
  double segment_duration_s = 0;     ///< 0 = the keyframe interval
  bool verbose = false;
};
void add_package_command(CLI::App& app, Context& ctx, PackageOptions& opts);

struct ProbeOptions {
  std::string input;
  bool json = false;
};
void add_probe_command(CLI::App& app, Context& ctx, ProbeOptions& opts);

struct PresetsOptions {
  std::string name;               ///< show/explain: name, alias, preset file, or "-" (stdin)
  std::string input;              ///< explain: the input file the preset is applied to
  bool ffmpeg_only = false;       ///< explain: print only the equivalent ffmpeg command line
  std::string output_dir = ".";
  double start_s = 0;             ///< explain: PlanOptions::start_s, seconds
  double duration_s = 0;          ///< explain: PlanOptions::duration_s, seconds (0 = to the end)
  std::vector<std::string> paths; ///< validate: preset files and folders
};
void add_presets_command(CLI::App& app, Context& ctx, PresetsOptions& opts);

struct ServeOptions {
  std::string config = "/etc/mediaworker/mediaworker.yaml";
  bool check_config = false;
  std::string role;  ///< --role all|api|worker; empty: the config's `role` (default all)
};
void add_serve_command(CLI::App& app, Context& ctx, ServeOptions& opts);

/// Exit codes: 0 success, 1 the work failed, 2 bad usage or configuration, 130 canceled.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCanceled = 130;

/// A CLI check for a time in seconds (--start, --duration): a finite number of 0 or more. (CLI11's
/// NonNegativeNumber lets "nan" through and prints its bound as a 309-digit number.)
inline const CLI::Validator kSeconds(
    [](std::string& text) -> std::string {
      double value = 0;
      try {
        size_t used = 0;
        value = std::stod(text, &used);
        if (used != text.size()) return "'" + text + "' is not a number of seconds";
      } catch (const std::exception&) {
        return "'" + text + "' is not a number of seconds";
      }
      if (!std::isfinite(value) || value < 0) return "'" + text + "' must be 0 or more seconds";
      return "";
    },
    "SECONDS");

/// Prints "mediaworker: error: MESSAGE" as one line on stderr.
void print_error(const std::string& message);
/// `message` on one line: each line break, with the blanks around it, becomes one space.
std::string one_line(const std::string& message);

}  // namespace mw::cli
