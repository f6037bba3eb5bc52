#include "daemon/runtime/packager_configuration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <pugixml.hpp>

#include "daemon/runtime/storage.hpp"
#include "encoders/package/package.hpp"

namespace mw::runtime {

namespace {

using presets::OutputFormat;

using encoders::package::kMaxSegmentSeconds;
using encoders::package::kMinSegmentSeconds;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool parse_bool(const std::string& value, const std::string& where) {
  const std::string v = lower(trim(value));
  if (v == "true") return true;
  if (v == "false" || v.empty()) return false;
  throw PackagerConfigurationError(fmt::format("{}: '{}' is not true or false", where, value));
}

// A decimal number of seconds from 0.5 to 60 (from_chars: no locale); a shorter one would cut
// an audio-only package into thousands of segments.
double parse_seconds(const std::string& value, const std::string& where) {
  const std::string v = trim(value);
  double s = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || !std::isfinite(s) ||
      s < kMinSegmentSeconds || s > kMaxSegmentSeconds)
    throw PackagerConfigurationError(
        fmt::format("{}: '{}' is not a number of seconds from {} to {}", where, value,
                    kMinSegmentSeconds, kMaxSegmentSeconds));
  return s;
}

int64_t parse_bitrate(const std::string& value, const std::string& where) {
  const std::string v = trim(value);
  int64_t bps = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), bps);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || bps <= 0)
    throw PackagerConfigurationError(
        fmt::format("{}: '{}' is not a positive whole number of bits per second", where, value));
  return bps;
}

std::string parse_manifest_name(std::string value, const std::string& where) {
  value = trim(value);
  for (std::string_view ext : {".m3u8", ".ism", ".mpd"})
    if (lower(value).ends_with(ext)) value.resize(value.size() - ext.size());
  if (!Storage::valid_file_name(value) || value.size() > 200)
    throw PackagerConfigurationError(
        fmt::format("{}: '{}' is not a plain file name (1 to 200 characters, no '/' or '\\', not "
                    "starting with '.')",
                    where, value));
  return value;
}

// One <property name value> of a task definition, named for messages.
struct Property {
  std::string name;  // as written
  std::string value;
  std::string where;  // e.g. "property 'segment' of 'Smooth Streams to Apple HTTP Live Streams'"
};

std::vector<Property> properties_of(const pugi::xml_node& properties,
                                    const std::string& definition) {
  std::vector<Property> out;
  for (const pugi::xml_node& p : properties.children()) {
    if (p.type() != pugi::node_element) continue;
    if (std::string_view(p.name()) != "property")
      throw PackagerConfigurationError(fmt::format(
          "task definition '{}': unknown element <{}> in <properties>", definition, p.name()));
    const std::string name = p.attribute("name").value();
    if (name.empty())
      throw PackagerConfigurationError(
          fmt::format("task definition '{}': a <property> has no name", definition));
    out.push_back({name, p.attribute("value").value(),
                   fmt::format("property '{}' of '{}'", name, definition)});
  }
  return out;
}

[[noreturn]] void unknown_property(const Property& p, const char* known) {
  throw PackagerConfigurationError(fmt::format("{}: unknown property (known: {})", p.where, known));
}

PackagerConfiguration mp4_to_smooth(const std::vector<Property>& properties,
                                    const std::string& definition) {
  PackagerConfiguration c;
  c.formats = {OutputFormat::Smooth};
  c.description = definition;
  for (const auto& p : properties) {
    // keepSourceNames: the Smooth files are named after the source MP4s either way (their MES
    // names already carry the size and bitrate); the value is checked, not used.
    if (lower(p.name) == "keepsourcenames")
      (void)parse_bool(p.value, p.where);
    else
      unknown_property(p, "keepSourceNames");
  }
  return c;
}

PackagerConfiguration smooth_to_hls(const std::vector<Property>& properties,
                                    const std::string& definition) {
  PackagerConfiguration c;
  c.formats = {OutputFormat::Hls};
  c.description = definition;
  c.hls_manifest_after_ism = true;
  constexpr const char* kKnown =
      "maxbitrate, manifest, segment, log, encrypt, pid, codecs, backwardcompatible, allowcaching, "
      "passphrase, key, "
      "keyuri, overwrite";
  for (const auto& p : properties) {
    const std::string name = lower(p.name);
    if (name == "maxbitrate") {
      c.max_bitrate_bps = parse_bitrate(p.value, p.where);
    } else if (name == "manifest") {
      if (!trim(p.value).empty()) {
        c.manifest_name = parse_manifest_name(p.value, p.where);
        c.hls_manifest_after_ism = false;
      }
    } else if (name == "segment") {
      c.segment_duration_s = parse_seconds(p.value, p.where);
    } else if (name == "encrypt") {
      if (parse_bool(p.value, p.where))
        throw PackagerConfigurationError(
            fmt::format("{}: static AES-128 encryption of HLS segments is not supported by this "
                        "service; package in the "
                        "clear and encrypt at delivery",
                        p.where));
    } else if (name == "codecs" || name == "backwardcompatible" || name == "allowcaching" ||
               name == "overwrite") {
      // codecs: the playlists always carry CODECS; backwardcompatible (iOS 3.0), allowcaching
      // (EXT-X-ALLOW-CACHE, removed from HLS) and overwrite (a fresh output asset) change nothing.
      (void)parse_bool(p.value, p.where);
    } else if (name == "log" || name == "pid" || name == "passphrase" || name == "key" ||
               name == "keyuri") {
      // log: the task's HistoricalEvents are the log; pid: CMAF segments have no MPEG-2 TS
      // program; passphrase, key, keyuri: only used with encrypt.
    } else {
      unknown_property(p, kKnown);
    }
  }
  return c;
}

