#pragma once
// The preset library: system presets (presets/library/*.yaml) plus operator folders, and the
// resolution of a Task.Configuration string to a Preset.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "presets/preset.hpp"

namespace mw::presets {

/// The form used to compare preset names: lower case, with every run of white space, '-', '_'
/// and '.' removed ("H.264 HD 720p VBR" and "h264-hd-720p-vbr" compare equal), and any U+FEFF
/// (byte order mark) dropped.
std::string normalize_preset_name(std::string_view name);

/// A set of loaded presets, looked up by name or alias.
class PresetLibrary {
 public:
  /// Loads every *.yaml / *.yml file (YAML presets) and *.json / *.xml file (MES custom presets,
  /// named by their Description, else by the file stem) of each folder, with load_preset_file,
  /// in order; a later folder's preset with the
  /// same normalized name replaces an earlier one (operators may override system presets).
  /// @throws PresetError for the first file that does not load, for two files of one folder
  ///         claiming the same name or alias, or for an `unsupported` preset whose
  ///         `use_instead` names no supported preset of the library
  static PresetLibrary load(const std::vector<std::filesystem::path>& folders);

  /// The preset whose name or alias matches (normalize_preset_name), or nullptr. An
  /// `unsupported` preset is found too (for `presets list|show`); resolve() refuses it.
  const Preset* find(std::string_view name_or_alias) const;

  /// Resolves a Task.Configuration: an MES custom preset (first non-blank character '{' for
  /// JSON or '<' for XML, UTF-8 or UTF-16: parse_mes_preset) or inline preset YAML (text with a
  /// newline and a top-level `name:` or `video:`/`audio:` key) is parsed; anything else is
  /// looked up by name or alias.
  /// @throws PresetError "unknown preset 'X'" (with the closest names), the inline preset's
  ///         error, or "preset 'X' is not supported: <reason>; use 'Y' instead" for a published
  ///         preset mediaworker does not encode (VC-1, WMA; Preset::unsupported)
  Preset resolve(std::string_view configuration) const;

  /// Every preset, sorted by name.
  std::vector<const Preset*> all() const;

 private:
  std::vector<Preset> presets_;
};

/// The folder of the system presets: $MEDIAWORKER_PRESET_DIR if set (and not empty); else
/// installed_preset_dir(the running executable, /proc/self/exe) if that folder exists (an
/// installed binary: /usr/bin/mediaworker reads /usr/share/mediaworker/presets,
/// /usr/local/bin/mediaworker reads /usr/local/share/mediaworker/presets); else the source
/// tree's presets/library if it exists (a build-tree binary or test, even when another copy is
/// installed under /usr); else installed_preset_dir(), so that loading it fails naming the folder
/// an installed binary expected. Never throws; whether the folder loads is PresetLibrary::load's.
std::filesystem::path default_preset_dir();

/// The preset library of an installation, given the path of its executable: the folder
/// `<bindir>/<relative path from bindir to datadir>/mediaworker/presets` for the install
/// directories the build was configured with (GNUInstallDirs: `bin` and `share`, so
/// "/usr/bin/mediaworker" gives "/usr/share/mediaworker/presets"), lexically normalised. Pure
/// path arithmetic: it does not look at the file system.
std::filesystem::path installed_preset_dir(const std::filesystem::path& executable);

}  // namespace mw::presets
