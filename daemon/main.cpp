// mediaworker: one executable, subcommands (DESIGN.md "Processes").

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <stop_token>
#include <thread>

#include "daemon/cli/client_commands.hpp"
#include "daemon/cli/commands.hpp"

#ifndef MW_VERSION
#define MW_VERSION "0.0.0"
#endif

namespace mw::cli {
void print_error(const std::string& message) {
  fmt::print(stderr, "mediaworker: error: {}\n", one_line(message));
}

std::string one_line(const std::string& message) {
  // libpq and others continue a message on an indented next line ("...\n\tIs the server
  // running..."): each line break with the blanks around it becomes one space.
  std::string line;
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] != '\n' && message[i] != '\r') {
      line += message[i];
      continue;
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    while (i + 1 < message.size() && std::isspace(static_cast<unsigned char>(message[i + 1]))) ++i;
    if (!line.empty() && i + 1 < message.size()) line += ' ';
  }
  return line;
}
}  // namespace mw::cli

int main(int argc, char** argv) {
  // SIGINT/SIGTERM become a stop request, handled by a thread that waits for them: encodes stop
  // cooperatively and remove their partial files. SIGHUP calls the command's hang-up handler
  // (`serve` reloads its presets) or, without one, stops like SIGTERM. Blocked before any other
  // thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::stop_source stop;
  mw::cli::HangupHandler hangup;
  std::jthread signal_thread([&](std::stop_token done) {
    std::stop_callback wake(done, [] { kill(getpid(), SIGTERM); });
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (done.stop_requested()) return;
      if (sig == SIGHUP && hangup.call()) continue;
      stop.request_stop();
      return;
    }
  });

  mw::cli::Context ctx;
  ctx.stop = stop.get_token();
  ctx.hangup = &hangup;
  CLI::App app{"mediaworker: on-premises media encoding with the Azure Media Services v2 job model"};
  app.set_version_flag("--version", fmt::format("mediaworker {}", MW_VERSION));
  app.require_subcommand(1);
  app.add_option("--presets-dir", ctx.preset_dirs, "Extra preset folder (repeatable), searched after the system library");
  mw::cli::EncodeOptions encode;
  mw::cli::ProbeOptions probe;
  mw::cli::PresetsOptions presets;
  mw::cli::add_encode_command(app, ctx, encode);
  mw::cli::PackageOptions package;
  mw::cli::add_package_command(app, ctx, package);
  mw::cli::add_probe_command(app, ctx, probe);
  mw::cli::add_presets_command(app, ctx, presets);
  mw::cli::ServeOptions serve;
  mw::cli::add_serve_command(app, ctx, serve);
  mw::cli::ClientOptions client;
  mw::cli::add_client_commands(app, ctx, client);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    signal_thread.request_stop();
    return code == 0 ? 0 : mw::cli::kExitUsage;
  }
  signal_thread.request_stop();
  return ctx.exit_code;
}
