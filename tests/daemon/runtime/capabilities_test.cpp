// Capability-aware claiming (docs/farm.md): what a task needs, from real library presets, and
// why a worker cannot run it.

#include "daemon/runtime/capabilities.hpp"

#include <gtest/gtest.h>

#include "presets/library.hpp"

namespace mw::runtime {
namespace {

const presets::PresetLibrary& library() {
  static const presets::PresetLibrary lib = presets::PresetLibrary::load({presets::default_preset_dir()});
  return lib;
}

TEST(Capabilities, A720pPresetNeedsItsLargestLayerAndX264AndAac) {
  const presets::Preset preset = library().resolve("H264 Multiple Bitrate 720p");
  const TaskRequirements r = requirements_of(&preset, {"ssd", "gpu", "ssd"});
  EXPECT_EQ(r.long_edge, 1280);
  EXPECT_EQ(r.short_edge, 720);
  EXPECT_EQ(r.encoders, (std::vector<std::string>{"aac", "libx264"}));
  EXPECT_EQ(r.tags, (std::vector<std::string>{"gpu", "ssd"})) << "sorted, de-duplicated";
}

TEST(Capabilities, PackagingNeedsOnlyItsTags) {
  const TaskRequirements r = requirements_of(nullptr, {"edge"});
  EXPECT_EQ(r.long_edge, 0);
  EXPECT_TRUE(r.encoders.empty());
  EXPECT_EQ(r.tags, std::vector<std::string>{"edge"});
}

TEST(Capabilities, ThisBuildHasEveryEncoderThePresetsUse) {
  const WorkerCapabilities c = local_capabilities(1080, 1920, {"b", "a"});
  EXPECT_EQ(c.encoders, preset_encoders());
  EXPECT_EQ(c.max_long_edge, 1920) << "given portrait, kept as longer/shorter side";
  EXPECT_EQ(c.max_short_edge, 1080);
  EXPECT_EQ(c.tags, (std::vector<std::string>{"a", "b"}));
}

TEST(Capabilities, CannotRunSaysEveryReason) {
  const presets::Preset uhd = library().resolve("H264 Single Bitrate 4K");
  const TaskRequirements r = requirements_of(&uhd, {"gpu"});
  const WorkerCapabilities hd{1920, 1080, {"aac"}, {}};
  EXPECT_EQ(cannot_run(hd, r),
            "3840x2160 is above its worker.max_resolution 1920x1080; its libavcodec has no libx264 encoder; "
            "it lacks tag 'gpu'");
  const WorkerCapabilities any{0, 0, {"aac", "libx264"}, {"gpu"}};
  EXPECT_EQ(cannot_run(any, r), "");
}

}  // namespace
}  // namespace mw::runtime
