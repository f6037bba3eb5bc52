// Writing verbose JSON answers as Atom (atom.hpp, write_response), in the shape of the AMS v2
// Job page's $batch response: everything comes from the JSON (__metadata, __deferred links,
// value types), so every entity set gets Atom without code of its own.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <pugixml.hpp>

#include "daemon/api/atom.hpp"
#include "daemon/api/atom_xml.hpp"
#include "daemon/api/request_body.hpp"

namespace mw::api::atom {

namespace {

constexpr std::string_view kEntryType = "application/atom+xml;type=entry;charset=utf-8";
constexpr std::string_view kFeedType = "application/atom+xml;type=feed;charset=utf-8";
constexpr std::string_view kXmlType = "application/xml;charset=utf-8";

// Edm.Int64 properties, which verbose JSON writes as strings (odata.hpp).
constexpr std::string_view kInt64Properties[] = {"ContentFileSize"};
// Navigation properties to one entity (<link type="...;type=entry">); the others are feeds.
constexpr std::string_view kEntryNavigation[] = {"AccessPolicy", "Asset", "ParentAsset"};

// Edm.DateTime's range, 0001-01-01 to 9999-12-31, in milliseconds since the epoch.
constexpr int64_t kMinDateMs = -62135596800000;
constexpr int64_t kMaxDateMs = 253402300799999;

bool is_ascii_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

// A property name usable as the local part of an element name (AMS names are ASCII).
bool valid_name(std::string_view name) {
  if (name.empty() || !is_ascii_letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return is_ascii_letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// Text XML 1.0 can carry: invalid UTF-8 becomes U+FFFD (as dump_json does), and so do the
// control characters other than tab, line feed and carriage return.
std::string xml_text(std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x20 && u < 0x80) || c == '\t' || c == '\n' || c == '\r';
  });
  if (plain) return std::string(text);
  const std::string valid = Json::parse(dump_json(Json(std::string(text)))).get<std::string>();
  std::string out;
  for (const char c : valid) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r')
      out += "\xEF\xBF\xBD";
    else
      out += c;
  }
  return out;
}

void set_attribute(pugi::xml_node node, const char* name, std::string_view value) {
  node.append_attribute(name).set_value(xml_text(value).c_str());
}

void set_text(pugi::xml_node node, std::string_view text) {
  node.text().set(xml_text(text).c_str());
}

// "/Date(<ms>)/" (verbose JSON's Edm.DateTime) -> the milliseconds, when in range.
std::optional<int64_t> date_ms(std::string_view text) {
  if (!text.starts_with("/Date(") || !text.ends_with(")/")) return std::nullopt;
  text = text.substr(6, text.size() - 8);
  int64_t ms = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || ms < kMinDateMs ||
      ms > kMaxDateMs)
    return std::nullopt;
  return ms;
}

bool is_integer_text(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// An Edm.Double in XML Schema's lexical form (shortest round-trip digits; INF, -INF, NaN).
std::string double_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "INF" : "-INF";
  return fmt::format("{}", value);
}

const Json* member(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const Json* object, std::string_view name) {
  const Json* value = object ? member(*object, name) : nullptr;
  return value && value->is_string() ? value->get<std::string>() : std::string{};
}

// The __deferred uri of a navigation property, when `value` is one.
std::optional<std::string> deferred_uri(const Json& value) {
  const Json* deferred = member(value, "__deferred");
  if (!deferred) return std::nullopt;
  return string_member(deferred, "uri");
}

