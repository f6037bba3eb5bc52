// The daemon's replaceable preset library: snapshots outlive a replacement.

#include "daemon/runtime/preset_catalog.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/process.hpp"

namespace mw::runtime {
namespace {

presets::PresetLibrary library_with(const test::TempDir& dir, const std::string& name,
                                    int bitrate_kbps) {
  std::ofstream(dir.path() / "p.yaml")
      << "name: " << name << "\naudio:\n  bitrate: " << bitrate_kbps
      << "\noutputs:\n  - file_name: \"{Basename}{Extension}\"\n";
  return presets::PresetLibrary::load({dir.path()});
}

TEST(PresetCatalog, ASnapshotTakenBeforeAReplaceKeepsItsPresets) {
  test::TempDir before_dir, after_dir;
  PresetCatalog catalog(library_with(before_dir, "Podcast", 64));
  const auto snapshot = catalog.current();
  catalog.replace(library_with(after_dir, "Radio", 96));

  ASSERT_NE(snapshot->find("Podcast"), nullptr);
  EXPECT_EQ(snapshot->find("Podcast")->audio->bitrate_kbps, 64);
  EXPECT_EQ(snapshot->find("Radio"), nullptr);
  EXPECT_EQ(catalog.current()->find("Podcast"), nullptr);
  ASSERT_NE(catalog.current()->find("Radio"), nullptr);
  EXPECT_EQ(catalog.current()->find("Radio")->audio->bitrate_kbps, 96);
}

}  // namespace
}  // namespace mw::runtime
