// The daemon's YAML configuration: what the acceptance check writes, and errors naming the key.

#include "daemon/config/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/process.hpp"

namespace mw::config {
namespace {

using test::TempDir;

std::filesystem::path write(const TempDir& dir, const std::string& text) {
  const auto p = dir.path() / "mediaworker.yaml";
  std::ofstream(p) << text;
  return p;
}

std::string error_of(const TempDir& dir, const std::string& text) {
  try {
    load_config(write(dir, text));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Config, AcceptanceCheckConfigLoads) {
  TempDir dir;
  std::ofstream(dir.path() / "tokens") << "acc-0123\n";
  const Config c = load_config(write(dir, "api:\n  listen: 127.0.0.1:0\n  tokens_file: tokens\n"
                                          "store:\n  url: sqlite://jobs.db\nstorage:\n  root: assets\n"
                                          "worker:\n  slots: 1\n"));
  EXPECT_EQ(c.api.listen, "127.0.0.1:0");
  EXPECT_EQ(c.api.tokens, std::vector<std::string>{"acc-0123"});
  EXPECT_EQ(c.store.sqlite_path(), dir.path() / "jobs.db");  // relative to the config file
  EXPECT_EQ(c.storage.root, dir.path() / "assets");
  EXPECT_EQ(c.worker.slots, 1);
  EXPECT_EQ(c.worker.lease_seconds, 30);
  EXPECT_FALSE(c.worker.host_id.empty());
}

TEST(Config, PresetDirsAndTheirFoldersAliasResolveAgainstTheConfigFolder) {
  TempDir dir;
  const std::string base = "store:\n  url: sqlite:///tmp/x.db\nstorage:\n  root: /tmp/a\n";
  const std::vector<std::filesystem::path> expected{dir.path() / "mine", "/srv/presets"};
  EXPECT_EQ(load_config(write(dir, base + "presets:\n  dirs: [mine, /srv/presets]\n")).preset_folders, expected);
  EXPECT_EQ(load_config(write(dir, base + "presets:\n  folders: [mine, /srv/presets]\n")).preset_folders, expected);
  EXPECT_NE(error_of(dir, base + "presets:\n  dirs: [a]\n  folders: [b]\n")
                .find("presets.folders: is an alias of presets.dirs; give one of them, not both"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "presets:\n  dir: [a]\n").find("presets.dir: unknown key (allowed: dirs, folders)"),
            std::string::npos);
}

TEST(Config, MetricsPublicIsOffUnlessSetToTrue) {
  TempDir dir;
  const std::string base = "store:\n  url: sqlite:///tmp/x.db\nstorage:\n  root: /tmp/a\n";
  EXPECT_FALSE(load_config(write(dir, base)).api.metrics_public);
  EXPECT_TRUE(load_config(write(dir, base + "api:\n  metrics_public: true\n")).api.metrics_public);
  EXPECT_NE(error_of(dir, base + "api:\n  metrics_public: sometimes\n").find("api.metrics_public: 'sometimes' is not a valid true/false"),
            std::string::npos)
      << error_of(dir, base + "api:\n  metrics_public: sometimes\n");
}

TEST(Config, FarmKeysRoleResolutionAndTags) {
  TempDir dir;
  const std::string base = "store:\n  url: sqlite:///tmp/x.db\nstorage:\n  root: /tmp/a\n";
  const Config c = load_config(write(dir, base + "role: worker\nworker:\n  max_resolution: 1920x1080\n"
                                                 "  tags: [gpu, fast-ssd]\n"));
  EXPECT_EQ(c.role, Role::Worker);
  EXPECT_EQ(c.worker.max_width, 1920);
  EXPECT_EQ(c.worker.max_height, 1080);
  EXPECT_EQ(c.worker.tags, (std::vector<std::string>{"gpu", "fast-ssd"}));
  EXPECT_EQ(load_config(write(dir, base)).role, Role::All);

  EXPECT_NE(error_of(dir, base + "role: encoder\n").find("role: 'encoder' is not a role (all, api or worker)"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "worker:\n  max_resolution: 1080p\n")
                .find("worker.max_resolution: '1080p' must be WIDTHxHEIGHT, e.g. 1920x1080 (0x0: no limit)"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "worker:\n  max_resolution: 1920x0\n").find("worker.max_resolution"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "role: \"\"\n").find("role: '' is not a role"), std::string::npos);
  EXPECT_NE(error_of(dir, base + "worker:\n  max_resolution: 99999999999x720\n").find("worker.max_resolution"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "worker:\n  host_id: \"a:b\"\n").find("worker.host_id: 'a:b' may not contain ':'"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "worker:\n  tags: [\"has space\"]\n")
                .find("worker.tags: 'has space' is not a worker tag (1-64 characters of A-Z a-z 0-9 . _ -)"),
            std::string::npos);
}

TEST(Config, ErrorsNameTheKey) {
  TempDir dir;
  const std::string base = "store:\n  url: sqlite:///tmp/x.db\nstorage:\n  root: /tmp/a\n";
  EXPECT_NE(error_of(dir, base + "worker:\n  slotz: 2\n").find("worker.slotz: unknown key"), std::string::npos);
  EXPECT_NE(error_of(dir, base + "worker:\n  slots: many\n").find("worker.slots: 'many' is not a valid whole number"),
            std::string::npos);
  EXPECT_NE(error_of(dir, "storage:\n  root: /tmp/a\n").find("store.url: is required"), std::string::npos);
  EXPECT_NE(error_of(dir, "store:\n  url: mysql://x\nstorage:\n  root: /a\n").find("store.url: 'mysql://x'"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "api:\n  tokens_file: /nonexistent/tokens\n").find("api.tokens_file: cannot read"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "api:\n  tokens_file: /dev/zero\n").find("api.tokens_file: '/dev/zero' is not a regular file"),
            std::string::npos);
  EXPECT_NE(error_of(dir, base + "log:\n  level: loud\n").find("log.level: 'loud'"), std::string::npos);
  EXPECT_NE(error_of(dir, base + "workers:\n  slots: 1\n").find("workers: unknown key"), std::string::npos);
  EXPECT_NE(error_of(dir, "store: [\n").find("not valid YAML: line"), std::string::npos);
}

TEST(Config, AWronglyTypedStoreUrlIsShownOnOneLineWithoutItsPassword) {
  TempDir dir;
  const std::string storage = "storage:\n  root: /tmp/a\n";
  const std::string flow =
      error_of(dir, "store:\n  url: [ \"postgresql://mw:PWSECRET@db/mw\" ]\n" + storage);
  EXPECT_NE(flow.find("store.url: '[postgresql://mw:***@db/mw]' is not a valid string"),
            std::string::npos)
      << flow;
  const std::string block = error_of(
      dir, "store:\n  url:\n    - postgresql://mw@db/mw?password=PWSECRET\n    - x\n" + storage);
  EXPECT_EQ(block.find("PWSECRET"), std::string::npos) << block;
  EXPECT_EQ(block.find('\n'), std::string::npos) << block;
  EXPECT_NE(block.find("store.url: '- postgresql://mw@db/mw?password=*** - x'"), std::string::npos)
      << block;
}

}  // namespace
}  // namespace mw::config