std::string now_text() {
  const std::string iso =
      iso8601(std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  return iso.substr(0, 19) + "Z";  // whole seconds, as AMS wrote <updated>
}

struct StringWriter : pugi::xml_writer {
  std::string text;
  void write(const void* data, size_t size) override {
    text.append(static_cast<const char*>(data), size);
  }
};

class Writer {
 public:
  explicit Writer(const ODataContext& ctx) : ctx_(ctx), updated_(now_text()) {}

  void namespaces(pugi::xml_node root, bool with_base) const {
    if (with_base) set_attribute(root, "xml:base", ctx_.base);
    set_attribute(root, "xmlns", kAtomNs);
    set_attribute(root, "xmlns:d", kDataNs);
    set_attribute(root, "xmlns:m", kMetadataNs);
    set_attribute(root, "xmlns:georss", "http://www.georss.org/georss");
    set_attribute(root, "xmlns:gml", "http://www.opengis.net/gml");
  }

  // <entry>: id, category, edit and related links, title, updated, author, m:properties.
  void entry(pugi::xml_node parent, const Json& entity, bool root) const {
    if (!entity.is_object()) return;
    pugi::xml_node e = parent.append_child("entry");
    if (root) namespaces(e, true);
    const Json* metadata = member(entity, "__metadata");
    const std::string uri = string_member(metadata, "uri");
    const std::string type = string_member(metadata, "type");
    const std::string id = string_member(metadata, "id");
    set_text(e.append_child("id"), id.empty() ? uri : id);
    if (!type.empty()) {
      pugi::xml_node category = e.append_child("category");
      set_attribute(category, "term", type);
      set_attribute(category, "scheme", kSchemeNs);
    }
    if (!uri.empty()) link(e, "edit", "", type.substr(type.rfind('.') + 1), uri);
    for (const auto& [name, value] : entity.items()) {
      const auto nav = deferred_uri(value);
      if (!nav || !valid_name(name)) continue;
      link(e, fmt::format("{}{}", kRelatedRel, name),
           contains(kEntryNavigation, name) ? "application/atom+xml;type=entry"
                                            : "application/atom+xml;type=feed",
           name, *nav);
    }
    e.append_child("title");
    set_text(e.append_child("updated"), updated_);
    e.append_child("author").append_child("name");
    pugi::xml_node content = e.append_child("content");
    set_attribute(content, "type", "application/xml");
    pugi::xml_node properties = content.append_child("m:properties");
    for (const auto& [name, value] : entity.items())
      if (name != "__metadata" && !deferred_uri(value)) property(properties, name, value, 1);
  }

  // <feed>: id, title, updated, self link, then one <entry> per entity.
  void feed(pugi::xml_node parent, const Json& results, std::string_view path) const {
    pugi::xml_node f = parent.append_child("feed");
    namespaces(f, true);
    const std::string_view last = path.substr(path.rfind('/') + 1);
    const std::string_view title = last.substr(0, last.find('('));
    set_text(f.append_child("id"), fmt::format("{}{}", ctx_.base, path));
    pugi::xml_node t = f.append_child("title");
    set_attribute(t, "type", "text");
    set_text(t, title);
    set_text(f.append_child("updated"), updated_);
    link(f, "self", "", title, std::string(path));
    for (const Json& entity : results) entry(f, entity, false);
  }

  // <d:name> with m:type (or m:null) and its value; nesting beyond kMaxDepth is written null.
  pugi::xml_node property(pugi::xml_node parent, std::string_view name, const Json& value,
                          int depth) const {
    if (!valid_name(name)) return {};
    pugi::xml_node p = parent.append_child(fmt::format("d:{}", name).c_str());
    if (depth > kMaxDepth) {
      set_attribute(p, "m:null", "true");
      return p;
    }
    switch (value.type()) {
      case Json::value_t::boolean:
        set_attribute(p, "m:type", "Edm.Boolean");
        set_text(p, value.get<bool>() ? "true" : "false");
        break;
      case Json::value_t::number_integer:
      case Json::value_t::number_unsigned: {
        const bool int32 =
            value.is_number_unsigned()
                ? value.get<uint64_t>() <= uint64_t{std::numeric_limits<int32_t>::max()}
                : value.get<int64_t>() >= std::numeric_limits<int32_t>::min() &&
                      value.get<int64_t>() <= std::numeric_limits<int32_t>::max();
        set_attribute(p, "m:type", int32 ? "Edm.Int32" : "Edm.Int64");
        set_text(p, value.dump());
        break;
      }
      case Json::value_t::number_float:
        set_attribute(p, "m:type", "Edm.Double");
        set_text(p, double_text(value.get<double>()));
        break;
      case Json::value_t::string:
        primitive_string(p, name, value.get_ref<const std::string&>());
        break;
      case Json::value_t::array:
        elements(p, value, depth);
        break;
      case Json::value_t::object:
        complex(p, value, depth);
        break;
      default:  // null, binary, discarded
        set_attribute(p, "m:null", "true");
    }
    return p;
  }

 private:
  void link(pugi::xml_node parent, std::string_view rel, std::string_view type,
            std::string_view title, const std::string& uri) const {
    pugi::xml_node l = parent.append_child("link");
    set_attribute(l, "rel", rel);
    if (!type.empty()) set_attribute(l, "type", type);
    set_attribute(l, "title", title);
    // Relative to xml:base, as AMS wrote them.
    set_attribute(l, "href", uri.starts_with(ctx_.base) ? uri.substr(ctx_.base.size()) : uri);
  }

  static void primitive_string(pugi::xml_node p, std::string_view name, const std::string& text) {
    if (const auto ms = date_ms(text)) {
      set_attribute(p, "m:type", "Edm.DateTime");
      set_text(p, iso8601(std::chrono::sys_time<std::chrono::milliseconds>(
                      std::chrono::milliseconds(*ms))));
      return;
    }
    if (contains(kInt64Properties, name) && is_integer_text(text))
      set_attribute(p, "m:type", "Edm.Int64");
    set_text(p, text);
  }

  void elements(pugi::xml_node p, const Json& items, int depth) const {
    for (const Json& item : items) property(p, "element", item, depth + 1);
  }

  // {"__metadata":{"type":"Collection(T)"},"results":[...]} -> d:element items; another
  // object is a complex value whose members are properties.
  void complex(pugi::xml_node p, const Json& value, int depth) const {
    const std::string type = string_member(member(value, "__metadata"), "type");
    if (!type.empty()) set_attribute(p, "m:type", type);
    const Json* results = member(value, "results");
    if (type.starts_with("Collection(") && results && results->is_array()) {
      elements(p, *results, depth);
      return;
    }
    for (const auto& [name, member_value] : value.items())
      if (name != "__metadata") property(p, name, member_value, depth + 1);
  }

  const ODataContext& ctx_;
  std::string updated_;
};

// Where a feed lives when the caller did not say: the entity set of its first entity.
std::string feed_path(const ODataContext& ctx, const Json& results) {
  if (results.empty()) return {};
  std::string uri = string_member(member(results.front(), "__metadata"), "uri");
  if (uri.starts_with(ctx.base)) uri.erase(0, ctx.base.size());
  return uri.substr(0, uri.find('('));
}

}  // namespace

