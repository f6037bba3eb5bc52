// Asset storage: a task attempt's folder, publishing it into the asset (the fenced final rename
// of docs/farm.md), and removing what earlier attempts left.

#include "daemon/runtime/storage.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/support/process.hpp"

namespace mw::runtime {
namespace {

namespace fs = std::filesystem;

const std::string kAsset = "nb:cid:UUID:5a1e0c7e-0000-4000-8000-000000000001";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

TEST(Storage, PublishMovesTheAttemptsFilesInAndReplacesAnEarlierAttempts) {
  test::TempDir dir;
  Storage storage(dir.path());
  write(storage.file_path(kAsset, "old_only.mp4"), "from an attempt whose commit failed");
  write(storage.file_path(kAsset, "video.mp4"), "old");
  write(storage.attempt_dir(kAsset, 42) / "video.mp4", "new video");
  write(storage.attempt_dir(kAsset, 42) / "video_metadata.xml", "<AssetFiles/>");

  storage.publish_attempt(kAsset, 42, {"video.mp4", "video_metadata.xml"});

  EXPECT_EQ(entries(storage.asset_dir(kAsset)), (std::set<std::string>{"video.mp4", "video_metadata.xml"}));
  EXPECT_EQ(read(storage.file_path(kAsset, "video.mp4")), "new video");
  // Run again (the store retried its transaction): nothing left to move, nothing lost.
  storage.publish_attempt(kAsset, 42, {"video.mp4", "video_metadata.xml"});
  EXPECT_EQ(read(storage.file_path(kAsset, "video.mp4")), "new video");
}

TEST(Storage, PublishOfAMissingFileNamesItAndMovesNothingElseAway) {
  test::TempDir dir;
  Storage storage(dir.path());
  write(storage.attempt_dir(kAsset, 7) / "a.mp4", "a");
  try {
    storage.publish_attempt(kAsset, 7, {"a.mp4", "b.mp4"});
    FAIL() << "publishing a file the attempt never wrote must fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'b.mp4' is missing"), std::string::npos) << e.what();
  }
}

TEST(Storage, RemoveAttemptDirsRemovesOnlyAttemptFolders) {
  test::TempDir dir;
  Storage storage(dir.path());
  write(storage.file_path(kAsset, "published.mp4"), "kept");
  write(storage.attempt_dir(kAsset, 1) / ".video.mp4.partial", "half");
  write(storage.attempt_dir(kAsset, 2) / ".mw-staging" / "layer.mp4", "half");

  EXPECT_EQ(storage.remove_attempt_dirs(kAsset), 2);
  EXPECT_EQ(entries(storage.asset_dir(kAsset)), std::set<std::string>{"published.mp4"});
  EXPECT_EQ(storage.remove_attempt_dirs("nb:cid:UUID:no-such-asset"), 0);
}

}  // namespace
}  // namespace mw::runtime
