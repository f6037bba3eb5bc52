#pragma once
// Runs the real mediaworker binary from tests: posix_spawn with stdout/stderr captured to files,
// waiting with waitpid (no sleeps), optionally signalling it when a line appears on stderr.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace mw::test {

struct ProcessResult {
  int exit_code = -1;   ///< exit status, or 128 + signal number
  std::string out;      ///< everything written to stdout
  std::string err;      ///< everything written to stderr
  /// The last non-empty line of stderr.
  std::string last_error_line() const;
};

/// Runs `args` (args[0] is the program path) in `cwd` and waits for it to end.
ProcessResult run(const std::vector<std::string>& args, const std::filesystem::path& cwd = {});

/// Runs `args`; once `trigger` appears in its stderr, sends it `sig`; then waits for it to end.
ProcessResult run_and_signal(const std::vector<std::string>& args, const std::string& trigger, int sig,
                             const std::filesystem::path& cwd = {});

/// A fresh empty folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Names of the entries in `dir` (hidden ones included), sorted.
  static std::vector<std::string> list(const std::filesystem::path& dir);

 private:
  std::filesystem::path path_;
};

}  // namespace mw::test
