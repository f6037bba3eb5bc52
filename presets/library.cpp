#include "presets/library.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <numeric>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "presets/loader.hpp"
#include "presets/mes_preset.hpp"
#include "presets/preset_error.hpp"

#ifndef MW_SOURCE_PRESET_DIR
#error "MW_SOURCE_PRESET_DIR must name the source tree's presets/library (presets/CMakeLists.txt)"
#endif
#ifndef MW_PRESET_DIR_FROM_BINDIR
#error "MW_PRESET_DIR_FROM_BINDIR must name the installed presets relative to the bin folder (presets/CMakeLists.txt)"
#endif

namespace mw::presets {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxSuggestions = 3;
/// Longest Configuration text quoted whole in an "unknown preset" message, in bytes.
constexpr std::size_t kMaxQuotedLength = 80;

/// The normalized name and aliases of a preset.
std::vector<std::string> normalized_names(const Preset& preset) {
  std::vector<std::string> names{normalize_preset_name(preset.name)};
  for (const std::string& alias : preset.aliases) names.push_back(normalize_preset_name(alias));
  return names;
}

/// The first normalized name or alias `a` and `b` share, or "".
std::string shared_name(const Preset& a, const Preset& b) {
  const std::vector<std::string> names_b = normalized_names(b);
  for (const std::string& name : normalized_names(a)) {
    if (std::find(names_b.begin(), names_b.end(), name) != names_b.end()) return name;
  }
  return {};
}

/// The dotted key of `preset` that answers to the normalized `name`: "name" or "aliases[i]".
std::string key_answering_to(const Preset& preset, const std::string& name) {
  if (normalize_preset_name(preset.name) == name) return "name";
  for (std::size_t i = 0; i < preset.aliases.size(); ++i) {
    if (normalize_preset_name(preset.aliases[i]) == name) {
      return "aliases[" + std::to_string(i) + "]";
    }
  }
  return "name";
}

/// The presets of one folder, in file-name order.
/// @throws PresetError if the folder cannot be listed, a file does not load, or two files claim
///         the same name or alias
std::vector<Preset> load_folder(const fs::path& folder) {
  std::error_code error;
  const fs::file_status status = fs::status(folder, error);
  if (status.type() == fs::file_type::not_found) {
    throw PresetError(folder.string(), 0, "", "no such preset folder");
  }
  if (error) throw PresetError(folder.string(), 0, "", "cannot read: " + error.message());
  if (!fs::is_directory(status)) throw PresetError(folder.string(), 0, "", "not a folder");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    // YAML presets, and MES custom presets (load_preset_file reads .json and .xml as MES).
    const fs::path ext = path.extension();
    const bool is_preset = ext == ".yaml" || ext == ".yml" || ext == ".json" || ext == ".xml";
    if (is_preset && it->is_regular_file(error)) files.push_back(path);
  }
  if (error) {
    throw PresetError(folder.string(), 0, "", "cannot list the folder: " + error.message());
  }
  std::sort(files.begin(), files.end());

  std::vector<Preset> presets;
  for (const fs::path& file : files) {
    Preset preset = load_preset_file(file);
    for (const Preset& earlier : presets) {
      if (const std::string name = shared_name(preset, earlier); !name.empty()) {
        throw PresetError(file.string(), 0, key_answering_to(preset, name),
                          "preset '" + preset.name + "' and preset '" + earlier.name + "' of " +
                              earlier.origin + " both answer to '" + name +
                              "'; names and aliases must be unique within a folder");
      }
    }
    presets.push_back(std::move(preset));
  }
  return presets;
}

/// Levenshtein distance between two strings (insert, delete, substitute each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// `text` for a one-line message: control characters become spaces, and long text is cut (at a
/// UTF-8 character boundary) with "...".
std::string quoted(std::string_view text) {
  std::string shown;
  if (text.size() > kMaxQuotedLength) {
    std::size_t cut = kMaxQuotedLength;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    shown = std::string(text.substr(0, cut)) + "...";
  } else {
    shown = text;
  }
  for (char& c : shown) {
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  }
  return "'" + shown + "'";
}

/// "unknown preset 'X'; did you mean 'A', 'B' or 'C'?" with the names closest to X.
std::string unknown_preset_message(std::string_view configuration,
                                   const std::vector<const Preset*>& presets) {
  std::string message = "unknown preset " + quoted(configuration);
  if (presets.empty()) return message + "; the preset library is empty";
  const std::string wanted = normalize_preset_name(configuration);
  std::vector<std::pair<std::size_t, const Preset*>> ranked;
  for (const Preset* preset : presets) {
    std::size_t distance = std::string::npos;
    for (const std::string& name : normalized_names(*preset)) {
      distance = std::min(distance, edit_distance(wanted, name));
    }
    ranked.emplace_back(distance, preset);
  }
  // `presets` is sorted by name, so a stable sort keeps equally close names in name order.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  ranked.resize(std::min(ranked.size(), kMaxSuggestions));
  message += "; did you mean ";
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (i > 0) message += (i + 1 == ranked.size()) ? " or " : ", ";
    message += "'" + ranked[i].second->name + "'";
  }
  return message + "? (`mediaworker presets list` shows them all)";
}

