#include "presets/mes_preset.hpp"

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

namespace mw::presets {

namespace {

using mes::Form;
using mes::Node;

// ---------------------------------------------------------------------------------------------
// Text helpers

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string join(std::span<const std::string_view> names) {
  std::string joined;
  for (const std::string_view name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

/// Parses all of `text` as a number of type T (no sign for unsigned use; from_chars rules).
template <typename T>
bool parse_all(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

/// A non-negative decimal number (digits first, finite).
bool parse_decimal(std::string_view text, double& out) { return text_values::parse_number(text, out); }


/// xs:duration with days, hours, minutes and seconds ("PT4S", "PT1M30.5S", "P1DT2H"); years and
/// months have no fixed length and are refused.
std::optional<double> parse_xs_duration(std::string_view text) {
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
std::optional<double> parse_time(std::string_view text) {
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

constexpr Choice<Complexity> kComplexities[] = {{"Speed", Complexity::Speed},
                                                {"Balanced", Complexity::Balanced},
                                                {"Quality", Complexity::Quality}};
constexpr Choice<StretchMode> kStretchModes[] = {{"AutoSize", StretchMode::AutoSize},
                                                 {"AutoFit", StretchMode::AutoFit},
                                                 {"None", StretchMode::None}};
constexpr Choice<VideoCondition> kVideoConditions[] = {
    {"InsertBlackIfNoVideo", VideoCondition::InsertBlackIfNoVideo},
    {"InsertBlackIfNoVideoBottomLayerOnly", VideoCondition::InsertBlackIfNoVideoBottomLayerOnly}};
constexpr Choice<H264Profile> kProfiles[] = {{"Auto", H264Profile::Auto},
                                             {"Baseline", H264Profile::Baseline},
                                             {"Main", H264Profile::Main},
                                             {"High", H264Profile::High}};
constexpr Choice<EntropyMode> kEntropyModes[] = {{"Cabac", EntropyMode::Cabac},
                                                 {"Cavlc", EntropyMode::Cavlc}};
constexpr Choice<AacProfile> kAacProfiles[] = {{"AACLC", AacProfile::AacLc},
                                               {"HEAACV1", AacProfile::HeAacV1},
                                               {"HEAACV2", AacProfile::HeAacV2}};
constexpr Choice<bool> kAudioConditions[] = {{"InsertSilenceIfNoAudio", true}};
constexpr Choice<OutputFormat> kOutputFormats[] = {{"MP4Format", OutputFormat::Mp4},
                                                   {"JpgFormat", OutputFormat::Jpg},
                                                   {"PngFormat", OutputFormat::Png},
                                                   {"BmpFormat", OutputFormat::Bmp}};
constexpr Choice<DeinterlaceMode> kDeinterlaceModes[] = {
    {"Off", DeinterlaceMode::Off}, {"AutoPixelAdaptive", DeinterlaceMode::Auto}};
constexpr Choice<Rotation> kRotations[] = {{"Auto", Rotation::Auto},
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
constexpr ImageKind kImageKinds[] = {
    {"JpgImage", "JpgLayers", "JpgLayer", "JpgFormat", OutputFormat::Jpg},
    {"PngImage", "PngLayers", "PngLayer", "PngFormat", OutputFormat::Png},
    {"BmpImage", "BmpLayers", "BmpLayer", "BmpFormat", OutputFormat::Bmp}};

constexpr std::string_view kCodecTypes[] = {"H264Video", "AACAudio", "JpgImage", "PngImage",
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

Fields::Fields(const Translator& translator, const Node& node,
               std::span<const std::string_view> allowed, std::span<const Refusal> refused)
    : translator_(translator), node_(node) {
  if (node.is_empty_element()) return;  // <Deinterlace /> reads as an empty object
  if (node.kind != Node::Kind::Object) {
    std::string names;
    for (const std::string_view name : allowed) {
      if (!names.empty()) names += ", ";
      names += translator.display(name);
    }
    translator.fail_type(node, "an object with " + names);
  }
  for (const auto& [name, value] : node.fields) {
    for (const Refusal& refusal : refused) {
      if (iequals(name, refusal.field)) translator.fail(value, std::string(refusal.reason));
    }
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](std::string_view known) { return iequals(known, name); })) {
      std::string names;
      for (const std::string_view known : allowed) {
        if (!names.empty()) names += ", ";
        names += translator.display(known);
      }
      translator.fail(value, "unknown field '" + name + "'; allowed here: " + names);
    }
  }
}

const Node& Fields::required(std::string_view name, std::string_view hint) const {
  if (const Node* value = find(name)) return *value;
  translator_.fail(node_.child_path(translator_.display(name)), node_.line,
                   "required field is missing" + (hint.empty() ? "" : "; " + std::string(hint)));
}

// ---- Preset --------------------------------------------------------------------------------

constexpr std::string_view kPresetFields[] = {"Version", "Description", "Sources",
                                              "Codecs",  "Outputs",     "StretchMode"};

void Translator::read_version(const Node& node) const {
  double version = 0;
  if (node.kind == Node::Kind::Number) {
    version = node.number;
  } else if (node.kind != Node::Kind::String || !parse_decimal(trim(node.text), version)) {
    fail_type(node, "the preset version 1.0");
  }
  if (version < 1.0) {
    fail(node, node.text + " is below the minimum 1.0 (MES: Version is xs:decimal, at least 1)");
  }
  if (version != 1.0) {
    fail(node,
         node.text + " is not a Media Encoder Standard preset version; the schema has 1.0 only");
  }
}

Preset Translator::translate(const Node& root) {
  const Fields fields(*this, root, kPresetFields);
  Preset preset;
  preset.origin = origin_;
  read_version(fields.required("Version", "write \"Version\": 1.0 (XML: Version=\"1.0\")"));
  const std::string form_name = form_ == Form::Json ? "JSON" : "XML";
  preset.source = "Media Encoder Standard custom preset (" + form_name +
                  "), translated as docs/mes-presets.md describes";
  if (const Node* description = fields.find("Description")) {
    preset.name = read_string(*description);
    preset.description = preset.name;
    place("name", *description);
  } else if (origin_ == "inline") {
    preset.name = "inline MES " + form_name + " preset";
  } else {
    // The file stem: a name users can type as a Configuration once the file is in a preset
    // folder (unique there, since a folder's names must be).
    preset.name = std::filesystem::path(origin_).stem().string();
  }
  if (const Node* sources = fields.find("Sources")) read_sources(*sources, preset);

  const Node& codecs = fields.required("Codecs");
  const std::vector<Node>& codec_nodes = read_list(codecs);
  if (codec_nodes.empty()) {
    fail(codecs, "at least one codec is required: " + join(kCodecTypes));
  }
  std::vector<const Node*> image_nodes;
  for (std::size_t i = 0; i < codec_nodes.size(); ++i) {
    const std::size_t images_before = preset.images.size();
    read_codec(codec_nodes[i], preset);
    if (preset.images.size() > images_before) image_nodes.push_back(&codec_nodes[i]);
  }

  if (const Node* stretch = fields.find("StretchMode")) {
    // The schema has StretchMode on the Preset; the samples put it in H264Video.
    if (!preset.video) fail(*stretch, "StretchMode applies to H264Video; this preset has none");
    const StretchMode mode = read_choice(*stretch, kStretchModes);
    if (stretch_written_ && mode != preset.video->stretch) {
      fail(*stretch, "differs from the StretchMode of H264Video; write it once");
    }
    preset.video->stretch = mode;
    place("video.stretch_mode", *stretch);
  }

  const Node& outputs = fields.required("Outputs");
  const std::vector<Node>& output_list = read_list(outputs);
  if (output_list.empty()) fail(outputs, "at least one Output is required");
  std::vector<const Node*> output_nodes;
  for (std::size_t i = 0; i < output_list.size(); ++i) {
    preset.outputs.push_back(read_output(output_list[i], i));
    output_nodes.push_back(&output_list[i]);
  }
  check_outputs(outputs, preset, output_nodes, image_nodes);
  return preset;
}

void Translator::read_codec(const Node& codec, Preset& preset) {
  if (codec.kind != Node::Kind::Object) fail_type(codec, "a codec object with a Type");
  const Node* type_node = nullptr;
  for (const auto& [name, value] : codec.fields) {
    if (iequals(name, "Type")) type_node = &value;
  }
  if (!type_node) {
    fail(codec.child_path("Type"), codec.line,
         "required field is missing; the codec Type is one of " + join(kCodecTypes));
  }
  const std::string type = read_string(*type_node);
  if (iequals(type, "H264Video")) {
    if (preset.video) fail(*type_node, "a second H264Video; a preset has one video codec");
    preset.video = read_video(codec);
    return;
  }
  if (iequals(type, "AACAudio")) {
    if (preset.audio) fail(*type_node, "a second AACAudio; a preset has one audio codec");
    preset.audio = read_audio(codec);
    return;
  }
  for (const ImageKind& kind : kImageKinds) {
    if (iequals(type, kind.codec)) {
      preset.images.push_back(read_image(codec, kind, preset.images.size()));
      return;
    }
  }
  if (iequals(type, "CopyVideo") || iequals(type, "CopyAudio")) {
    fail(*type_node, type +
                         " is not supported: mediaworker does not pass streams through; "
                         "encode them with " +
                         (iequals(type, "CopyVideo") ? "H264Video" : "AACAudio"));
  }
  fail(*type_node, "unknown codec Type '" + type + "'; allowed: " + join(kCodecTypes));
}

// ---- H264Video -----------------------------------------------------------------------------

constexpr std::string_view kVideoFields[] = {"Type",
                                             "KeyFrameInterval",
                                             "SceneChangeDetection",
                                             "Complexity",
                                             "TwoPass",
                                             "StretchMode",
                                             "PreserveResolutionAfterRotation",
                                             "Condition",
                                             "H264Layers",
                                             "Chapters"};
constexpr Refusal kVideoRefusals[] = {
    {"SyncMode",
     "not supported: MES reserves SyncMode (\"feature will be exposed in a future "
     "release\") and documents no value for it"},
    {"Start", "Start is a thumbnail position: it belongs to JpgImage, PngImage or BmpImage"},
    {"Step", "Step is a thumbnail position: it belongs to JpgImage, PngImage or BmpImage"},
    {"Range", "Range is a thumbnail position: it belongs to JpgImage, PngImage or BmpImage"}};

VideoCodec Translator::read_video(const Node& codec) {
  const Fields fields(*this, codec, kVideoFields, kVideoRefusals);
  place("video", codec);
  VideoCodec video;
  // MES's default: the box is meant for an unrotated picture; a rotated picture is turned and
  // fitted into the box as written. PreserveResolutionAfterRotation true turns the box with it.
  video.orientation = Orientation::Pinned;
  if (const Node* node = fields.find("KeyFrameInterval")) {
    video.keyframe_interval_s = read_seconds(*node);
    place("video.keyframe_interval", *node);
  }
  if (const Node* node = fields.find("SceneChangeDetection")) {
    video.scene_change_detection = read_bool(*node);
    place("video.scene_change_detection", *node);
  }
  if (const Node* node = fields.find("Complexity")) {
    video.complexity = read_choice(*node, kComplexities);
    place("video.complexity", *node);
  }
  if (const Node* node = fields.find("TwoPass"); node && read_bool(*node)) {
    fail(*node,
         "true is not supported: only one-pass encoding exists (MES: \"currently, only "
         "one-pass encoding is supported\")");
  }
  if (const Node* node = fields.find("StretchMode")) {
    video.stretch = read_choice(*node, kStretchModes);
    stretch_written_ = true;
    place("video.stretch_mode", *node);
  }
  if (const Node* node = fields.find("PreserveResolutionAfterRotation")) {
    video.orientation = read_bool(*node) ? Orientation::FollowSource : Orientation::Pinned;
    place("video.orientation", *node);
  }
  if (const Node* node = fields.find("Condition")) {
    video.condition = read_choice(*node, kVideoConditions);
    place("video.condition", *node);
  }
  if (const Node* node = fields.find("Chapters"); node && !read_list(*node).empty()) {
    fail(read_list(*node).front(), "chapters are not supported; leave Chapters empty");
  }
  const Node& layers = fields.required("H264Layers", "at least one H264Layer is needed");
  place("video.layers", layers);
  const std::vector<Node>& items = read_list(layers);
  if (items.empty()) fail(layers, "at least one H264Layer is required");
  for (std::size_t i = 0; i < items.size(); ++i)
    video.layers.push_back(read_video_layer(items[i], i));
  return video;
}

constexpr std::string_view kVideoLayerFields[] = {
    "Type",         "Profile",   "Level",          "Bitrate", "MaxBitrate",
    "BufferWindow", "Width",     "Height",         "BFrames", "ReferenceFrames",
    "EntropyMode",  "FrameRate", "AdaptiveBFrame", "Slices"};

VideoLayer Translator::read_video_layer(const Node& node, std::size_t index) {
  const Fields fields(*this, node, kVideoLayerFields);
  const std::string key = "video.layers[" + std::to_string(index) + "]";
  place(key, node);
  if (const Node* type = fields.find("Type"); type && !iequals(read_string(*type), "H264Layer")) {
    fail(*type, "an H264Layers item is an H264Layer; found '" + type->text + "'");
  }
  VideoLayer layer;
  const Node* width = fields.find("Width");
  const Node* height = fields.find("Height");
  if (!width && !height) {
    fail(node,
         "Width and Height are required (MES: \"you must specify both Width and Height\"); "
         "write \"100%\" for the source's size");
  }
  read_size(fields.required("Width", "MES needs both Width and Height"), layer.width,
            layer.width_percent);
  read_size(fields.required("Height", "MES needs both Width and Height"), layer.height,
            layer.height_percent);
  place(key + ".width", *width);
  place(key + ".height", *height);
  const Node& bitrate = fields.required("Bitrate", "the layer's average bitrate in kbps");
  layer.bitrate_kbps = read_int(bitrate, "kbps");
  place(key + ".bitrate", bitrate);
  if (const Node* value = fields.find("MaxBitrate")) {
    layer.max_bitrate_kbps = read_int(*value, "kbps");
    place(key + ".max_bitrate", *value);
  }
  if (const Node* value = fields.find("BufferWindow")) {
    layer.buffer_window_s = read_seconds(*value);
    place(key + ".buffer_window", *value);
  }
  if (const Node* value = fields.find("Profile")) {
    layer.profile = read_choice(*value, kProfiles);
    place(key + ".profile", *value);
  }
  if (const Node* value = fields.find("Level")) {
    if (value->kind != Node::Kind::String && value->kind != Node::Kind::Number) {
      fail_type(*value, "Auto or an H.264 level such as \"3.1\"");
    }
    std::string level(trim(value->text));
    // "4.0" is level 4 (H.264 Table A-1 writes 4; MES samples write both).
    if (level.size() > 2 && level.ends_with(".0")) level.resize(level.size() - 2);
    layer.level = iequals(level, "auto") ? std::string() : level;
    place(key + ".level", *value);
  }
  // H.264 Baseline has neither B-frames nor CABAC: MES's iOS presets leave BFrames and
  // EntropyMode out of their Baseline layers, so those default to 0 and Cavlc there.
  if (layer.profile == H264Profile::Baseline) {
    layer.b_frames = 0;
    layer.entropy = EntropyMode::Cavlc;
  }
  if (const Node* value = fields.find("BFrames")) {
    layer.b_frames = read_int(*value);
    place(key + ".b_frames", *value);
  }
  if (const Node* value = fields.find("ReferenceFrames")) {
    layer.reference_frames = read_int(*value);
    place(key + ".reference_frames", *value);
  }
  if (const Node* value = fields.find("EntropyMode")) {
    layer.entropy = read_choice(*value, kEntropyModes);
    place(key + ".entropy_mode", *value);
  }
  if (const Node* value = fields.find("FrameRate")) {
    layer.frame_rate = read_frame_rate(*value);
    place(key + ".frame_rate", *value);
  }
  if (const Node* value = fields.find("AdaptiveBFrame")) {
    layer.adaptive_b_frames = read_bool(*value);
    place(key + ".adaptive_b_frames", *value);
  }
  if (const Node* value = fields.find("Slices")) {
    layer.slices = read_int(*value);
    place(key + ".slices", *value);
  }
  return layer;
}

// ---- AACAudio ------------------------------------------------------------------------------

constexpr std::string_view kAudioFields[] = {"Type",         "Profile", "Channels",
                                             "SamplingRate", "Bitrate", "Condition"};

AudioCodec Translator::read_audio(const Node& codec) {
  const Fields fields(*this, codec, kAudioFields);
  place("audio", codec);
  AudioCodec audio;
  if (const Node* value = fields.find("Profile")) {
    audio.profile = read_choice(*value, kAacProfiles);
    place("audio.profile", *value);
  }
  if (const Node* value = fields.find("Channels")) {
    audio.channels = read_int(*value);
    place("audio.channels", *value);
  }
  if (const Node* value = fields.find("SamplingRate")) {
    audio.sampling_rate = read_int(*value, "Hz");
    place("audio.sampling_rate", *value);
  }
  if (const Node* value = fields.find("Bitrate")) {
    audio.bitrate_kbps = read_int(*value, "kbps");
    place("audio.bitrate", *value);
  }
  if (const Node* value = fields.find("Condition")) {
    audio.insert_silence_if_no_audio = read_choice(*value, kAudioConditions);
    place("audio.insert_silence_if_no_audio", *value);
  }
  return audio;
}

// ---- JpgImage, PngImage, BmpImage ----------------------------------------------------------

ImageCodec Translator::read_image(const Node& codec, const ImageKind& kind,
                                  std::size_t image_index) {
  std::vector<std::string_view> allowed{"Type", "Start", "Step", "Range", kind.layers};
  if (kind.value == OutputFormat::Jpg) allowed.push_back("SpriteColumn");
  std::vector<std::string> reasons;
  std::vector<Refusal> refused;
  reasons.reserve(std::size(kImageKinds) + 1);  // keeps the views into `reasons` valid
  for (const ImageKind& other : kImageKinds) {
    if (other.value == kind.value) continue;
    reasons.push_back(std::string(kind.codec) + " takes " + std::string(kind.layers) + ", not " +
                      std::string(other.layers));
    refused.push_back({other.layers, reasons.back()});
  }
  if (kind.value != OutputFormat::Jpg) {
    reasons.push_back("SpriteColumn is for JpgImage only (MES: a sprite is one JPEG grid)");
    refused.push_back({"SpriteColumn", reasons.back()});
  }
  refused.push_back({"PreserveResolutionAfterRotation",
                     "not supported on image codecs: thumbnails are taken from the displayed "
                     "picture (after Rotation)"});
  const Fields fields(*this, codec, allowed, refused);
  const std::string key = "images[" + std::to_string(image_index) + "]";
  place(key, codec);

  ImageCodec image;
  image.format = kind.value;
  const Node* start = fields.find("Start");
  const Node* step = fields.find("Step");
  const Node* range = fields.find("Range");
  if (start) {
    image.start = read_position(*start, true);
    place(key + ".start", *start);
  }
  if (image.start.unit == ImagePosition::Unit::Best && (step || range)) {
    fail(step ? *step : *range,
         "MES ignores Step and Range when Start is {Best} (the default); give Start as a frame "
         "number, a percent or a time, or remove Step and Range");
  }
  if (step) {
    image.step = read_position(*step, false);
    place(key + ".step", *step);
  }
  if (range) {
    image.range = read_position(*range, false);
    place(key + ".range", *range);
  }
  if (const Node* sprite = fields.find("SpriteColumn")) {
    image.sprite_columns = read_int(*sprite);
    place(key + ".sprite_columns", *sprite);
    if (image.sprite_columns < 0) fail(*sprite, "must be 1 or more (columns of the sprite grid)");
    if (image.sprite_columns > 0) {
      const auto by_frames = [](const ImagePosition& p) {
        return p.unit == ImagePosition::Unit::Frame || p.unit == ImagePosition::Unit::Best;
      };
      const Node* at = by_frames(image.start)                   ? (start ? start : sprite)
                       : image.step && by_frames(*image.step)   ? step
                       : image.range && by_frames(*image.range) ? range
                                                                : nullptr;
      if (at) {
        fail(*at,
             "a sprite needs Start, Step and Range as times (00:00:05) or percents (5%), "
             "not frame numbers or {Best} (MES)");
      }
    }
  }
  const Node& layers = fields.required(kind.layers);
  const std::vector<Node>& items = read_list(layers);
  if (items.empty()) fail(layers, "at least one " + std::string(kind.layer) + " is required");
  for (std::size_t i = 0; i < items.size(); ++i) {
    image.layers.push_back(
        read_image_layer(items[i], kind, key + ".layers[" + std::to_string(i) + "]"));
  }
  return image;
}

ImageLayer Translator::read_image_layer(const Node& node, const ImageKind& kind,
                                        const std::string& key) {
  std::vector<std::string_view> allowed{"Type", "Width", "Height"};
  if (kind.value == OutputFormat::Jpg) allowed.push_back("Quality");
  const Refusal refused[] = {
      {"Condition", "not supported: MES documents no value for an image layer's Condition"},
      {"Quality", "Quality is for JpgLayer only (PNG and BMP are lossless)"}};
  const Fields fields(*this, node, allowed,
                      std::span(refused).first(kind.value == OutputFormat::Jpg ? 1 : 2));
  place(key, node);
  if (const Node* type = fields.find("Type"); type && !iequals(read_string(*type), kind.layer)) {
    fail(*type, "a " + std::string(kind.layers) + " item is a " + std::string(kind.layer) +
                    "; found '" + type->text + "'");
  }
  ImageLayer layer;
  read_size(fields.required("Width", "MES needs both Width and Height (pixels or \"100%\")"),
            layer.width, layer.width_percent);
  read_size(fields.required("Height", "MES needs both Width and Height (pixels or \"100%\")"),
            layer.height, layer.height_percent);
  place(key + ".width", *fields.find("Width"));
  place(key + ".height", *fields.find("Height"));
  if (const Node* quality = fields.find("Quality")) {
    layer.quality = read_int(*quality);
    if (layer.quality < 1 || layer.quality > 100) {
      fail(*quality,
           std::to_string(layer.quality) + " is out of range; allowed 1 (worst) to 100 (best)");
    }
    place(key + ".quality", *quality);
  }
  return layer;
}

// ---- Sources and Filters -------------------------------------------------------------------

constexpr std::string_view kSourceFields[] = {"AssetID", "StartTime", "Duration",
                                              "Streams", "Filters",   "Pad"};
constexpr std::string_view kFilterFields[] = {"Deinterlace", "Rotation", "Crop"};
constexpr Refusal kFilterRefusals[] = {
    {"VideoOverlay", "not supported: mediaworker does not overlay images or videos"}};
constexpr std::string_view kDeinterlaceFields[] = {"Mode"};
constexpr std::string_view kCropFields[] = {"X", "Y", "Width", "Height"};
constexpr std::string_view kAssetIdPrefix = "nb:cid:UUID:";

bool same_filters(const Filters& a, const Filters& b) {
  const auto crop_tuple = [](const std::optional<Crop>& c) {
    return c ? std::tuple(true, c->x, c->y, c->width, c->height) : std::tuple(false, 0, 0, 0, 0);
  };
  return a.deinterlace == b.deinterlace && a.rotation == b.rotation &&
         crop_tuple(a.crop) == crop_tuple(b.crop);
}

Filters Translator::read_filters(const Node& node) {
  const Fields fields(*this, node, kFilterFields, kFilterRefusals);
  Filters filters;
  if (const Node* deinterlace = fields.find("Deinterlace")) {
    const Fields mode_fields(*this, *deinterlace, kDeinterlaceFields);
    const Node& mode = mode_fields.required("Mode", "Off or AutoPixelAdaptive");
    filters.deinterlace = read_choice(mode, kDeinterlaceModes);
    place("filters.deinterlace", mode);
  }
  if (const Node* rotation = fields.find("Rotation")) {
    filters.rotation = read_choice(*rotation, kRotations);
    place("filters.rotation", *rotation);
  }
  if (const Node* crop_node = fields.find("Crop")) {
    const Fields crop_fields(*this, *crop_node, kCropFields);
    Crop crop;
    const auto read = [&](std::string_view name, int& out, int min) {
      const Node& value = crop_fields.required(name, "a crop is X, Y, Width and Height in pixels");
      out = read_int(value, "of pixels");
      if (out < min)
        fail(value, std::to_string(out) + " is out of range; at least " + std::to_string(min));
    };
    read("X", crop.x, 0);
    read("Y", crop.y, 0);
    read("Width", crop.width, 1);
    read("Height", crop.height, 1);
    filters.crop = crop;
    place("filters.crop", *crop_node);
  }
  place("filters", node);
  return filters;
}

void Translator::read_sources(const Node& node, Preset& preset) {
  const std::vector<Node>& items = read_list(node);
  std::optional<Filters> filters;
  std::vector<std::pair<Source, bool>> sources;  // bool: the entry names a span
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Node& item = items[i];
    const Fields fields(*this, item, kSourceFields);
    const std::string key = "sources[" + std::to_string(i) + "]";
    place(key, item);
    Source source;
    bool spans = false;
    if (const Node* asset = fields.find("AssetID")) {
      std::string id(trim(read_string(*asset)));
      if (id.size() > kAssetIdPrefix.size() &&
          iequals(id.substr(0, kAssetIdPrefix.size()), kAssetIdPrefix)) {
        id.erase(0, kAssetIdPrefix.size());
      }
      if (!text_values::is_guid(id)) {
        fail(*asset,
             "expected an asset id such as 606db602-efd7-4436-97b4-c0b867ba195b (with or "
             "without nb:cid:UUID:), found '" +
                 asset->text + "'");
      }
      source.asset_id = id;
      spans = true;
      place(key + ".asset_id", *asset);
    }
    if (const Node* start = fields.find("StartTime")) {
      source.start_s = read_seconds(*start);
      spans = true;
      place(key + ".start_time", *start);
    }
    if (const Node* duration = fields.find("Duration")) {
      source.duration_s = read_seconds(*duration);
      if (*source.duration_s <= 0) fail(*duration, "a Duration must be more than 0 s");
      spans = true;
      place(key + ".duration", *duration);
    }
    if (const Node* streams = fields.find("Streams"); streams && !read_list(*streams).empty()) {
      fail(read_list(*streams).front(),
           "selecting input streams is not supported; leave Streams empty");
    }
    if (const Node* pad = fields.find("Pad"); pad && !read_bool(*pad)) {
      fail(*pad,
           "only Pad true (as in the MES samples) is accepted; MES does not document what "
           "false would change");
    }
    // MES has Filters per Source; the model has one set for the whole preset.
    const Node* this_filters = fields.find("Filters");
    const Filters read = this_filters ? read_filters(*this_filters) : Filters{};
    if (i > 0 && !same_filters(read, filters.value_or(Filters{}))) {
      fail(this_filters ? *this_filters : item,
           "every Source must have the same Filters: mediaworker filters the joined sources "
           "alike (Sources[0] has other Filters)");
    }
    if (i == 0) filters = read;
    sources.emplace_back(std::move(source), spans);
  }
  if (filters) preset.filters = *filters;
  // A single Source that only carries Filters (the docs' crop and rotation samples) means all of
  // the task's first input: the model's empty list.
  if (sources.size() == 1 && !sources.front().second) return;
  for (auto& [source, spans] : sources) preset.sources.push_back(std::move(source));
}

// ---- Outputs -------------------------------------------------------------------------------

constexpr std::string_view kOutputFields[] = {"FileName", "Format"};
constexpr std::string_view kFormatFields[] = {"Type"};

Output Translator::read_output(const Node& node, std::size_t index) {
  const Fields fields(*this, node, kOutputFields);
  const std::string key = "outputs[" + std::to_string(index) + "]";
  place(key, node);
  Output output;
  const Node& file_name = fields.required(
      "FileName", "a pattern such as {Basename}_{Width}x{Height}_{VideoBitrate}.mp4");
  output.file_name = read_string(file_name);
  place(key + ".file_name", file_name);
  const Node& format = fields.required(
      "Format", form_ == Form::Json
                    ? "{\"Type\": \"MP4Format\"} (or JpgFormat, PngFormat, BmpFormat)"
                    : "an element such as <MP4Format />");
  const Fields format_fields(*this, format, kFormatFields);
  const Node& type = format_fields.required("Type", "MP4Format, JpgFormat, PngFormat or BmpFormat");
  output.format = read_choice(type, kOutputFormats);
  place(key + ".format", type);
  return output;
}

/// Counts `{Index}` in a file name pattern.
std::size_t index_macros(std::string_view pattern) {
  std::size_t count = 0;
  for (auto at = pattern.find("{Index}"); at != std::string_view::npos;
       at = pattern.find("{Index}", at + 1)) {
    ++count;
  }
  return count;
}

void Translator::check_outputs(const Node& outputs_node, const Preset& preset,
                               const std::vector<const Node*>& output_nodes,
                               const std::vector<const Node*>& image_nodes) const {
  // MES matches JpgImage to JpgFormat and so on, in order; an image output's FileName needs
  // {Index} exactly once (DOCS media-services-advanced-encoding-with-mes.md).
  for (const ImageKind& kind : kImageKinds) {
    std::vector<std::size_t> images;
    std::vector<std::size_t> outputs;
    for (std::size_t i = 0; i < preset.images.size(); ++i) {
      if (preset.images[i].format == kind.value) images.push_back(i);
    }
    for (std::size_t i = 0; i < preset.outputs.size(); ++i) {
      if (preset.outputs[i].format == kind.value) outputs.push_back(i);
    }
    if (images.size() > outputs.size()) {
      fail(*image_nodes[images[outputs.size()]],
           std::string(kind.codec) + " needs its own Output with Format " +
               std::string(kind.format) +
               " (MES matches image codecs to outputs of their format, in order)");
    }
    if (outputs.size() > images.size()) {
      fail(*output_nodes[outputs[images.size()]], "an Output with Format " +
                                                      std::string(kind.format) + " needs its own " +
                                                      std::string(kind.codec) + " codec");
    }
  }
  bool has_mp4 = false;
  for (std::size_t i = 0; i < preset.outputs.size(); ++i) {
    const Output& output = preset.outputs[i];
    const std::size_t indexes = index_macros(output.file_name);
    const Node& at = *output_nodes[i];
    const std::string file_name_path = at.child_path("FileName");
    if (output.format == OutputFormat::Mp4) {
      has_mp4 = true;
      if (!preset.video && !preset.audio) {
        fail(at, "an Output with Format MP4Format needs an H264Video or AACAudio codec");
      }
      if (indexes > 0) {
        fail(file_name_path, at.line,
             "{Index} numbers thumbnails; it is not allowed in an MP4Format output");
      }
    } else if (indexes != 1) {
      fail(file_name_path, at.line,
           "'" + output.file_name +
               "' must contain {Index} exactly once (MES: image outputs number their files)");
    }
  }
  if ((preset.video || preset.audio) && !has_mp4) {
    fail(outputs_node, "H264Video and AACAudio need an Output with Format MP4Format");
  }
}

// ---- Validation ----------------------------------------------------------------------------

void Translator::validate(const Preset& preset) const {
  try {
    validate_preset(preset);
  } catch (const PresetError& error) {
    // Name the MES field the model key came from: the longest recorded key that is the error's
    // key or an ancestor of it ("video.layers[1]" for "video.layers[1].b_frames").
    const std::string& key = error.key();
    const Place* best = nullptr;
    for (const Place& place : places_) {
      const std::string& k = place.model_key;
      const bool ancestor = key.size() > k.size() && key.starts_with(k) &&
                            (key[k.size()] == '.' || key[k.size()] == '[');
      if ((key == k || ancestor) && (!best || k.size() > best->model_key.size())) best = &place;
    }
    if (!best) throw;
    throw PresetError(origin_, best->line, best->path, error.message());
  }
}

}  // namespace

bool is_mes_preset(std::string_view text) {
  return mes::looks_like_mes_preset(text);
}

Preset parse_mes_preset(std::string_view text, std::string_view origin_name) {
  const std::string origin(origin_name);
  const std::string utf8 = mes::to_utf8(text, origin);
  const Form form = mes::form_of(utf8, origin);
  const Node root =
      form == Form::Json ? mes::parse_json(utf8, origin) : mes::parse_xml(utf8, origin);
  Translator translator(origin, form);
  Preset preset = translator.translate(root);
  translator.validate(preset);
  return preset;
}

}  // namespace mw::presets
