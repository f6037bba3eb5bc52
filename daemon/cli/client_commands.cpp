#include "daemon/cli/client_commands.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

#include "daemon/cli/preset_source.hpp"
#include "daemon/cli/progress_bar.hpp"
#include "daemon/client/ams_client.hpp"
#include "daemon/client/job_wait.hpp"

namespace mw::cli {

namespace {

namespace fs = std::filesystem;
using client::ClientError;
using client::ErrorKind;

/// The service and token from the options, then the environment, then the defaults.
/// @throws ClientError(Input) when --token-file can't be read
client::Connection resolve_connection(const ClientOptions& opts) {
  client::Connection connection;
  if (!opts.url.empty()) {
    connection.base_url = opts.url;
  } else if (const char* url = std::getenv("MEDIAWORKER_URL"); url != nullptr && *url != '\0') {
    connection.base_url = url;
  }
  if (!opts.token_file.empty()) {
    connection.token = client::read_token_file(opts.token_file);
  } else if (const char* token = std::getenv("MEDIAWORKER_TOKEN"); token != nullptr) {
    connection.token = token;
    const size_t end = connection.token.find_last_not_of(" \t\r\n");
    connection.token.erase(end == std::string::npos ? 0 : end + 1);  // as $(cat file) would
  }
  return connection;
}

/// Creates the client and runs `verb` with it, turning a ClientError into one error line and an
/// exit code: `http_exit` for HTTP error answers and unexpected answers, kExitCanceled when
/// interrupted, kExitUsage otherwise.
int with_client(const Context& ctx, const ClientOptions& opts, int http_exit,
                const std::function<int(client::AmsClient&)>& verb) {
  client::Connection connection;
  try {
    connection = resolve_connection(opts);
    client::AmsClient ams(connection, ctx.stop);
    return verb(ams);
  } catch (const ClientError& e) {
    std::string message = e.what();
    if (e.kind() == ErrorKind::Unauthorized && connection.token.empty())
      message += "; set MEDIAWORKER_TOKEN or pass --token-file";
    print_error(message);
    if (e.kind() == ErrorKind::Canceled) return kExitCanceled;
    return e.kind() == ErrorKind::Http || e.kind() == ErrorKind::Protocol ? http_exit : kExitUsage;
  }
}

std::string human_size(int64_t bytes) {
  if (bytes >= 1'000'000) return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
  if (bytes >= 1'000) return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
  return fmt::format("{} B", bytes);
}

std::string task_label(const client::Task& task, size_t index) {
  return task.name.empty() ? fmt::format("task {}", index + 1) : task.name;
}

/// Prints each output asset of the job with its files.
void print_outputs(client::AmsClient& ams, const std::string& job_id) {
  for (const client::Asset& asset : ams.output_assets(job_id)) {
    fmt::print("output asset {}{}\n", asset.id, asset.name.empty() ? "" : "  " + asset.name);
    for (const client::AssetFile& file : ams.asset_files(asset.id))
      fmt::print("  {}  {}{}\n", file.name, human_size(file.content_file_size),
                 file.is_primary ? "  (primary)" : "");
  }
}

/// One ProgressBar per task, opened when the task starts and finished when it ends.
class TaskBars {
 public:
  void update(const std::vector<client::Task>& tasks) {
    for (size_t i = 0; i < tasks.size(); ++i) {
      const client::Task& task = tasks[i];
      Entry& entry = entries_[task.id];
      if (entry.done) continue;
      const bool started = task.state == client::State::Processing ||
                           task.state == client::State::Finished || task.progress > 0;
      if (!entry.bar && started)
        entry.bar = std::make_unique<ProgressBar>(stderr, task_label(task, i));
      if (entry.bar)
        entry.bar->on_progress(task.state == client::State::Finished ? 100.0 : task.progress);
      if (client::is_final(task.state)) {
        if (entry.bar) entry.bar->finish();
        entry.done = true;
      }
    }
  }
  void finish() {
    for (auto& [id, entry] : entries_)
      if (entry.bar && !entry.done) entry.bar->finish();
  }

 private:
  struct Entry {
    std::unique_ptr<ProgressBar> bar;
    bool done = false;
  };
  std::map<std::string, Entry> entries_;
};

/// `job wait`: polls with progress bars, then prints the final state and the output files.
int wait_and_report(client::AmsClient& ams, const std::string& job_id, const Context& ctx,
                    const ClientOptions& opts) {
  client::WaitOptions wait;
  wait.timeout = std::chrono::milliseconds(static_cast<int64_t>(opts.timeout_s * 1000));
  TaskBars bars;
  const client::WaitResult result = client::wait_for_job(
      ams, job_id, wait, [&bars](const client::JobSnapshot& s) { bars.update(s.tasks); }, ctx.stop);
  bars.finish();
  const client::Job& job = result.last.job;
  if (result.end == client::WaitEnd::Stopped) {
    print_error(fmt::format(
        "stopped waiting; job {} is still {} on the service (`mediaworker job cancel {}` "
        "cancels it)",
        job.id, client::state_name(job.state), job.id));
    return kExitCanceled;
  }
  if (result.end == client::WaitEnd::TimedOut) {
    print_error(fmt::format("timed out after {} s; job {} is still {}", opts.timeout_s, job.id,
                            client::state_name(job.state)));
    return kExitTimedOut;
  }
  fmt::print("job {} {} ({:.1f} s)\n", job.id, client::state_name(job.state),
             job.running_duration_s);
  std::fflush(stdout);
  if (job.state == client::State::Finished) {
    print_outputs(ams, job.id);
    return 0;
  }
  for (size_t i = 0; i < result.last.tasks.size(); ++i) {
    const client::Task& task = result.last.tasks[i];
    for (const client::ErrorDetail& detail : task.error_details)
      print_error(fmt::format("{}: {}: {}", task_label(task, i), detail.code, detail.message));
  }
  print_error(fmt::format("job {} ended in {}", job.id, client::state_name(job.state)));
  return kExitFailure;
}

int run_asset_upload(const Context& ctx, const ClientOptions& opts) {
  for (const std::string& file : opts.files) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      print_error(fmt::format("{}: {}", file,
                              fs::exists(file, ec) ? "not a regular file" : "no such file"));
      return kExitUsage;
    }
  }
  return with_client(ctx, opts, kExitFailure, [&](client::AmsClient& ams) {
    for (const std::string& file : opts.files) {
      fmt::print("{}\n", ams.upload_asset(file));
      std::fflush(stdout);
    }
    return 0;
  });
}

int run_job_submit(const Context& ctx, const ClientOptions& opts) {
  std::error_code ec;
  const bool is_file = fs::exists(opts.input, ec);
  if (is_file && !fs::is_regular_file(opts.input, ec)) {
    print_error(fmt::format("{}: not a regular file", opts.input));
    return kExitUsage;
  }
  if (!is_file && opts.input.rfind("nb:cid:", 0) != 0) {
    print_error(fmt::format("{}: no such file, and not an asset Id (nb:cid:UUID:...)", opts.input));
    return kExitUsage;
  }
  // A preset file (*.yaml, *.yml, *.json, *.xml) is sent as the inline Configuration, as AMS
  // clients send custom presets; anything else is a preset name.
  std::string configuration = opts.preset;
  if (has_preset_file_extension(opts.preset) && fs::is_regular_file(opts.preset, ec)) {
    std::ifstream in(opts.preset, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty()) {
      print_error(fmt::format("{}: cannot read the preset file", opts.preset));
      return kExitUsage;
    }
    configuration = text.str();
  }
  return with_client(ctx, opts, kExitFailure, [&](client::AmsClient& ams) {
    client::JobRequest request;
    std::string input_name = opts.input;
    if (is_file) {
      const std::string asset_id = ams.upload_asset(opts.input);
      fmt::print(stderr, "uploaded {} as asset {}\n", opts.input, asset_id);
      request.input_asset_ids = {asset_id};
      input_name = fs::path(opts.input).filename().string();
    } else {
      request.input_asset_ids = {opts.input};
      if (opts.name.empty()) {  // name the job after the asset, as for an uploaded file
        const client::Asset asset = ams.get_asset(opts.input);
        if (!asset.name.empty()) input_name = asset.name;
      }
    }
    // Inline preset text (a preset file's, or given as -p) names the job and task by its preset
    // name, one short line, not the whole text.
    const std::string preset_name = inline_preset_name(configuration);
    request.name = opts.name.empty() ? fmt::format("{} ({})", input_name, preset_name) : opts.name;
    request.priority = opts.priority;
    request.configuration = configuration;
    request.task_name = preset_name;
    if (!opts.processor.empty()) request.media_processor_id = opts.processor;
    const client::Job job = ams.create_job(request);
    fmt::print("{}\n", job.id);
    std::fflush(stdout);
    if (!opts.wait) return 0;
    // Once the job exists, an HTTP error while waiting is a usage/service error (2), as for `job
    // wait`.
    try {
      return wait_and_report(ams, job.id, ctx, opts);
    } catch (const ClientError& e) {
      if (e.kind() != ErrorKind::Http && e.kind() != ErrorKind::Protocol) throw;
      print_error(e.what());
      return kExitUsage;
    }
  });
}

int run_job_list(const Context& ctx, const ClientOptions& opts) {
  return with_client(ctx, opts, kExitFailure, [&](client::AmsClient& ams) {
    const auto jobs = ams.list_jobs(opts.top >= 0 ? std::optional(opts.top) : std::nullopt,
                                    opts.skip >= 0 ? std::optional(opts.skip) : std::nullopt);
    size_t name_width = 4;
    for (const client::Job& job : jobs) name_width = std::max(name_width, job.name.size());
    for (const client::Job& job : jobs)
      fmt::print("{}  {:<10}  {:<{}}  {}\n", job.id, client::state_name(job.state), job.name,
                 name_width, job.created);
    return 0;
  });
}

void print_task(const client::Task& task, size_t index) {
  fmt::print("task {}  {}\n", task.id, task_label(task, index));
  fmt::print("  Configuration    {}\n", task.configuration);
  fmt::print("  State            {}\n", client::state_name(task.state));
  fmt::print("  Progress         {:.1f} %\n", task.progress);
  fmt::print("  RunningDuration  {:.1f} s\n", task.running_duration_s);
  if (!task.start_time.empty()) fmt::print("  StartTime        {}\n", task.start_time);
  if (!task.end_time.empty()) fmt::print("  EndTime          {}\n", task.end_time);
  for (const client::ErrorDetail& detail : task.error_details)
    fmt::print("  ErrorDetails     {}: {}\n", detail.code, detail.message);
  if (!task.historical_events.empty()) fmt::print("  HistoricalEvents\n");
  for (const client::HistoricalEvent& event : task.historical_events)
    fmt::print("    {}  {}{}\n", event.timestamp, event.code,
               event.message.empty() ? "" : ": " + event.message);
}

int run_job_show(const Context& ctx, const ClientOptions& opts) {
  return with_client(ctx, opts, kExitFailure, [&](client::AmsClient& ams) {
    const client::Job job = ams.get_job(opts.job_id);
    const auto tasks = ams.job_tasks(opts.job_id);
    fmt::print("job {}\n", job.id);
    fmt::print("  Name             {}\n", job.name);
    fmt::print("  State            {}\n", client::state_name(job.state));
    fmt::print("  Priority         {}\n", job.priority);
    fmt::print("  Created          {}\n", job.created);
    if (!job.start_time.empty()) fmt::print("  StartTime        {}\n", job.start_time);
    if (!job.end_time.empty()) fmt::print("  EndTime          {}\n", job.end_time);
    fmt::print("  RunningDuration  {:.1f} s\n", job.running_duration_s);
    for (size_t i = 0; i < tasks.size(); ++i) print_task(tasks[i], i);
    print_outputs(ams, job.id);
    return 0;
  });
}

int run_job_cancel(const Context& ctx, const ClientOptions& opts) {
  return with_client(ctx, opts, kExitFailure, [&](client::AmsClient& ams) {
    ams.cancel_job(opts.job_id);
    fmt::print("job {}: cancel requested\n", opts.job_id);
    return 0;
  });
}

int run_job_delete(const Context& ctx, const ClientOptions& opts) {
  return with_client(ctx, opts, kExitFailure, [&](client::AmsClient& ams) {
    ams.delete_job(opts.job_id);
    fmt::print("job {}: deleted\n", opts.job_id);
    return 0;
  });
}

}  // namespace

