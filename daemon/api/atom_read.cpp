// Reading one Atom entry into the verbose JSON the handlers read (atom.hpp, read_entry).
// Namespaces are resolved from the xmlns declarations in scope, so any prefixes work; pugixml
// parses (it does not expand DTD entities and does not recurse, so deep input is no danger
// there); this file walks at most kMaxDepth levels of properties and inline entries.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <pugixml.hpp>
#include <sstream>
#include <vector>

#include "daemon/api/api_error.hpp"
#include "daemon/api/atom.hpp"
#include "daemon/api/atom_xml.hpp"

namespace mw::api::atom {

namespace {

// Collection-valued AMS properties: an empty element without m:type is [] rather than ""
// (the Job page's Task entry sends <d:ErrorDetails /> and <d:HistoricalEvents />).
constexpr std::string_view kCollections[] = {"ErrorDetails", "HistoricalEvents",
                                             "JobNotificationSubscriptions",
                                             "TaskNotificationSubscriptions"};

// Edm types whose Atom text is the JSON string as it is (OData v3 verbose JSON writes them as
// strings; Edm.DateTime keeps its ISO 8601 text, "0001-01-01T00:00:00" included).
constexpr std::string_view kStringTypes[] = {"Edm.String",         "Edm.Guid", "Edm.DateTime",
                                             "Edm.DateTimeOffset", "Edm.Time", "Edm.Binary"};

struct IntegerType {
  std::string_view name;
  int64_t min;
  int64_t max;
};
constexpr IntegerType kIntegerTypes[] = {
    {"Edm.Byte", 0, 255},
    {"Edm.SByte", -128, 127},
    {"Edm.Int16", -32768, 32767},
    {"Edm.Int32", -2147483648LL, 2147483647LL},
    {"Edm.Int64", INT64_MIN, INT64_MAX},
};

[[noreturn]] void fail(std::string_view problem) {
  throw bad_request(fmt::format("Atom entry: {}", problem));
}

std::string_view local_name(std::string_view qname) {
  const size_t colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string_view prefix_of(std::string_view qname) {
  const size_t colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
}

// The namespace bound to `prefix` ("" for the default namespace) where `node` is; "" if none.
std::string_view namespace_uri(pugi::xml_node node, std::string_view prefix) {
  const std::string attribute = prefix.empty() ? "xmlns" : fmt::format("xmlns:{}", prefix);
  for (; node.type() == pugi::node_element; node = node.parent())
    if (const pugi::xml_attribute a = node.attribute(attribute.c_str())) return a.value();
  return {};
}

bool in_namespace(pugi::xml_node node, std::string_view ns) {
  return namespace_uri(node, prefix_of(node.name())) == ns;
}

bool is(pugi::xml_node node, std::string_view ns, std::string_view local) {
  return node.type() == pugi::node_element && local_name(node.name()) == local &&
         in_namespace(node, ns);
}

// The value of the attribute m:<local> (metadata namespace); "" when absent.
std::string_view metadata_attribute(pugi::xml_node node, std::string_view local) {
  for (const pugi::xml_attribute a : node.attributes()) {
    const std::string_view name = a.name();
    const std::string_view prefix = prefix_of(name);
    if (prefix.empty() || prefix == "xmlns" || local_name(name) != local) continue;
    if (namespace_uri(node, prefix) == kMetadataNs) return a.value();
  }
  return {};
}

std::vector<pugi::xml_node> element_children(pugi::xml_node node) {
  std::vector<pugi::xml_node> elements;
  for (const pugi::xml_node child : node.children())
    if (child.type() == pugi::node_element) elements.push_back(child);
  return elements;
}

std::string text_of(pugi::xml_node node) {
  std::string text;
  for (const pugi::xml_node child : node.children())
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
      text += child.value();
  return text;
}

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

[[noreturn]] void not_of_type(pugi::xml_node node, std::string_view type, std::string_view text) {
  constexpr size_t kShown = 64;  // of a value quoted in the message
  const std::string shown =
      text.size() > kShown ? fmt::format("{}...", text.substr(0, kShown)) : std::string(text);
  fail(fmt::format("<{}>: '{}' is not an {}", node.name(), shown, type));
}

// A primitive value from its text and m:type (OData v3 Atom format §2.2.6.2 lexical forms).
Json primitive(pugi::xml_node node, std::string_view type, const std::string& text) {
  if (type.empty() || contains(kStringTypes, type)) return text;
  // XML Schema collapses white space around the lexical forms of numbers and booleans.
  const std::string_view value = trim(text);
  if (type == "Edm.Boolean") {
    if (value == "true" || value == "1") return true;
    if (value == "false" || value == "0") return false;
    not_of_type(node, type, text);
  }
  for (const IntegerType& integer : kIntegerTypes) {
    if (type != integer.name) continue;
    const auto number = parse_number<int64_t>(value);
    if (!number || *number < integer.min || *number > integer.max) not_of_type(node, type, text);
    // Edm.Int64 is a JSON string in OData v3 (odata.hpp), an exact number otherwise.
    return type == "Edm.Int64" ? Json(std::to_string(*number)) : Json(*number);
  }
  if (type == "Edm.Double" || type == "Edm.Single" || type == "Edm.Decimal") {
    const auto number = parse_number<double>(value);
    if (!number || !std::isfinite(*number)) not_of_type(node, type, text);
    return type == "Edm.Decimal" ? Json(std::string(value)) : Json(*number);
  }
  fail(fmt::format("<{}>: unknown m:type '{}'", node.name(), type));
}

// The position after the '>' ending the tag that `pos` is inside (quoted '>' skipped).
size_t end_of_tag(std::string_view xml, size_t pos) {
  char quote = 0;
  for (; pos < xml.size(); ++pos) {
    const char c = xml[pos];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return pos + 1;
    }
  }
  return std::string_view::npos;
}

size_t after(std::string_view xml, std::string_view token, size_t from) {
  const size_t at = xml.find(token, from);
  return at == std::string_view::npos ? at : at + token.size();
}

class Reader {
 public:
  explicit Reader(std::string_view xml) : xml_(xml) {}

