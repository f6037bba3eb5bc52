#include "daemon/runtime/capabilities.hpp"

#include <algorithm>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace mw::runtime {

namespace {

void sort_unique(std::vector<std::string>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

const char* image_encoder(presets::OutputFormat format) {
  switch (format) {
    case presets::OutputFormat::Png: return "png";
    case presets::OutputFormat::Bmp: return "bmp";
    default: return "mjpeg";
  }
}

}  // namespace

const std::vector<std::string>& preset_encoders() {
  static const std::vector<std::string> all = {"aac", "bmp", "libx264", "mjpeg", "png"};
  return all;
}

TaskRequirements requirements_of(const presets::Preset* preset, std::vector<std::string> tags) {
  TaskRequirements r;
  sort_unique(tags);
  r.tags = std::move(tags);
  if (preset == nullptr || !preset->unsupported.empty()) return r;
  if (preset->video) {
    r.encoders.push_back("libx264");
    for (const auto& layer : preset->video->layers) {
      if (layer.width <= 0 || layer.height <= 0) continue;  // percent of the source
      const int long_edge = std::max(layer.width, layer.height);
      const int short_edge = std::min(layer.width, layer.height);
      if (long_edge * short_edge > r.long_edge * r.short_edge) {
        r.long_edge = long_edge;
        r.short_edge = short_edge;
      }
    }
  }
  if (preset->audio) r.encoders.push_back("aac");
  for (const auto& image : preset->images) r.encoders.push_back(image_encoder(image.format));
  sort_unique(r.encoders);
  return r;
}

WorkerCapabilities local_capabilities(int max_width, int max_height, std::vector<std::string> tags) {
  WorkerCapabilities c;
  c.max_long_edge = std::max(max_width, max_height);
  c.max_short_edge = std::min(max_width, max_height);
  for (const auto& name : preset_encoders())
    if (avcodec_find_encoder_by_name(name.c_str()) != nullptr) c.encoders.push_back(name);
  sort_unique(tags);
  c.tags = std::move(tags);
  return c;
}

}  // namespace mw::runtime
