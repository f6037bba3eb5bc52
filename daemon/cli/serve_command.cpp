#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/cli/commands.hpp"
#include "daemon/api/api_server.hpp"
#include "daemon/config/config.hpp"
#include "daemon/log/logging.hpp"
#include "daemon/service/daemon.hpp"
#include "encoders/av/log.hpp"
#include "presets/preset_error.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace mw::cli {

namespace {

int run_serve(Context& ctx, const ServeOptions& opts) {
  config::Config config;
  try {
    config = config::load_config(opts.config);
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  }
  if (!opts.role.empty()) config.role = config::parse_role(opts.role);  // CLI checked the name
  if (config.role == config::Role::Worker && config.worker.slots == 0) {
    print_error(fmt::format("{}: worker.slots: is 0 with role worker: such a process would run nothing "
                            "(give 1 or more)",
                            opts.config));
    return kExitUsage;
  }
  if (opts.check_config) {
    try {
      api::check_listen(config.api, config.role == config::Role::Worker);  // role worker: /metrics only
    } catch (const std::exception& e) {
      print_error(fmt::format("{}: {}", opts.config, e.what()));
      return kExitUsage;
    }
    try {
      std::vector<std::filesystem::path> folders{presets::default_preset_dir()};
      folders.insert(folders.end(), config.preset_folders.begin(), config.preset_folders.end());
      (void)presets::PresetLibrary::load(folders);
    } catch (const presets::PresetError& e) {
      print_error(e.what());
      return kExitUsage;
    }
    fmt::print("{}: configuration OK\n", opts.config);
    return 0;
  }
  log::setup(config.log.level, config.log.format == "json" ? log::Format::Json : log::Format::Text);
  // From here a failure is a log record too: a JSON line or a journal entry for who reads those.
  const bool structured_log = config.log.format == "json" || log::stderr_is_journal();
  av::install_log_capture(AV_LOG_QUIET);
  // SIGHUP never stops the daemon: ignored while it starts and stops, a preset reload while it
  // runs. The handler is cleared before the daemon it names is destroyed.
  struct IgnoreHangupUntilExit {
    HangupHandler* hangup;
    ~IgnoreHangupUntilExit() {
      if (hangup) hangup->set([] {});
    }
  } ignore_hangup{ctx.hangup};
  if (ctx.hangup) ctx.hangup->set([] {});
  try {
    service::Daemon daemon(std::move(config));
    // SIGHUP (systemctl reload): the config file read again (Daemon::reload).
    struct ReloadOnHangup {
      HangupHandler* hangup;
      service::Daemon& daemon;
      const ServeOptions& opts;
      void reload() { daemon.reload(opts.role); }
      ReloadOnHangup(HangupHandler* h, service::Daemon& d, const ServeOptions& o) : hangup(h), daemon(d), opts(o) {
        if (hangup) hangup->set([this] { reload(); });
      }
      ~ReloadOnHangup() {
        if (hangup) hangup->set([] {});
      }
    } reload_on_hangup(ctx.hangup, daemon, opts);
    daemon.start();
    daemon.run_until(ctx.stop);
    return 0;
  } catch (const std::exception& e) {
    if (structured_log)
      spdlog::critical("{}", one_line(e.what()));
    else
      print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace

void add_serve_command(CLI::App& app, Context& ctx, ServeOptions& opts) {
  auto* cmd = app.add_subcommand("serve", "Run the daemon: the AMS v2 REST API and the worker slots");
  cmd->add_option("--config,-c", opts.config, "Configuration file")->capture_default_str();
  cmd->add_flag("--check-config", opts.check_config,
                "Validate the configuration (keys, api.listen with its tokens) and the presets, then exit; "
                "it does not connect to the store");
  cmd->add_option("--role", opts.role,
                  "all: the REST API and worker slots (default); api: the API only, no slots; worker: slots only, "
                  "listening for /metrics, /healthz and /readyz only (a farm on one PostgreSQL store: docs/farm.md). Overrides the config's `role`")
      ->check(CLI::IsMember({"all", "api", "worker"}));
  cmd->callback([&ctx, &opts] { ctx.exit_code = run_serve(ctx, opts); });
}

}  // namespace mw::cli
