#pragma once
// Internal to the MES preset reader (mes_preset.cpp: the document, the codecs;
// mes_preset_outputs.cpp: images, sources, filters, outputs, validation): the text helpers, the
// MES enum spellings and the Translator that turns an mes::Node document into a Preset
// (AMS-V2-REFERENCE.md §8). Not part of the presets library's interface.


#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "presets/loader.hpp"
#include "presets/mes_document.hpp"
#include "presets/preset_error.hpp"
#include "presets/text_values.hpp"

namespace mw::presets::mes_translation {

using mes::Form;
using mes::Node;

// ---------------------------------------------------------------------------------------------
// Text helpers

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

inline std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

inline std::string join(std::span<const std::string_view> names) {
  std::string joined;
  for (const std::string_view name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

/// Parses all of `text` as a number of type T (no sign for unsigned use; from_chars rules).
template <typename T>
inline bool parse_all(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

/// A non-negative decimal number (digits first, finite).
inline bool parse_decimal(std::string_view text, double& out) { return text_values::parse_number(text, out); }


/// xs:duration with days, hours, minutes and seconds ("PT4S", "PT1M30.5S", "P1DT2H"); years and
/// months have no fixed length and are refused.
inline std::optional<double> parse_xs_duration(std::string_view text) {
  if (!text.starts_with('P') || text.size() < 2) return std::nullopt;
  text.remove_prefix(1);
  double total = 0;
  bool in_time = false;
  bool any = false;
  std::string_view units = "D";  // the designators still allowed, in order
  while (!text.empty()) {
    if (text.front() == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      units = "HMS";
      text.remove_prefix(1);
      if (text.empty()) return std::nullopt;
      continue;
    }
    std::size_t length = 0;
    while (length < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[length])) || text[length] == '.')) {
      ++length;
    }
    if (length == 0 || length == text.size()) return std::nullopt;
    double value = 0;
    if (!parse_decimal(text.substr(0, length), value)) return std::nullopt;
    const char unit = text[length];
    const auto at = units.find(unit);
    if (at == std::string_view::npos) return std::nullopt;
    if (unit != 'S' && value != std::floor(value)) return std::nullopt;
    total += value * (unit == 'D' ? 86400 : unit == 'H' ? 3600 : unit == 'M' ? 60 : 1);
    units.remove_prefix(at + 1);
    text.remove_prefix(length + 1);
    any = true;
  }
  return any ? std::optional(total) : std::nullopt;
}

/// A time written as xs:time or xs:duration: MES JSON writes "00:00:04", MES XML "PT4S" for
/// Sources, and both forms appear in the docs' samples, so both are read everywhere.
inline std::optional<double> parse_time(std::string_view text) {
  text = trim(text);
  if (auto seconds = text_values::parse_clock_time(text)) return seconds;
  return parse_xs_duration(text);
}


// ---------------------------------------------------------------------------------------------
// Enum spellings of the MES schema (AMS-V2-REFERENCE.md §8). Compared ignoring case, as MES's
// JSON reader did.

template <typename E>
struct Choice {
  std::string_view text;
  E value;
};

inline constexpr Choice<Complexity> kComplexities[] = {{"Speed", Complexity::Speed},
                                                {"Balanced", Complexity::Balanced},
                                                {"Quality", Complexity::Quality}};
inline constexpr Choice<StretchMode> kStretchModes[] = {{"AutoSize", StretchMode::AutoSize},
                                                 {"AutoFit", StretchMode::AutoFit},
                                                 {"None", StretchMode::None}};
inline constexpr Choice<VideoCondition> kVideoConditions[] = {
    {"InsertBlackIfNoVideo", VideoCondition::InsertBlackIfNoVideo},
    {"InsertBlackIfNoVideoBottomLayerOnly", VideoCondition::InsertBlackIfNoVideoBottomLayerOnly}};
inline constexpr Choice<H264Profile> kProfiles[] = {{"Auto", H264Profile::Auto},
                                             {"Baseline", H264Profile::Baseline},
                                             {"Main", H264Profile::Main},
                                             {"High", H264Profile::High}};
inline constexpr Choice<EntropyMode> kEntropyModes[] = {{"Cabac", EntropyMode::Cabac},
                                                 {"Cavlc", EntropyMode::Cavlc}};
inline constexpr Choice<AacProfile> kAacProfiles[] = {{"AACLC", AacProfile::AacLc},
                                               {"HEAACV1", AacProfile::HeAacV1},
                                               {"HEAACV2", AacProfile::HeAacV2}};
inline constexpr Choice<bool> kAudioConditions[] = {{"InsertSilenceIfNoAudio", true}};
inline constexpr Choice<OutputFormat> kOutputFormats[] = {{"MP4Format", OutputFormat::Mp4},
                                                   {"JpgFormat", OutputFormat::Jpg},
                                                   {"PngFormat", OutputFormat::Png},
                                                   {"BmpFormat", OutputFormat::Bmp}};
inline constexpr Choice<DeinterlaceMode> kDeinterlaceModes[] = {
    {"Off", DeinterlaceMode::Off}, {"AutoPixelAdaptive", DeinterlaceMode::Auto}};
inline constexpr Choice<Rotation> kRotations[] = {{"Auto", Rotation::Auto},
                                           {"0", Rotation::R0},
                                           {"90", Rotation::R90},
                                           {"180", Rotation::R180},
                                           {"270", Rotation::R270}};

/// The image codecs: codec Type, its layer list, layer Type and output format.
struct ImageKind {
  std::string_view codec;
  std::string_view layers;
  std::string_view layer;
  std::string_view format;
  OutputFormat value;
};
inline constexpr ImageKind kImageKinds[] = {
    {"JpgImage", "JpgLayers", "JpgLayer", "JpgFormat", OutputFormat::Jpg},
    {"PngImage", "PngLayers", "PngLayer", "PngFormat", OutputFormat::Png},
    {"BmpImage", "BmpLayers", "BmpLayer", "BmpFormat", OutputFormat::Bmp}};

inline constexpr std::string_view kCodecTypes[] = {"H264Video", "AACAudio", "JpgImage", "PngImage",
                                            "BmpImage"};

/// A field MES knows that mediaworker does not translate, and why.
struct Refusal {
  std::string_view field;
  std::string_view reason;
};

// ---------------------------------------------------------------------------------------------
// The translator

/// Where a model key came from, so that a validate_preset error names the MES field.
struct Place {
  std::string model_key;
  std::string path;
  int line = 0;
};

class Translator;

/// An object of the preset, checked once against the fields it may hold.
class Fields {
 public:
  /// @param allowed  the fields translated here
  /// @param refused  fields MES has that are refused here, with the reason
  Fields(const Translator& translator, const Node& node, std::span<const std::string_view> allowed,
         std::span<const Refusal> refused = {});

