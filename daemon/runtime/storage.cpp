#include "daemon/runtime/storage.hpp"

#include <stdexcept>
#include <system_error>

#include "daemon/runtime/model.hpp"

namespace mw::runtime {

Storage::Storage(std::filesystem::path root) : root_(std::move(root)) {
  std::filesystem::create_directories(root_);
}

std::filesystem::path Storage::asset_dir(const std::string& asset_id) const {
  return root_ / ("asset-" + guid_of(asset_id));
}

bool Storage::valid_file_name(const std::string& name) {
  if (name.empty() || name.size() > 260 || name.front() == '.') return false;
  return name.find_first_of("/\\") == std::string::npos && name.find('\0') == std::string::npos;
}

std::filesystem::path Storage::file_path(const std::string& asset_id, const std::string& name) const {
  if (!valid_file_name(name)) throw std::invalid_argument("not a valid AssetFile name: '" + name + "'");
  return asset_dir(asset_id) / name;
}

void Storage::create_asset_dir(const std::string& asset_id) const {
  std::filesystem::create_directories(asset_dir(asset_id));
}

void Storage::clear_asset_dir(const std::string& asset_id) const noexcept {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(asset_dir(asset_id), ec))
    std::filesystem::remove_all(entry.path(), ec);
}

}  // namespace mw::runtime
