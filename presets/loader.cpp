#include "presets/loader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "presets/library.hpp"
#include "presets/format_rules.hpp"
#include "presets/mes_preset.hpp"
#include "presets/preset_error.hpp"
#include "presets/text_values.hpp"


namespace mw::presets {

namespace {

using namespace format;
using text_values::parse_clock_time;
using text_values::parse_number;

// ---------------------------------------------------------------------------------------------
// Plain number parsing for the value forms that are not YAML numbers ("30000/1001", "00:00:02").


// ---------------------------------------------------------------------------------------------
// Reading YAML nodes with their place, so every error names the file, line and key.

/// 1-based line of a yaml-cpp mark (which counts from 0), or 0 for a node without one.
int line_of(const YAML::Mark& mark) {
  return mark.is_null() ? 0 : mark.line + 1;
}

/// Where a written value sits.
struct Place {
  std::string_view file;
  std::string key;  ///< dotted key path, e.g. "video.layers[0].bitrate"; "" for the root
  int line = 0;     ///< 1-based
};

[[noreturn]] void fail(const Place& at, std::string message) {
  throw PresetError(std::string(at.file), at.line, at.key, std::move(message));
}

/// One written value and its place.
struct Value {
  YAML::Node node;
  Place place;
};

/// The dotted path of `key` inside the mapping at `parent`.
std::string child_key(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

/// How a value reads in an error message: 'fast', a list, a mapping or an empty value.
std::string shown(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an empty value";
  }
}

[[noreturn]] void fail_type(const Value& value, std::string_view expected) {
  fail(value.place, "expected " + std::string(expected) + ", found " + shown(value.node));
}

/// A mapping of the preset (the root, `video`, a layer, `audio`, an output), checked once for
/// keys it may not hold, so that a misspelt key is an error rather than a silent default.
class Section {
 public:
  /// @throws PresetError if `value` is not a mapping, or holds a key twice or a key not in `keys`
  Section(const Value& value, std::span<const std::string_view> keys) : place_(value.place) {
    if (!value.node.IsMap()) fail_type(value, "a mapping of " + join_texts(keys));
    for (const auto& entry : value.node) {
      const YAML::Node& key_node = entry.first;
      const std::string& name = key_node.Scalar();
      const Place at{place_.file, child_key(place_.key, name), line_of(key_node.Mark())};
      if (!key_node.IsScalar() || name.empty()) fail(at, "keys must be plain names");
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        fail(at, "unknown key '" + name + "'; allowed here: " + join_texts(keys));
      }
      if (find(name)) fail(at, "key '" + name + "' is written twice");
      entries_.push_back({entry.second, at});
    }
  }

  /// The value of `key`, or nullopt when it is not written.
  std::optional<Value> find(std::string_view key) const {
    const std::string path = child_key(place_.key, key);
    for (const Value& entry : entries_) {
      if (entry.place.key == path) return entry;
    }
    return std::nullopt;
  }

  /// Reads `key` with `read` into `out` when it is written; `out` keeps its default otherwise.
  template <typename T, typename Reader>
  void optional(std::string_view key, T& out, Reader read) const {
    if (const auto value = find(key)) out = read(*value);
  }

  /// Reads `key` with `read`. @throws PresetError if the key is not written
  template <typename Reader>
  auto required(std::string_view key, Reader read) const {
    const auto value = find(key);
    if (!value) {
      fail({place_.file, child_key(place_.key, key), place_.line}, "required key is missing");
    }
    return read(*value);
  }