  // An <entry>: its m:properties and its related links as one JSON object.
  Json entry(pugi::xml_node entry, int depth) const {
    if (depth > kMaxDepth) too_deep(entry);
    Json out = Json::object();
    for (const pugi::xml_node child : entry.children()) {
      if (is(child, kAtomNs, "link")) {
        link(child, out, depth);
      } else if (is(child, kAtomNs, "content")) {
        for (const pugi::xml_node p : child.children())
          if (is(p, kMetadataNs, "properties")) merge(out, properties(p, depth + 1), p);
      } else if (is(child, kMetadataNs, "properties")) {
        merge(out, properties(child, depth + 1), child);
      }
    }
    return out;
  }

 private:
  [[noreturn]] static void too_deep(pugi::xml_node node) {
    fail(fmt::format("<{}>: nested deeper than {} levels", node.name(), kMaxDepth));
  }

  static void check_count(size_t count, pugi::xml_node where) {
    if (count > kMaxProperties)
      fail(fmt::format("<{}>: more than {} properties", where.name(), kMaxProperties));
  }

  static void merge(Json& out, Json properties, pugi::xml_node where) {
    check_count(out.size() + properties.size(), where);
    for (auto& [name, value] : properties.items()) {
      if (out.contains(name))
        fail(fmt::format("<{}>: the property {} is given twice", where.name(), name));
      out[name] = std::move(value);
    }
  }

  // The d:* children of `parent` as an object, each typed by value().
  Json properties(pugi::xml_node parent, int depth) const {
    if (depth > kMaxDepth) too_deep(parent);
    Json out = Json::object();
    const std::vector<pugi::xml_node> children = element_children(parent);
    check_count(children.size(), parent);
    for (const pugi::xml_node p : children) {
      if (!in_namespace(p, kDataNs))
        fail(fmt::format("<{}> in <{}> is not a property in the namespace {}", p.name(),
                         parent.name(), kDataNs));
      const std::string name(local_name(p.name()));
      if (out.contains(name)) fail(fmt::format("<{}> appears twice", p.name()));
      out[name] = value(p, depth + 1);
    }
    return out;
  }

  // One property or d:element: null, a primitive, a collection (d:element items), a complex
  // value (d:* children) or, for other markup, the markup's text (TaskBody XML sent unescaped).
  Json value(pugi::xml_node p, int depth) const {
    if (depth > kMaxDepth) too_deep(p);
    if (const std::string_view null = metadata_attribute(p, "null"); !null.empty()) {
      if (null == "true") return nullptr;
      if (null != "false")
        fail(fmt::format("<{}>: m:null is '{}', not true or false", p.name(), null));
    }
    const std::string_view type = metadata_attribute(p, "type");
    bool elements = false;
    bool all_items = true;
    bool all_data = true;
    for (const pugi::xml_node child : element_children(p)) {
      elements = true;
      all_items = all_items && is(child, kDataNs, "element");
      all_data = all_data && in_namespace(child, kDataNs);
    }
    if (type.starts_with("Collection(") || (elements && all_items)) {
      Json items = Json::array();
      for (const pugi::xml_node item : element_children(p)) {
        if (!is(item, kDataNs, "element"))
          fail(fmt::format("<{}>: expected <d:element> items, found <{}>", p.name(), item.name()));
        items.push_back(value(item, depth + 1));
      }
      return items;
    }
    const bool complex = !type.empty() && !type.starts_with("Edm.");
    if (elements) {
      if (all_data && (type.empty() || complex)) return properties(p, depth + 1);
      if (!type.empty() && type != "Edm.String")
        fail(fmt::format("<{}>: markup in a value of m:type '{}'", p.name(), type));
      return inner_xml(p);
    }
    const std::string text = text_of(p);
    if (complex) {
      if (!trim(text).empty())
        fail(fmt::format("<{}>: text in a value of the complex type '{}'", p.name(), type));
      return Json::object();
    }
    if (type.empty() && text.empty() && contains(kCollections, local_name(p.name())))
      return Json::array();
    return primitive(p, type, text);
  }