  /// The field `name`, or nullptr when it is not written (names compare ignoring case).
  const Node* find(std::string_view name) const {
    for (const auto& [key, value] : node_.fields) {
      if (iequals(key, name)) return &value;
    }
    return nullptr;
  }

  /// The field `name`. @throws PresetError "required field is missing" naming it
  const Node& required(std::string_view name, std::string_view hint = "") const;

  const Node& node() const { return node_; }

 private:
  const Translator& translator_;
  const Node& node_;
};

class Translator {
 public:
  Translator(std::string origin, Form form) : origin_(std::move(origin)), form_(form) {}

  Preset translate(const Node& root);
  void validate(const Preset& preset) const;

  [[noreturn]] void fail(const Node& at, std::string message) const {
    throw PresetError(origin_, at.line, at.path, std::move(message));
  }
  [[noreturn]] void fail(std::string path, int line, std::string message) const {
    throw PresetError(origin_, line, std::move(path), std::move(message));
  }

  /// How a value reads in a message: 'fast', 12, an object, a list.
  static std::string shown(const Node& node) {
    switch (node.kind) {
      case Node::Kind::Object:
        return "an object";
      case Node::Kind::Array:
        return "a list";
      case Node::Kind::String:
        return "'" + node.text + "'";
      default:
        return node.text;
    }
  }

