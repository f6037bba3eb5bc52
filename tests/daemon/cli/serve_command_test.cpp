// `mediaworker serve --check-config` and `--role`: what a config check catches before a start
// would fail (issue 7's roles; the API's listen rule).

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/process.hpp"

namespace mw::test {
namespace {

const std::string kBinary = MW_BINARY;

std::string write_config(const TempDir& dir, const std::string& extra) {
  const auto path = dir.path() / "mediaworker.yaml";
  std::ofstream(path) << "store:\n  url: sqlite://" << (dir.path() / "jobs.db").string()
                      << "\nstorage:\n  root: " << (dir.path() / "assets").string() << "\n"
                      << extra;
  return path.string();
}

TEST(ServeCommand, CheckConfigRefusesAnOpenListenerWithoutTokensUnlessOnlyPublicMetricsAreOnIt) {
  TempDir dir;
  const std::string config = write_config(dir, "api:\n  listen: 0.0.0.0:8090\n");
  const ProcessResult open = run({kBinary, "serve", "--config", config, "--check-config"});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(open.err.find("api.listen: refusing to serve 0.0.0.0:8090 without bearer tokens"), std::string::npos)
      << open.err;
  // Role worker listens for /metrics (token needed) and the probes.
  const ProcessResult worker = run({kBinary, "serve", "--config", config, "--check-config", "--role", "worker"});
  EXPECT_EQ(worker.exit_code, 2) << worker.err;
  const std::string public_metrics = write_config(dir, "api:\n  listen: 0.0.0.0:8090\n  metrics_public: true\n");
  const ProcessResult open_worker =
      run({kBinary, "serve", "--config", public_metrics, "--check-config", "--role", "worker"});
  EXPECT_EQ(open_worker.exit_code, 0) << open_worker.err << " (nothing on a worker's listener needs a token)";
  EXPECT_NE(open_worker.out.find("configuration OK"), std::string::npos);
  const ProcessResult open_all = run({kBinary, "serve", "--config", public_metrics, "--check-config"});
  EXPECT_EQ(open_all.exit_code, 2) << "the REST API still needs tokens";
}

TEST(ServeCommand, RoleWorkerWithoutSlotsAndUnknownRolesAreRefused) {
  TempDir dir;
  const std::string config = write_config(dir, "worker:\n  slots: 0\n");
  const ProcessResult idle = run({kBinary, "serve", "--config", config, "--role", "worker"});
  EXPECT_EQ(idle.exit_code, 2);
  EXPECT_NE(idle.err.find("worker.slots: is 0 with role worker"), std::string::npos) << idle.err;
  const ProcessResult typo = run({kBinary, "serve", "--config", config, "--role", "wroker"});
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("--role"), std::string::npos) << typo.err;
}

}  // namespace
}  // namespace mw::test
