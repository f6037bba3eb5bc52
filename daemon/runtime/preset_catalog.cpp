#include "daemon/runtime/preset_catalog.hpp"

#include <utility>

namespace mw::runtime {

PresetCatalog::PresetCatalog(presets::PresetLibrary library)
    : library_(std::make_shared<const presets::PresetLibrary>(std::move(library))) {}

std::shared_ptr<const presets::PresetLibrary> PresetCatalog::current() const {
  std::lock_guard lock(mutex_);
  return library_;
}

void PresetCatalog::replace(presets::PresetLibrary library) {
  auto next = std::make_shared<const presets::PresetLibrary>(std::move(library));
  std::lock_guard lock(mutex_);
  library_.swap(next);
  // The old library is released after the lock (by `next`), or later by its last reader.
}

}  // namespace mw::runtime