 private:
  Place place_;
  std::vector<Value> entries_;
};

const std::string& read_scalar(const Value& value, std::string_view expected) {
  if (!value.node.IsScalar()) fail_type(value, expected);
  return value.node.Scalar();
}

std::string read_string(const Value& value) {
  return read_scalar(value, "a string");
}

int read_int(const Value& value) {
  int out = 0;
  if (!value.node.IsScalar() || !YAML::convert<int>::decode(value.node, out)) {
    fail_type(value, "an integer");
  }
  return out;
}

bool read_bool(const Value& value) {
  bool out = false;
  if (!value.node.IsScalar() || !YAML::convert<bool>::decode(value.node, out)) {
    fail_type(value, "true or false");
  }
  return out;
}

/// Seconds, written as a number (2, 0.5) or as xs:time (00:00:02) as MES writes them.
double read_seconds(const Value& value) {
  constexpr std::string_view kExpected = "seconds as a number (2, 0.5) or HH:MM:SS (00:00:02)";
  const std::string& text = read_scalar(value, kExpected);
  double seconds = 0;
  if (YAML::convert<double>::decode(value.node, seconds) && std::isfinite(seconds)) return seconds;
  if (const auto clock = parse_clock_time(text)) return *clock;
  fail_type(value, kExpected);
}

/// "source", a whole number of frames per second, or a fraction such as 30000/1001.
FrameRate read_frame_rate(const Value& value) {
  constexpr std::string_view kExpected = "source, a whole number (25) or a fraction (30000/1001)";
  const std::string_view text = read_scalar(value, kExpected);
  if (text == "source") return {};
  FrameRate rate;
  const auto slash = text.find('/');
  if (!parse_number(text.substr(0, slash), rate.num) ||
      (slash != std::string_view::npos && !parse_number(text.substr(slash + 1), rate.den))) {
    fail_type(value, kExpected);
  }
  return rate;
}

/// "auto" (stored as "") or an H.264 level; validate_preset checks the level.
std::string read_level(const Value& value) {
  std::string level = read_scalar(value, "auto or an H.264 level such as 3.1");
  return level == "auto" ? std::string() : level;
}

/// One of the YAML spellings in `kChoices`.
template <const auto& kChoices>
auto read_choice(const Value& value) {
  const std::string expected =
      "one of " + join(kChoices, [](const auto& choice) { return choice.text; });
  const std::string& text = read_scalar(value, expected);
  for (const auto& choice : kChoices) {
    if (choice.text == text) return choice.value;
  }
  fail_type(value, expected);
}

/// A list whose items each read with `kRead`; items are named "key[i]".
template <auto kRead>
auto read_list(const Value& value) {
  if (!value.node.IsSequence()) fail_type(value, "a list");
  std::vector<decltype(kRead(value))> items;
  for (std::size_t i = 0; i < value.node.size(); ++i) {
    const YAML::Node item = value.node[i];
    const int line = line_of(item.Mark());  // 0 for an empty item: use the list's line
    items.push_back(kRead(Value{item,
                                {value.place.file, value.place.key + "[" + std::to_string(i) + "]",
                                 line ? line : value.place.line}}));
  }
  return items;
}

/// A YAML number (may be negative or have a fraction).
double read_double(const Value& value) {
  double out = 0;
  if (!value.node.IsScalar() || !YAML::convert<double>::decode(value.node, out) ||
      !std::isfinite(out)) {
    fail_type(value, "a number");
  }
  return out;
}

/// A picture size: whole pixels (1280) or a percent of the source ("100%", MES Width/Height).
struct SizeValue {
  int pixels = 0;
  int percent = 0;  ///< 1..100 when written as a percent
};

SizeValue read_size(const Value& value) {
  constexpr std::string_view kExpected = "pixels (1280) or a percent of the source (\"100%\")";
  const std::string_view text = read_scalar(value, kExpected);
  if (text.ends_with('%')) {
    int percent = 0;
    if (!parse_number(text.substr(0, text.size() - 1), percent)) fail_type(value, kExpected);
    if (percent < 1) fail(value.place, std::string(text) + " is out of range; allowed 1%..100%");
    return {0, percent};
  }
  int pixels = 0;
  if (!YAML::convert<int>::decode(value.node, pixels)) fail_type(value, kExpected);
  return {pixels, 0};
}

/// Reads the size at `key` (when written) into a pixel field and a percent field.
void read_size_into(const Section& section, std::string_view key, int& pixels, int& percent,
                    bool required) {
  const auto value = section.find(key);
  if (!value) {
    if (required) section.required(key, read_size);  // throws "required key is missing"
    return;
  }
  const SizeValue size = read_size(*value);
  pixels = size.pixels;
  percent = size.percent;
}

/// A thumbnail time (MES Start/Step/Range): a frame number (120), a percent of the duration
/// ("15%"), a time (00:01:00), seconds ("5s", "2.5s"), or for Start the macro "{Best}".
ImagePosition read_position(const Value& value, bool allow_best) {
  const std::string expected =
      std::string("a frame number (120), a percent (\"15%\"), a time (00:01:00) or seconds "
                  "(\"5s\")") +
      (allow_best ? " or \"{Best}\"" : "");
  const std::string_view text = read_scalar(value, expected);
  ImagePosition position;
  int frame = 0;
  if (allow_best && text == "{Best}") return position;
  if (text.ends_with('%') && parse_number(text.substr(0, text.size() - 1), position.value)) {
    position.unit = ImagePosition::Unit::Percent;
  } else if (text.ends_with('s') && parse_number(text.substr(0, text.size() - 1), position.value)) {
    position.unit = ImagePosition::Unit::Seconds;
  } else if (const auto clock = parse_clock_time(text)) {
    position = {ImagePosition::Unit::Seconds, *clock};
  } else if (parse_number(text, frame)) {
    position = {ImagePosition::Unit::Frame, static_cast<double>(frame)};
  } else {
    fail_type(value, expected);
  }
  return position;
}

ImagePosition read_start(const Value& value) { return read_position(value, true); }
ImagePosition read_step(const Value& value) { return read_position(value, false); }

// ---------------------------------------------------------------------------------------------
// The preset format (docs/presets.md). Each reader lists the keys of its mapping once.

constexpr std::string_view kLayerKeys[] = {
    "width",        "height", "bitrate",   "max_bitrate",      "buffer_window",
    "profile",      "level",  "b_frames",  "reference_frames", "adaptive_b_frames",
    "entropy_mode", "slices", "frame_rate"};

VideoLayer read_layer(const Value& value) {
  const Section section(value, kLayerKeys);
  VideoLayer layer;
  read_size_into(section, "width", layer.width, layer.width_percent, true);
  read_size_into(section, "height", layer.height, layer.height_percent, true);
  layer.bitrate_kbps = section.required("bitrate", read_int);
  section.optional("max_bitrate", layer.max_bitrate_kbps, read_int);
  section.optional("buffer_window", layer.buffer_window_s, read_seconds);
  section.optional("profile", layer.profile, read_choice<kProfiles>);
  section.optional("level", layer.level, read_level);
  section.optional("b_frames", layer.b_frames, read_int);
  section.optional("reference_frames", layer.reference_frames, read_int);
  section.optional("adaptive_b_frames", layer.adaptive_b_frames, read_bool);
  section.optional("entropy_mode", layer.entropy, read_choice<kEntropyModes>);
  section.optional("slices", layer.slices, read_int);
  section.optional("frame_rate", layer.frame_rate, read_frame_rate);
  return layer;
}

constexpr std::string_view kVideoKeys[] = {
    "keyframe_interval", "scene_change_detection", "complexity", "stretch_mode", "orientation",
    "allow_upscale",     "condition",              "ladder",     "layers"};

VideoCodec read_video(const Value& value) {
  const Section section(value, kVideoKeys);
  VideoCodec video;
  section.optional("keyframe_interval", video.keyframe_interval_s, read_seconds);
  section.optional("scene_change_detection", video.scene_change_detection, read_bool);
  section.optional("complexity", video.complexity, read_choice<kComplexities>);
  section.optional("stretch_mode", video.stretch, read_choice<kStretchModes>);
  section.optional("orientation", video.orientation, read_choice<kOrientations>);
  section.optional("allow_upscale", video.allow_upscale, read_bool);
  section.optional("condition", video.condition, read_choice<kVideoConditions>);
  section.optional("ladder", video.ladder, read_choice<kLadderModes>);
  // Required for a fixed ladder, absent for content_adaptive: validate_preset says which.
  section.optional("layers", video.layers, read_list<read_layer>);
  return video;
}

constexpr std::string_view kLoudnessKeys[] = {"integrated", "true_peak", "loudness_range"};

Loudness read_loudness(const Value& value) {
  const Section section(value, kLoudnessKeys);
  Loudness loudness;
  section.optional("integrated", loudness.integrated_lufs, read_double);
  section.optional("true_peak", loudness.true_peak_dbtp, read_double);
  section.optional("loudness_range", loudness.loudness_range_lu, read_double);
  return loudness;
}

constexpr std::string_view kAudioKeys[] = {"profile", "channels",
                                           "sampling_rate", "bitrate",
                                           "insert_silence_if_no_audio", "loudness"};

AudioCodec read_audio(const Value& value) {
  const Section section(value, kAudioKeys);
  AudioCodec audio;
  section.optional("profile", audio.profile, read_choice<kAacProfiles>);
  section.optional("channels", audio.channels, read_int);
  section.optional("sampling_rate", audio.sampling_rate, read_int);
  section.optional("bitrate", audio.bitrate_kbps, read_int);
  section.optional("insert_silence_if_no_audio", audio.insert_silence_if_no_audio, read_bool);
  section.optional("loudness", audio.loudness, read_loudness);
  return audio;
}

constexpr std::string_view kImageLayerKeys[] = {"width", "height", "quality"};

ImageLayer read_image_layer(const Value& value) {
  const Section section(value, kImageLayerKeys);
  ImageLayer layer;
  read_size_into(section, "width", layer.width, layer.width_percent, false);
  read_size_into(section, "height", layer.height, layer.height_percent, false);
  section.optional("quality", layer.quality, read_int);
  return layer;
}

constexpr std::string_view kImageKeys[] = {"format", "start",          "step",
                                           "range",  "sprite_columns", "layers"};

ImageCodec read_image(const Value& value) {
  const Section section(value, kImageKeys);
  ImageCodec image;
  image.format = section.required("format", read_choice<kImageFormats>);
  section.optional("start", image.start, read_start);
  section.optional("step", image.step, read_step);
  section.optional("range", image.range, read_step);
  section.optional("sprite_columns", image.sprite_columns, read_int);
  image.layers = section.required("layers", read_list<read_image_layer>);
  return image;
}

constexpr std::string_view kSourceKeys[] = {"asset_id", "start_time", "duration"};

Source read_source(const Value& value) {
  const Section section(value, kSourceKeys);
  Source source;
  section.optional("asset_id", source.asset_id, read_string);
  section.optional("start_time", source.start_s, read_seconds);
  section.optional("duration", source.duration_s, read_seconds);
  return source;
}

constexpr std::string_view kCropKeys[] = {"x", "y", "width", "height"};

Crop read_crop(const Value& value) {
  const Section section(value, kCropKeys);
  Crop crop;
  crop.x = section.required("x", read_int);
  crop.y = section.required("y", read_int);
  crop.width = section.required("width", read_int);
  crop.height = section.required("height", read_int);
  return crop;
}

constexpr std::string_view kFilterKeys[] = {"deinterlace", "rotation", "crop"};

Filters read_filters(const Value& value) {
  const Section section(value, kFilterKeys);
  Filters filters;
  section.optional("deinterlace", filters.deinterlace, read_choice<kDeinterlaceModes>);
  section.optional("rotation", filters.rotation, read_choice<kRotations>);
  section.optional("crop", filters.crop, read_crop);
  return filters;
}

constexpr std::string_view kOutputKeys[] = {"file_name", "format", "streams", "audio_bitrate", "segment_duration",
                                            "manifest_name"};

Output read_output(const Value& value) {
  const Section section(value, kOutputKeys);
  Output output;
  output.file_name = section.required("file_name", read_string);
  section.optional("format", output.format, read_choice<kOutputFormats>);
  section.optional("streams", output.streams, read_choice<kOutputStreams>);
  section.optional("audio_bitrate", output.audio_bitrate_kbps, read_int);
  section.optional("segment_duration", output.segment_duration_s, read_seconds);
  section.optional("manifest_name", output.manifest_name, read_string);
  return output;
}

constexpr std::string_view kPresetKeys[] = {
    "name",   "aliases", "description", "source",  "unsupported", "use_instead",
    "video",  "audio",   "images",      "sources", "filters",     "outputs"};

Preset read_preset(const Value& value) {
  const Section section(value, kPresetKeys);
  Preset preset;
  preset.name = section.required("name", read_string);
  section.optional("aliases", preset.aliases, read_list<read_string>);
  section.optional("description", preset.description, read_string);
  section.optional("source", preset.source, read_string);
  section.optional("unsupported", preset.unsupported, read_string);
  section.optional("use_instead", preset.use_instead, read_string);
  section.optional("video", preset.video, read_video);
  section.optional("audio", preset.audio, read_audio);
  section.optional("images", preset.images, read_list<read_image>);
  section.optional("sources", preset.sources, read_list<read_source>);
  section.optional("filters", preset.filters, read_filters);
  // An unsupported preset encodes nothing: it has no outputs (validate_preset checks that).
  if (section.find("unsupported")) {
    section.optional("outputs", preset.outputs, read_list<read_output>);
  } else {
    preset.outputs = section.required("outputs", read_list<read_output>);
  }
  return preset;
}

/// The one YAML document of `text`. @throws PresetError for a syntax error, none or several
YAML::Node load_document(std::string_view text, const std::string& origin) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& error) {
    // yaml-cpp's own message for this is "bad file".
    throw PresetError(origin, line_of(error.mark), "",
                      "invalid YAML: nested " + std::to_string(error.depth()) +
                          " collections deep; a preset nests at most 4");
  } catch (const YAML::Exception& error) {
    throw PresetError(origin, line_of(error.mark), "", "invalid YAML: " + error.msg);
  }
  if (documents.empty()) throw PresetError(origin, 0, "", "empty preset: no YAML document");
  if (documents.size() > 1) {
    throw PresetError(origin, line_of(documents[1].Mark()), "",
                      "a preset is one YAML document; found a second one");
  }
  return documents.front();
}