PackagerConfiguration task_definition(std::string_view xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result result =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result)
    throw PackagerConfigurationError(
        fmt::format("task definition: not well-formed XML: {} at offset {}", result.description(),
                    result.offset));
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "taskDefinition")
    throw PackagerConfigurationError(fmt::format(
        "the root element is <{}>, not <taskDefinition> (an Azure Media Packager task definition)",
        root.name()));
  const std::string definition = trim(root.child_value("name"));
  const pugi::xml_node properties = root.child("properties");
  const std::string ns = lower(properties.attribute("namespace").value());
  const auto props = properties_of(properties, definition);
  if (ns == "http://schemas.microsoft.com/iis/media/v4/tm/mp4tosmooth#")
    return mp4_to_smooth(props, definition);
  if (ns == "http://schemas.microsoft.com/iis/media/applehttp#")
    return smooth_to_hls(props, definition);
  throw PackagerConfigurationError(
      fmt::format("task definition '{}' (properties namespace '{}') is not supported: this service "
                  "runs 'MP4 to Smooth Streams' "
                  "(namespace http://schemas.microsoft.com/iis/media/V4/TM/MP4ToSmooth#) and "
                  "'Smooth Streams to Apple HTTP Live "
                  "Streams' (namespace http://schemas.microsoft.com/iis/media/AppleHTTP#)",
                  definition, properties.attribute("namespace").value()));
}

void add_format(std::vector<OutputFormat>& formats, OutputFormat f) {
  if (std::find(formats.begin(), formats.end(), f) == formats.end()) formats.push_back(f);
}

PackagerConfiguration short_names(const std::string& text) {
  PackagerConfiguration c;
  c.description = text;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t semi = text.find(';', start);
    parts.push_back(
        trim(text.substr(start, semi == std::string::npos ? std::string::npos : semi - start)));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  constexpr const char* kKnown = "'Smooth Streaming', 'HLS', 'DASH', 'CMAF', 'MPEG-TS'";
  bool hls = false, dash = false;
  for (size_t start = 0;;) {
    const size_t comma = parts[0].find(',', start);
    const std::string word = trim(
        parts[0].substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    const std::string w = lower(word);
    if (w == "smooth streaming" || w == "smooth")
      add_format(c.formats, OutputFormat::Smooth);
    else if (w == "hls")
      hls = true;
    else if (w == "dash")
      dash = true;
    else if (w == "cmaf")
      hls = dash = true;
    else if (w == "mpeg-ts" || w == "ts")
      add_format(c.formats, OutputFormat::Ts);
    else
      throw PackagerConfigurationError(
          fmt::format("'{}' is not a packaging format: name one or more of {} separated by commas, "
                      "optionally followed by "
                      "'; segment_duration=SECONDS' and '; manifest_name=NAME' (or send an Azure "
                      "Media Packager task "
                      "definition)",
                      word, kKnown));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (hls && dash)
    add_format(c.formats, OutputFormat::Cmaf);
  else if (hls)
    add_format(c.formats, OutputFormat::Hls);
  else if (dash)
    add_format(c.formats, OutputFormat::Dash);
  for (size_t i = 1; i < parts.size(); ++i) {
    const size_t eq = parts[i].find('=');
    const std::string key = lower(trim(parts[i].substr(0, eq)));
    const std::string value = eq == std::string::npos ? "" : trim(parts[i].substr(eq + 1));
    if (eq != std::string::npos && key == "segment_duration")
      c.segment_duration_s = parse_seconds(value, "segment_duration");
    else if (eq != std::string::npos && key == "manifest_name")
      c.manifest_name = parse_manifest_name(value, "manifest_name");
    else
      throw PackagerConfigurationError(
          fmt::format("'{}' is not an option: after the formats, use 'segment_duration=SECONDS' or "
                      "'manifest_name=NAME'",
                      parts[i]));
  }
  return c;
}

}  // namespace

bool is_media_packager(std::string_view media_processor_id) {
  return lower(media_processor_id) == lower(kMediaPackagerProcessorId);
}

PackagerConfiguration parse_packager_configuration(std::string_view text) {
  const std::string t = trim(text);
  if (t.empty())
    throw PackagerConfigurationError(
        "the Configuration is empty: name a packaging format such as 'HLS'");
  if (t.front() == '<') return task_definition(t);
  return short_names(t);
}

}  // namespace mw::runtime