  [[noreturn]] void fail_type(const Node& node, std::string_view expected) const {
    fail(node, "expected " + std::string(expected) + ", found " + shown(node));
  }

  /// A field name as the user's form writes it (the XML form's Codecs is <Encoding>).
  std::string_view display(std::string_view field) const {
    return form_ == Form::Xml && field == "Codecs" ? "Encoding" : field;
  }

 private:
  // Readers of one value.
  std::string read_string(const Node& node) const {
    if (node.kind != Node::Kind::String) fail_type(node, "a string");
    return node.text;
  }

  long long read_integer(const Node& node, std::string_view unit) const {
    const std::string expected =
        unit.empty() ? std::string("an integer") : "an integer " + std::string(unit);
    if (node.kind == Node::Kind::Number) {
      if (node.number == std::floor(node.number) && std::abs(node.number) < 1e15) {
        return static_cast<long long>(node.number);
      }
      fail_type(node, expected);
    }
    long long value = 0;
    // MES's JSON reader took numbers written as strings ("Width": "640" in the docs' samples).
    if (node.kind != Node::Kind::String || !parse_all(trim(node.text), value)) {
      fail_type(node, expected);
    }
    return value;
  }

  int read_int(const Node& node, std::string_view unit = "") const {
    const long long value = read_integer(node, unit);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      fail(node, node.text + " is out of range");
    }
    return static_cast<int>(value);
  }

  bool read_bool(const Node& node) const {
    if (node.kind == Node::Kind::Bool || node.kind == Node::Kind::String) {
      const std::string_view text = trim(node.text);
      // xs:boolean is true, false, 1 or 0; MES's JSON reader also took "true" as a string.
      if (iequals(text, "true") || text == "1") return true;
      if (iequals(text, "false") || text == "0") return false;
    }
    fail_type(node, "true or false");
  }

  double read_seconds(const Node& node) const {
    constexpr std::string_view kExpected = "a time as HH:MM:SS (00:00:02) or xs:duration (PT2S)";
    if (node.kind != Node::Kind::String) fail_type(node, kExpected);
    const auto seconds = parse_time(node.text);
    if (!seconds) fail_type(node, kExpected);
    return *seconds;
  }

  template <typename E, std::size_t N>
  E read_choice(const Node& node, const Choice<E> (&choices)[N]) const {
    std::string expected = "one of ";
    for (std::size_t i = 0; i < N; ++i) expected += (i ? ", " : "") + std::string(choices[i].text);
    if (node.kind == Node::Kind::String || node.kind == Node::Kind::Number) {
      for (const Choice<E>& choice : choices) {
        if (iequals(trim(node.text), choice.text)) return choice.value;
      }
    }
    fail_type(node, expected);
  }

  /// Width or Height: pixels (640, "640") or a percent of the source ("100%", 1-100).
  void read_size(const Node& node, int& pixels, int& percent) const {
    if (node.kind == Node::Kind::String && trim(node.text).ends_with('%')) {
      std::string_view text = trim(node.text);
      text.remove_suffix(1);
      int value = 0;
      if (!parse_all(text, value) || value < 1 || value > 100) {
        fail_type(node, "pixels or a whole percent of the source from 1% to 100%");
      }
      percent = value;
      pixels = 0;
      return;
    }
    if (node.kind != Node::Kind::Number && node.kind != Node::Kind::String) {
      fail_type(node, "pixels or a percent such as \"100%\"");
    }
    pixels = read_int(node, "of pixels (or a percent such as \"100%\")");
    percent = 0;
  }