void add_client_commands(CLI::App& app, Context& ctx, ClientOptions& opts) {
  const auto add_service_options = [&opts](CLI::App* cmd) {
    cmd->add_option("--url", opts.url,
                    "The service, e.g. http://host:8080 (default: $MEDIAWORKER_URL, else "
                    "http://127.0.0.1:8080)");
    cmd->add_option(
        "--token-file", opts.token_file,
        "File whose first non-empty, non-# line is the bearer token (default: $MEDIAWORKER_TOKEN)");
  };
  const auto job_id_argument = [&opts](CLI::App* cmd) {
    cmd->add_option("id", opts.job_id, "Job Id (nb:jid:UUID:...)")->required();
    cmd->fallthrough();
  };

  auto* asset = app.add_subcommand("asset", "Assets on a running service (REST API)");
  asset->require_subcommand(1);
  add_service_options(asset);
  auto* upload = asset->add_subcommand(
      "upload", "Upload each file as a new asset; prints one asset Id per line");
  upload->add_option("files", opts.files, "Media files")->required();
  upload->fallthrough();
  upload->callback([&ctx, &opts] { ctx.exit_code = run_asset_upload(ctx, opts); });

  auto* job = app.add_subcommand("job", "Jobs on a running service (REST API)");
  job->require_subcommand(1);
  add_service_options(job);

  auto* submit = job->add_subcommand("submit", "Create a one-task encoding job; prints the job Id");
  submit->add_option("--input,-i", opts.input, "An asset Id, or a file to upload first")
      ->required();
  submit
      ->add_option("--preset,-p", opts.preset,
                   "Preset name (Task.Configuration), e.g. \"H.264 HD 720p VBR\", or a preset file "
                   "(*.yaml, *.yml, MES *.json/*.xml) sent as the inline Configuration")
      ->required();
  submit->add_option("--name", opts.name,
                     "Job name (default: \"<file or asset name> (<preset name>)\")");
  submit->add_option("--priority", opts.priority, "Job priority: higher runs first (default 0)");
  submit->add_option("--processor", opts.processor,
                     "MediaProcessorId (default: Media Encoder Standard)");
  submit->add_flag("--wait", opts.wait, "Then wait for the job as `job wait` does");
  submit->add_option("--timeout", opts.timeout_s, "With --wait: give up after this many seconds")
      ->check(CLI::NonNegativeNumber);
  submit->fallthrough();
  submit->callback([&ctx, &opts] { ctx.exit_code = run_job_submit(ctx, opts); });

  auto* list = job->add_subcommand("list", "One line per job: Id, State, Name, Created");
  list->add_option("--top", opts.top, "At most this many jobs ($top)")
      ->check(CLI::NonNegativeNumber);
  list->add_option("--skip", opts.skip, "Skip this many jobs ($skip)")
      ->check(CLI::NonNegativeNumber);
  list->fallthrough();
  list->callback([&ctx, &opts] { ctx.exit_code = run_job_list(ctx, opts); });

  auto* show = job->add_subcommand("show", "A job with its tasks and output files");
  job_id_argument(show);
  show->callback([&ctx, &opts] { ctx.exit_code = run_job_show(ctx, opts); });

  auto* cancel = job->add_subcommand("cancel", "Cancel a job (CancelJob)");
  job_id_argument(cancel);
  cancel->callback([&ctx, &opts] { ctx.exit_code = run_job_cancel(ctx, opts); });

  auto* remove = job->add_subcommand("delete", "Delete a Finished, Error or Canceled job");
  job_id_argument(remove);
  remove->callback([&ctx, &opts] { ctx.exit_code = run_job_delete(ctx, opts); });

  auto* wait = job->add_subcommand(
      "wait",
      "Show progress until the job ends; exit 0 Finished, 1 Error or Canceled, 124 timeout");
  job_id_argument(wait);
  wait->add_option("--timeout", opts.timeout_s, "Give up after this many seconds (default: none)")
      ->check(CLI::NonNegativeNumber);
  wait->callback([&ctx, &opts] {
    ctx.exit_code = with_client(ctx, opts, kExitUsage, [&](client::AmsClient& ams) {
      return wait_and_report(ams, opts.job_id, ctx, opts);
    });
  });
}

}  // namespace mw::cli
