#include <fmt/format.h>

#include "daemon/cli/commands.hpp"
#include "encoders/av/log.hpp"
#include "encoders/metadata.hpp"
#include "encoders/probe.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace mw::cli {

void add_probe_command(CLI::App& app, Context& ctx, ProbeOptions& opts) {
  auto* cmd = app.add_subcommand("probe", "Print the input metadata the service records for a file (AMS _metadata.xml)");
  cmd->add_flag("--json", opts.json, "JSON instead of XML");
  cmd->add_option("input", opts.input, "Media file")->required();
  cmd->callback([&ctx, &opts] {
    av::install_log_capture(AV_LOG_QUIET);
    try {
      const encoders::MediaInfo info = encoders::probe(opts.input);
      if (opts.json)
        fmt::print("{}\n", encoders::input_metadata_json(info).dump(2));
      else
        fmt::print("{}", encoders::input_metadata_xml(info));
      ctx.exit_code = 0;
    } catch (const encoders::EncodeError& e) {
      print_error(e.what());
      ctx.exit_code = kExitFailure;
    }
  });
}

}  // namespace mw::cli