void write_response(Response& response, const ODataContext& ctx,
                    std::string_view resource_path) noexcept {
  if (response.body.empty() || !response.file.empty() ||
      !response.content_type.starts_with("application/json"))
    return;
  try {
    const Json body = parse_json_object(response.body);
    const Writer writer(ctx);
    pugi::xml_document doc;
    pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
    declaration.append_attribute("version").set_value("1.0");
    declaration.append_attribute("encoding").set_value("utf-8");
    std::string_view content_type = kXmlType;
    const Json* d = member(body, "d");
    if (const Json* error = member(body, "error")) {
      pugi::xml_node e = doc.append_child("error");
      set_attribute(e, "xmlns", kMetadataNs);
      set_text(e.append_child("code"), string_member(error, "code"));
      pugi::xml_node message = e.append_child("message");
      const Json* text = member(*error, "message");
      const std::string lang = string_member(text, "lang");
      set_attribute(message, "xml:lang", lang.empty() ? "en-US" : lang);
      set_text(message, string_member(text, "value"));
    } else if (!d || !d->is_object()) {
      return;
    } else if (const Json* results = member(*d, "results");
               results && results->is_array() && !member(*d, "__metadata")) {
      writer.feed(doc, *results,
                  resource_path.empty() ? feed_path(ctx, *results) : std::string(resource_path));
      content_type = kFeedType;
    } else if (member(*d, "__metadata")) {
      writer.entry(doc, *d, true);
      content_type = kEntryType;
    } else if (d->size() == 1) {
      pugi::xml_node p = writer.property(doc, d->begin().key(), d->begin().value(), 1);
      if (!p) return;
      p.prepend_attribute("xmlns:m").set_value(kMetadataNs.data());
      p.prepend_attribute("xmlns:d").set_value(kDataNs.data());
    } else {
      return;
    }
    StringWriter out;
    doc.save(out, "", pugi::format_raw, pugi::encoding_utf8);
    response.body = std::move(out.text);
    response.content_type = std::string(content_type);
  } catch (...) {
    // A body that is not verbose JSON stays as it is (write_response never throws).
  }
}

}  // namespace mw::api::atom