  FrameRate read_frame_rate(const Node& node) const {
    constexpr std::string_view kExpected =
        "a frame rate such as \"0/1\" (the source's), \"25/1\" or \"30000/1001\"";
    FrameRate rate;
    if (node.kind == Node::Kind::Number && node.integer && node.number >= 0) {
      rate.num = static_cast<int>(node.number);
      return rate;
    }
    if (node.kind != Node::Kind::String) fail_type(node, kExpected);
    const std::string_view text = trim(node.text);
    const auto slash = text.find('/');
    unsigned num = 0;
    unsigned den = 1;
    if (!parse_all(text.substr(0, slash), num) ||
        (slash != std::string_view::npos && !parse_all(text.substr(slash + 1), den)) ||
        num > 1000000 || den > 1000000) {
      fail_type(node, kExpected);
    }
    rate.num = static_cast<int>(num);
    rate.den = static_cast<int>(den);
    return rate;
  }

  /// Start, Step or Range of an image codec: a frame number ("120"), a percent of the duration
  /// ("15%"), a time ("00:01:00"), or for Start the macro "{Best}".
  ImagePosition read_position(const Node& node, bool allow_best) const {
    const std::string expected = std::string(
                                     "a frame number (120), a percent (15%) or a time "
                                     "(00:01:00)") +
                                 (allow_best ? " or {Best}" : "");
    ImagePosition position;
    if (node.kind == Node::Kind::Number && node.integer && node.number >= 0) {
      position.unit = ImagePosition::Unit::Frame;
      position.value = node.number;
      return position;
    }
    if (node.kind != Node::Kind::String) fail_type(node, expected);
    std::string_view text = trim(node.text);
    if (iequals(text, "{Best}")) {
      if (!allow_best) fail_type(node, expected);
      return position;  // Unit::Best
    }
    unsigned long frame = 0;
    if (parse_all(text, frame)) {
      position.unit = ImagePosition::Unit::Frame;
      position.value = static_cast<double>(frame);
      return position;
    }
    if (text.ends_with('%')) {
      text.remove_suffix(1);
      double percent = 0;
      if (!parse_decimal(text, percent) || percent > 100) {
        fail_type(node, "a percent of the duration from 0% to 100%");
      }
      position.unit = ImagePosition::Unit::Percent;
      position.value = percent;
      return position;
    }
    const auto seconds = parse_time(text);
    if (!seconds) fail_type(node, expected);
    position.unit = ImagePosition::Unit::Seconds;
    position.value = *seconds;
    return position;
  }

  /// A list: a JSON array, or an XML list element (an empty one is an empty list).
  const std::vector<Node>& read_list(const Node& node) const {
    static const std::vector<Node> kEmpty;
    if (node.is_empty_element()) return kEmpty;
    if (node.kind != Node::Kind::Array) fail_type(node, "a list");
    return node.items;
  }

  /// Remembers that the model key came from `node`.
  void place(std::string model_key, const Node& node) {
    places_.push_back({std::move(model_key), node.path, node.line});
  }

  // Translators of one section.
  void read_version(const Node& node) const;
  void read_codec(const Node& codec, Preset& preset);
  VideoCodec read_video(const Node& codec);
  VideoLayer read_video_layer(const Node& node, std::size_t index);
  AudioCodec read_audio(const Node& codec);
  ImageCodec read_image(const Node& codec, const ImageKind& kind, std::size_t image_index);
  ImageLayer read_image_layer(const Node& node, const ImageKind& kind, const std::string& key);
  void read_sources(const Node& node, Preset& preset);
  Filters read_filters(const Node& node);
  Output read_output(const Node& node, std::size_t index);
  void check_outputs(const Node& outputs_node, const Preset& preset,
                     const std::vector<const Node*>& output_nodes,
                     const std::vector<const Node*>& image_nodes) const;

  std::string origin_;
  Form form_;
  std::vector<Place> places_;
  bool stretch_written_ = false;
};

}  // namespace mw::presets::mes_translation
