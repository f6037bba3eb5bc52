#pragma once
// The daemon's preset library, replaceable while the daemon runs (SIGHUP reloads the preset
// folders). Readers take a snapshot: a task resolves its Configuration against the library of
// the moment it is created or claimed and keeps the Preset it got, so a reload never changes or
// fails work already running. Shared ownership is the point here: a snapshot outlives a
// replacement for as long as a reader still holds it.

#include <memory>
#include <mutex>

#include "presets/library.hpp"

namespace mw::runtime {

class PresetCatalog {
 public:
  explicit PresetCatalog(presets::PresetLibrary library);

  /// The library now in force; stays valid (and unchanged) after a replace(). Thread-safe.
  std::shared_ptr<const presets::PresetLibrary> current() const;

  /// Puts `library` in force for every later current(), atomically. Thread-safe.
  void replace(presets::PresetLibrary library);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const presets::PresetLibrary> library_;
};

}  // namespace mw::runtime
