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

TEST(ServeCommand, CheckConfigRefusesAnOpenListenerWithoutTokensUnlessTheRoleHasNone) {
  TempDir dir;
  const std::string config = write_config(dir, "api:\n  listen: 0.0.0.0:8090\n");
  const ProcessResult open = run({kBinary, "serve", "--config", config, "--check-config"});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(open.err.find("api.listen: refusing to serve 0.0.0.0:8090 without bearer tokens"), std::string::npos)
      << open.err;
  const ProcessResult worker = run({kBinary, "serve", "--config", config, "--check-config", "--role", "worker"});
  EXPECT_EQ(worker.exit_code, 0) << worker.err << " (role worker has no listener)";
  EXPECT_NE(worker.out.find("configuration OK"), std::string::npos);
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
