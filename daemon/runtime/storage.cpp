#include "daemon/runtime/storage.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>
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

int Storage::clear_asset_dir(const std::string& asset_id) const noexcept {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(asset_dir(asset_id), ec))
    if (std::filesystem::remove_all(entry.path(), ec) > 0) ++removed;
  return removed;
}

namespace {
constexpr std::string_view kAttemptPrefix = ".mw-attempt-";
constexpr const char* kIdentityFile = ".mediaworker-storage";
}

std::string Storage::identity() const {
  std::ifstream in(root_ / kIdentityFile);
  std::string id;
  in >> id;
  return id;
}

void Storage::write_identity(const std::string& identity) const {
  const auto path = root_ / kIdentityFile;
  std::ofstream out(path);
  out << identity << "\n";
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::filesystem::path Storage::attempt_dir(const std::string& asset_id, int64_t lease_token) const {
  // The token as unsigned hex: ".mw-attempt-9cf1b2e0a4d35f17" (tokens are random 64-bit values).
  return asset_dir(asset_id) / fmt::format("{}{:016x}", kAttemptPrefix, static_cast<uint64_t>(lease_token));
}

int Storage::remove_attempt_dirs(const std::string& asset_id) const noexcept {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(asset_dir(asset_id), ec))
    if (entry.path().filename().string().starts_with(kAttemptPrefix) && std::filesystem::remove_all(entry.path(), ec) > 0)
      ++removed;
  return removed;
}

void Storage::publish_attempt(const std::string& asset_id, int64_t lease_token,
                              const std::vector<std::string>& names) const {
  const auto from = attempt_dir(asset_id, lease_token);
  const auto to = asset_dir(asset_id);
  std::error_code ec;
  for (const auto& name : names) {
    const auto source = from / name;
    const auto target = file_path(asset_id, name);
    if (!std::filesystem::exists(source, ec)) {
      if (std::filesystem::is_regular_file(target, ec)) continue;  // moved by an earlier run
      throw std::runtime_error("output file '" + name + "' is missing from " + from.string());
    }
    std::filesystem::rename(source, target, ec);
    if (ec) throw std::runtime_error("moving output file '" + name + "' into " + to.string() + ": " + ec.message());
  }
  const std::set<std::string> kept(names.begin(), names.end());
  for (const auto& entry : std::filesystem::directory_iterator(to, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with('.') && !kept.count(name)) std::filesystem::remove_all(entry.path(), ec);
  }
  std::filesystem::remove_all(from, ec);
}

}  // namespace mw::runtime