/// The line where `key` (a dotted path such as "video.layers[0].bitrate") is written in `node`,
/// else that of its nearest written ancestor; 0 when not even the first part is written.
int line_of_key(const YAML::Node& node, std::string_view key) {
  if (key.empty()) return 0;
  if (key.front() == '[') {
    const auto close = key.find(']');
    std::size_t index = 0;
    if (close == std::string_view::npos || !parse_number(key.substr(1, close - 1), index) ||
        !node.IsSequence() || index >= node.size()) {
      return 0;
    }
    const YAML::Node item = node[index];
    std::string_view rest = key.substr(close + 1);
    if (rest.starts_with('.')) rest.remove_prefix(1);
    const int deeper = line_of_key(item, rest);
    return deeper ? deeper : line_of(item.Mark());
  }
  if (!node.IsMap()) return 0;
  const auto end = std::min(key.find_first_of(".["), key.size());
  const std::string_view name = key.substr(0, end);
  std::string_view rest = key.substr(end);
  if (rest.starts_with('.')) rest.remove_prefix(1);
  for (const auto& entry : node) {
    if (entry.first.Scalar() == name) {
      const int deeper = line_of_key(entry.second, rest);
      return deeper ? deeper : line_of(entry.first.Mark());
    }
  }
  return 0;
}

}  // namespace

Preset load_preset_file(const std::filesystem::path& path) {
  const std::string origin = path.string();
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw PresetError(origin, 0, "", "is a folder, not a preset file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw PresetError(origin, 0, "", "cannot open: " + std::generic_category().message(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw PresetError(origin, 0, "", "cannot read the file");
  if (path.extension() == ".json" || path.extension() == ".xml") {
    return parse_mes_preset(text.str(), origin);  // an MES custom preset (docs/mes-presets.md)
  }
  return parse_preset_yaml(text.str(), origin);
}

Preset parse_preset_yaml(std::string_view text, std::string_view origin_name) {
  const std::string origin(origin_name);
  const YAML::Node root = load_document(text, origin);
  const int root_line = line_of(root.Mark());
  Preset preset = read_preset(Value{root, {origin, "", root_line}});
  preset.origin = origin;
  try {
    validate_preset(preset);
  } catch (const PresetError& error) {
    const int line = line_of_key(root, error.key());
    throw PresetError(origin, line ? line : root_line, error.key(), error.message());
  }
  return preset;
}

}  // namespace mw::presets
