#pragma once
// Asset storage on a local or shared file system: each asset is a folder `asset-<guid>` under
// the configured root (the AMS container name, AMS-V2-REFERENCE.md §0), its AssetFiles are the
// files in it.

#include <filesystem>
#include <cstdint>
#include <string>
#include <vector>

namespace mw::runtime {

class Storage {
 public:
  /// @param root the storage root (created if missing)
  explicit Storage(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  /// root/asset-<guid of asset_id>
  std::filesystem::path asset_dir(const std::string& asset_id) const;
  /// The path of a file of an asset. @throws std::invalid_argument when `name` is not a plain
  /// file name (empty, "." or "..", contains '/' or '\\', or starts with '.')
  std::filesystem::path file_path(const std::string& asset_id, const std::string& name) const;
  /// Creates the asset's folder. @throws std::filesystem::filesystem_error
  void create_asset_dir(const std::string& asset_id) const;
  /// Removes every file and folder in the asset's folder (a failed task's partial output).
  /// Returns how many entries were removed. Never throws.
  int clear_asset_dir(const std::string& asset_id) const noexcept;

  // --- A task attempt's outputs (docs/farm.md "Outputs and fencing") ---------------------------
  // An attempt writes into a folder of its own inside the output asset's folder,
  // ".mw-attempt-<lease token>", so that a worker whose lease was taken over never writes where
  // the new owner does. publish_attempt moves the files into the asset's folder under the
  // store's fence (JobStore::finish_task); folders of earlier attempts are removed before a retry.

  /// root/asset-<guid>/.mw-attempt-<lease_token> (not created).
  std::filesystem::path attempt_dir(const std::string& asset_id, int64_t lease_token) const;
  /// Removes the attempt folders of the asset (what workers that died or lost their lease left).
  /// Returns how many were removed. Never throws.
  int remove_attempt_dirs(const std::string& asset_id) const noexcept;
  /// Moves the files `names` of the attempt folder into the asset's folder (replacing files of
  /// the same name), removes the asset's other files (an earlier attempt's), then the attempt
  /// folder. Idempotent: a name already moved is skipped, so a store transaction that runs it
  /// again after a lost connection succeeds. @throws std::runtime_error naming the file when a
  /// name is in neither folder or a rename fails
  void publish_attempt(const std::string& asset_id, int64_t lease_token,
                       const std::vector<std::string>& names) const;

  /// The identity written in the root's marker file ".mediaworker-storage" ("" when there is
  /// none): a farm's hosts check that their storage.root is the farm's shared storage.
  std::string identity() const;
  /// Writes the marker file. @throws std::runtime_error naming the file
  void write_identity(const std::string& identity) const;

  /// Whether `name` may be an AssetFile Name (AMS: no path separators, no leading dot, at most
  /// 260 characters).
  static bool valid_file_name(const std::string& name);

 private:
  std::filesystem::path root_;
};

}  // namespace mw::runtime
