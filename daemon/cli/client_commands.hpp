#pragma once
// The client verbs (DESIGN.md "Processes"): `mediaworker asset upload` and
// `mediaworker job submit|list|show|cancel|delete|wait`, talking to a running daemon over its
// AMS v2 REST API (daemon/client).

#include <string>
#include <vector>

#include "daemon/cli/commands.hpp"

namespace mw::cli {

/// Options of the client verbs, owned by main(). The service is `--url`, else $MEDIAWORKER_URL,
/// else http://127.0.0.1:8080; the token is the first non-empty, non-"#" line of `--token-file`,
/// else $MEDIAWORKER_TOKEN.
struct ClientOptions {
  std::string url;                 ///< --url
  std::string token_file;          ///< --token-file
  std::vector<std::string> files;  ///< asset upload FILE...
  std::string job_id;              ///< job show|cancel|delete|wait ID
  std::string input;               ///< job submit --input: an asset Id, or a file to upload first
  std::string preset;              ///< job submit --preset: Task.Configuration
  std::string name;                ///< job submit --name: Job.Name
  int priority = 0;                ///< job submit --priority: Job.Priority
  std::string processor;           ///< job submit --processor: MediaProcessorId (default MES)
  bool wait = false;               ///< job submit --wait
  int top = -1;                    ///< job list --top ($top), -1 = not sent
  int skip = -1;                   ///< job list --skip ($skip), -1 = not sent
  double timeout_s = 0;            ///< job wait / submit --wait: --timeout seconds, 0 = none
};

/// Exit code of `job wait` when --timeout passes before the job ends (as timeout(1)).
inline constexpr int kExitTimedOut = 124;

/// Adds `asset` (upload) and `job` (submit, list, show, cancel, delete, wait).
/// Exit codes: 0 success (for wait: the job Finished); 1 an HTTP error answer (e.g. cancelling a
/// finished job), or for wait/submit --wait a job that ended in Error or Canceled; 2 bad usage,
/// an unreachable service, a refused token, or for wait any HTTP error; 124 wait timed out;
/// 130 wait interrupted (the job keeps running).
void add_client_commands(CLI::App& app, Context& ctx, ClientOptions& opts);

}  // namespace mw::cli