  // <link rel=".../related/<Nav>" href="..."/> -> "<Nav>":[{"__metadata":{"uri":href}}] (an
  // object for type=entry); with <m:inline> the inline feed's entries or the inline entry.
  void link(pugi::xml_node l, Json& out, int depth) const {
    const std::string_view rel = l.attribute("rel").value();
    if (!rel.starts_with(kRelatedRel)) return;
    const std::string nav(rel.substr(kRelatedRel.size()));
    if (nav.empty())
      fail(fmt::format("<{} rel=\"{}\">: no navigation property named", l.name(), rel));
    const bool single =
        std::string_view(l.attribute("type").value()).find("type=entry") != std::string_view::npos;
    Json value;
    if (const pugi::xml_node inlined =
            l.find_child([](pugi::xml_node c) { return is(c, kMetadataNs, "inline"); })) {
      value = single ? Json(nullptr) : Json::array();
      for (const pugi::xml_node c : element_children(inlined)) {
        if (is(c, kAtomNs, "entry")) value = entry(c, depth + 1);
        if (!is(c, kAtomNs, "feed")) continue;
        for (const pugi::xml_node e : element_children(c))
          if (is(e, kAtomNs, "entry")) value.push_back(entry(e, depth + 1));
      }
    } else {
      const pugi::xml_attribute href = l.attribute("href");
      if (!href) fail(fmt::format("<{} rel=\"{}\">: no href", l.name(), rel));
      value = Json{{"__metadata", {{"uri", href.value()}}}};
      if (!single) value = Json::array({std::move(value)});
    }
    if (!out.contains(nav)) {
      check_count(out.size() + 1, l.parent());
      out[nav] = std::move(value);
    } else if (out[nav].is_array() && value.is_array()) {
      for (auto& item : value) out[nav].push_back(std::move(item));
    } else {
      fail(fmt::format("<{} rel=\"{}\">: {} is given twice", l.name(), rel, nav));
    }
  }

  // The markup inside `p` as the client wrote it, XML declaration and white space included
  // (pugixml keeps no declaration below the root, and the TaskBody's text must reach the job
  // service as sent). pugixml has checked the document, so a scan of its tags finds the end
  // tag; should the offsets not match, pugixml prints the children instead.
  std::string inner_xml(pugi::xml_node p) const {
    if (const auto raw = raw_content(p)) return std::string(*raw);
    std::ostringstream out;
    for (const pugi::xml_node child : p.children()) child.print(out, "", pugi::format_raw);
    return out.str();
  }

  std::optional<std::string_view> raw_content(pugi::xml_node p) const {
    const std::string_view name = p.name();
    const ptrdiff_t offset = p.offset_debug();
    if (offset < 1 || static_cast<size_t>(offset) >= xml_.size() ||
        xml_.substr(static_cast<size_t>(offset), name.size()) != name)
      return std::nullopt;
    size_t pos = end_of_tag(xml_, static_cast<size_t>(offset));
    const size_t begin = pos;
    int depth = 0;
    while (pos != std::string_view::npos) {
      const size_t lt = xml_.find('<', pos);
      if (lt == std::string_view::npos) return std::nullopt;
      const std::string_view rest = xml_.substr(lt);
      if (rest.starts_with("<!--")) {
        pos = after(xml_, "-->", lt + 4);
      } else if (rest.starts_with("<![CDATA[")) {
        pos = after(xml_, "]]>", lt + 9);
      } else if (rest.starts_with("<?")) {
        pos = after(xml_, "?>", lt + 2);
      } else if (rest.starts_with("</")) {
        if (depth == 0) return xml_.substr(begin, lt - begin);
        --depth;
        pos = end_of_tag(xml_, lt);
      } else {
        pos = end_of_tag(xml_, lt);
        if (pos != std::string_view::npos && xml_[pos - 2] != '/') ++depth;
      }
    }
    return std::nullopt;
  }

  std::string_view xml_;  // the whole document as received
};

}  // namespace

Json read_entry(std::string_view xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result result =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                      pugi::encoding_utf8);
  if (!result)
    fail(fmt::format("not well-formed XML: {} at offset {}", result.description(), result.offset));
  const pugi::xml_node root = doc.document_element();
  if (!root) fail("no root element");
  if (!is(root, kAtomNs, "entry"))
    fail(fmt::format("the root element is <{}>, not an <entry> in the namespace {}", root.name(),
                     kAtomNs));
  return Reader(xml).entry(root, 0);
}

}  // namespace mw::api::atom