/// Whether a Configuration is inline preset YAML rather than a name: it has a line break and is
/// either a mapping with a top-level name, video, audio or images key (a preset has a name and
/// at least one of the three codecs' keys), or not valid YAML at all (so
/// that parse_preset_yaml reports the syntax error with its line).
bool is_inline_preset(std::string_view configuration) {
  if (configuration.find('\n') == std::string_view::npos) return false;
  YAML::Node parsed;
  try {
    parsed = YAML::Load(std::string(configuration));
  } catch (const YAML::Exception&) {
    return true;
  }
  const YAML::Node& root = parsed;  // const: looking a key up must not add it
  return root.IsMap() && (root["name"] || root["video"] || root["audio"] || root["images"]);
}

/// Checks that every unsupported preset's use_instead names a supported preset of `presets`.
/// @throws PresetError naming the unsupported preset's file and its use_instead key
void check_use_instead(const std::vector<Preset>& presets) {
  for (const Preset& preset : presets) {
    if (preset.unsupported.empty()) continue;
    const std::string wanted = normalize_preset_name(preset.use_instead);
    const auto named = std::find_if(presets.begin(), presets.end(), [&](const Preset& other) {
      const std::vector<std::string> names = normalized_names(other);
      return std::find(names.begin(), names.end(), wanted) != names.end();
    });
    if (named == presets.end()) {
      throw PresetError(preset.origin, 0, "use_instead",
                        "'" + preset.use_instead + "' is not a preset of the library");
    }
    if (!named->unsupported.empty()) {
      throw PresetError(preset.origin, 0, "use_instead",
                        "'" + preset.use_instead + "' is unsupported too; name a preset that "
                        "mediaworker encodes");
    }
  }
}

/// The error for resolving a published preset mediaworker does not encode (VC-1, WMA): its
/// reason and the preset to use instead, never a silent mapping to another preset.
PresetError unsupported_error(const Preset& preset) {
  return PresetError("", 0, "",
                     "preset '" + preset.name + "' is not supported: " + preset.unsupported +
                         "; use '" + preset.use_instead + "' instead");
}

}  // namespace

std::string normalize_preset_name(std::string_view name) {
  std::string normalized;
  for (std::size_t i = 0; i < name.size(); ++i) {
    // U+FEFF (a byte order mark, as a Configuration read from a file saved with one starts):
    // invisible, so dropped like white space.
    if (name.substr(i).starts_with("\xEF\xBB\xBF")) {
      i += 2;
      continue;
    }
    const char c = name[i];
    const auto byte = static_cast<unsigned char>(c);
    if (std::isspace(byte) || c == '-' || c == '_' || c == '.') continue;
    normalized += static_cast<char>(std::tolower(byte));
  }
  return normalized;
}

PresetLibrary PresetLibrary::load(const std::vector<fs::path>& folders) {
  PresetLibrary library;
  for (const fs::path& folder : folders) {
    for (Preset& preset : load_folder(folder)) {
      // A later folder's preset replaces every earlier one that answers to one of its names.
      std::erase_if(library.presets_,
                    [&](const Preset& earlier) { return !shared_name(preset, earlier).empty(); });
      library.presets_.push_back(std::move(preset));
    }
  }
  check_use_instead(library.presets_);
  return library;
}

const Preset* PresetLibrary::find(std::string_view name_or_alias) const {
  const std::string wanted = normalize_preset_name(name_or_alias);
  if (wanted.empty()) return nullptr;
  for (const Preset& preset : presets_) {
    const std::vector<std::string> names = normalized_names(preset);
    if (std::find(names.begin(), names.end(), wanted) != names.end()) return &preset;
  }
  return nullptr;
}

Preset PresetLibrary::resolve(std::string_view configuration) const {
  if (is_mes_preset(configuration)) return parse_mes_preset(configuration, "inline");
  if (is_inline_preset(configuration)) {
    Preset preset = parse_preset_yaml(configuration, "inline");
    if (!preset.unsupported.empty()) throw unsupported_error(preset);
    return preset;
  }
  if (const Preset* preset = find(configuration)) {
    if (!preset->unsupported.empty()) throw unsupported_error(*preset);
    return *preset;
  }
  if (normalize_preset_name(configuration).empty()) {
    throw PresetError("", 0, "",
                      "no preset named: the Configuration is empty; give a preset name or an "
                      "inline YAML preset");
  }
  throw PresetError("", 0, "", unknown_preset_message(configuration, all()));
}

std::vector<const Preset*> PresetLibrary::all() const {
  std::vector<const Preset*> sorted;
  for (const Preset& preset : presets_) sorted.push_back(&preset);
  std::sort(sorted.begin(), sorted.end(),
            [](const Preset* a, const Preset* b) { return a->name < b->name; });
  return sorted;
}

fs::path installed_preset_dir(const fs::path& executable) {
  return (executable.parent_path() / MW_PRESET_DIR_FROM_BINDIR).lexically_normal();
}

fs::path default_preset_dir() {
  if (const char* dir = std::getenv("MEDIAWORKER_PRESET_DIR"); dir && *dir) return dir;
  std::error_code error;
  // proc(5): the symbolic link to the running executable, with any symbolic link on the way
  // resolved (so a /usr/local/bin/mediaworker linked to /opt/mw/bin/mediaworker reads /opt/mw's).
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (error) return MW_SOURCE_PRESET_DIR;  // no /proc: only a build-tree run can tell its folder
  const fs::path installed = installed_preset_dir(executable);
  if (fs::is_directory(installed, error)) return installed;
  if (fs::is_directory(MW_SOURCE_PRESET_DIR, error)) return MW_SOURCE_PRESET_DIR;
  return installed;
}

}  // namespace mw::presets
