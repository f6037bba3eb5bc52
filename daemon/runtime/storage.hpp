#pragma once
// Asset storage on a local or shared file system: each asset is a folder `asset-<guid>` under
// the configured root (the AMS container name, AMS-V2-REFERENCE.md §0), its AssetFiles are the
// files in it.

#include <filesystem>
#include <string>

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
  /// Removes every file of the asset's folder (a failed task's partial output). Never throws.
  void clear_asset_dir(const std::string& asset_id) const noexcept;

  /// Whether `name` may be an AssetFile Name (AMS: no path separators, no leading dot, at most
  /// 260 characters).
  static bool valid_file_name(const std::string& name);

 private:
  std::filesystem::path root_;
};

}  // namespace mw::runtime
