// The MES preset reader, second half: image codecs, sources and filters, outputs, and the checks
// across them (mes_translator.hpp has the Translator; mes_preset.cpp the document and codecs).

#include "presets/mes_translator.hpp"

namespace mw::presets::mes_translation {

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

}  // namespace mw::presets::mes_translation
