#include "presets/mes_preset.hpp"

#include "presets/mes_translator.hpp"

// The MES preset reader: the document and its codecs (the Translator is in mes_translator.hpp;
// images, sources, filters, outputs and validation in mes_preset_outputs.cpp).

namespace mw::presets {

namespace mes_translation {

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


}  // namespace mes_translation

using mes_translation::Translator;
using mes::Form;
using mes::Node;

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
