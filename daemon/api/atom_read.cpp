// Reading one Atom entry into the verbose JSON the handlers read (atom.hpp, read_entry).
// Namespaces are resolved from the xmlns declarations in scope, so any prefixes work; pugixml
// parses (it does not expand DTD entities and does not recurse, so deep input is no danger
// there); this file walks at most kMaxDepth levels of properties and inline entries, and its
// work grows linearly with the input.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <pugixml.hpp>
#include <sstream>
#include <unordered_map>
#include <utility>
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

// The namespace declarations in scope at one element (Namespaces in XML 1.0 §6): its own
// xmlns attributes, then its parent's scope. Each scope remembers what it resolved through its
// parent, so that the many children of one element cost one lookup, and wide or deep input
// stays linear. An element has at most kMaxAttributes attributes.
class Scope {
 public:
  Scope(pugi::xml_node element, const Scope* parent) : element_(element), parent_(parent) {
    size_t count = 0;
    for (const pugi::xml_attribute a : element.attributes()) {
      if (++count > kMaxAttributes)
        fail(fmt::format("<{}>: more than {} attributes", element.name(), kMaxAttributes));
      const std::string_view name = a.name();
      if (name == "xmlns" || name.starts_with("xmlns:"))
        bindings_.emplace_back(local_name(name) == "xmlns" ? "" : local_name(name), a.value());
    }
  }

  pugi::xml_node element() const { return element_; }

  // The namespace bound to `prefix` ("" for the default namespace); "" when unbound.
  std::string_view resolve(std::string_view prefix) const {
    for (const auto& [bound, uri] : bindings_)
      if (bound == prefix) return uri;
    if (parent_ == nullptr) return {};
    if (const auto it = resolved_.find(prefix); it != resolved_.end()) return it->second;
    const std::string_view uri = parent_->resolve(prefix);
    resolved_.emplace(prefix, uri);
    return uri;
  }

  // The namespace of the element's name.
  std::string_view ns() const { return resolve(prefix_of(element_.name())); }

  bool is(std::string_view ns_uri, std::string_view local) const {
    return local_name(element_.name()) == local && ns() == ns_uri;
  }

  // The value of the attribute m:<local> (metadata namespace); "" when absent.
  std::string_view metadata_attribute(std::string_view local) const {
    for (const pugi::xml_attribute a : element_.attributes()) {
      const std::string_view name = a.name();
      const std::string_view prefix = prefix_of(name);
      if (prefix.empty() || prefix == "xmlns" || local_name(name) != local) continue;
      if (resolve(prefix) == kMetadataNs) return a.value();
    }
    return {};
  }

 private:
  pugi::xml_node element_;
  const Scope* parent_;
  std::vector<std::pair<std::string_view, std::string_view>> bindings_;  // prefix, namespace
  mutable std::unordered_map<std::string_view, std::string_view> resolved_;
};

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

class Reader {
 public:
  explicit Reader(std::string_view xml) : xml_(xml) {}

  // An <entry>: its m:properties and its related links as one JSON object.
  Json entry(const Scope& entry, int depth) const {
    if (depth > kMaxDepth) too_deep(entry.element());
    Json out = Json::object();
    for (const pugi::xml_node child : element_children(entry.element())) {
      const Scope c(child, &entry);
      if (c.is(kAtomNs, "link")) {
        link(c, out, depth);
      } else if (c.is(kAtomNs, "content")) {
        for (const pugi::xml_node grandchild : element_children(child)) {
          const Scope p(grandchild, &c);
          if (p.is(kMetadataNs, "properties")) merge(out, properties(p, depth + 1), grandchild);
        }
      } else if (c.is(kMetadataNs, "properties")) {
        merge(out, properties(c, depth + 1), child);
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
  Json properties(const Scope& parent, int depth) const {
    if (depth > kMaxDepth) too_deep(parent.element());
    Json out = Json::object();
    const std::vector<pugi::xml_node> children = element_children(parent.element());
    check_count(children.size(), parent.element());
    for (const pugi::xml_node child : children) {
      const Scope p(child, &parent);
      if (p.ns() != kDataNs)
        fail(fmt::format("<{}> in <{}> is not a property in the namespace {}", child.name(),
                         parent.element().name(), kDataNs));
      const std::string name(local_name(child.name()));
      if (out.contains(name)) fail(fmt::format("<{}> appears twice", child.name()));
      out[name] = value(p, depth + 1);
    }
    return out;
  }

  // One property or d:element: null, a primitive, a collection (d:element items), a complex
  // value (d:* children) or, for other markup, the markup's text (TaskBody XML sent unescaped).
  Json value(const Scope& scope, int depth) const {
    const pugi::xml_node p = scope.element();
    if (depth > kMaxDepth) too_deep(p);
    if (const std::string_view null = scope.metadata_attribute("null"); !null.empty()) {
      if (null == "true") return nullptr;
      if (null != "false")
        fail(fmt::format("<{}>: m:null is '{}', not true or false", p.name(), null));
    }
    const std::string_view type = scope.metadata_attribute("type");
    const std::vector<pugi::xml_node> children = element_children(p);
    bool all_items = true;
    bool all_data = true;
    for (const pugi::xml_node child : children) {
      const Scope c(child, &scope);
      all_items = all_items && c.is(kDataNs, "element");
      all_data = all_data && c.ns() == kDataNs;
    }
    if (type.starts_with("Collection(") || (!children.empty() && all_items)) {
      Json items = Json::array();
      for (const pugi::xml_node child : children) {
        const Scope item(child, &scope);
        if (!item.is(kDataNs, "element"))
          fail(fmt::format("<{}>: expected <d:element> items, found <{}>", p.name(), child.name()));
        items.push_back(value(item, depth + 1));
      }
      return items;
    }
    const bool complex = !type.empty() && !type.starts_with("Edm.");
    if (!children.empty()) {
      if (all_data && (type.empty() || complex)) return properties(scope, depth + 1);
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
  void link(const Scope& scope, Json& out, int depth) const {
    const pugi::xml_node l = scope.element();
    const std::string_view rel = l.attribute("rel").value();
    if (!rel.starts_with(kRelatedRel)) return;
    const std::string nav(rel.substr(kRelatedRel.size()));
    if (nav.empty())
      fail(fmt::format("<{} rel=\"{}\">: no navigation property named", l.name(), rel));
    const bool single =
        std::string_view(l.attribute("type").value()).find("type=entry") != std::string_view::npos;
    Json value;
    bool inlined = false;
    for (const pugi::xml_node child : element_children(l)) {
      const Scope inline_scope(child, &scope);
      if (inlined || !inline_scope.is(kMetadataNs, "inline")) continue;
      inlined = true;
      value = single ? Json(nullptr) : Json::array();
      for (const pugi::xml_node grandchild : element_children(child)) {
        const Scope c(grandchild, &inline_scope);
        if (c.is(kAtomNs, "entry")) value = entry(c, depth + 1);
        if (!c.is(kAtomNs, "feed")) continue;
        for (const pugi::xml_node e : element_children(grandchild)) {
          const Scope entry_scope(e, &c);
          if (entry_scope.is(kAtomNs, "entry")) value.push_back(entry(entry_scope, depth + 1));
        }
      }
    }
    if (!inlined) {
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
  // (the TaskBody's text must reach the job service as sent); should the offsets not match,
  // pugixml prints the children instead.
  std::string inner_xml(pugi::xml_node p) const {
    if (const auto raw = raw_content(xml_, p)) return std::string(*raw);
    std::ostringstream out;
    for (const pugi::xml_node child : p.children()) child.print(out, "", pugi::format_raw);
    return out.str();
  }

  std::string_view xml_;  // the whole document as received
};

// XML 1.0 §4.1 and §2.2: every '&' outside comments, CDATA sections and processing
// instructions starts an entity reference (the five predefined ones: there is no DTD) or a
// character reference to a character XML allows. pugixml does not check this (it keeps a stray
// '&' as text and turns "&#0;" into nothing), so it is checked here first.
void check_references(std::string_view xml) {
  const auto skip = [&](size_t& i, std::string_view open, std::string_view close) {
    if (xml.substr(i, open.size()) != open) return false;
    const size_t end = xml.find(close, i + open.size());
    i = end == std::string_view::npos ? xml.size() : end + close.size();
    return true;
  };
  for (size_t i = 0; i < xml.size();) {
    if (xml[i] == '<' && (skip(i, "<!--", "-->") || skip(i, "<![CDATA[", "]]>") ||
                          skip(i, "<?", "?>")))
      continue;
    if (xml[i] != '&') {
      ++i;
      continue;
    }
    const size_t semicolon = xml.find(';', i);
    const std::string_view ref =
        xml.substr(i + 1, semicolon == std::string_view::npos ? 0 : semicolon - i - 1);
    bool valid = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
    if (!valid && ref.size() >= 2 && ref.size() <= 10 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string digits(ref.substr(hex ? 2 : 1));
      const bool digits_ok =
          !digits.empty() &&
          digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") ==
              std::string::npos;
      const unsigned long c = digits_ok ? std::stoul(digits, nullptr, hex ? 16 : 10) : 0;
      valid = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
              (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
    }
    if (!valid)
      fail(fmt::format("not well-formed XML: '&{}' at offset {} is not an entity or character "
                       "reference (write '&' as '&amp;')",
                       ref.substr(0, 12), i));
    i = semicolon + 1;
  }
}

}  // namespace

Json read_entry(std::string_view xml) {
  check_references(xml);
  pugi::xml_document doc;
  const pugi::xml_parse_result result =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                      pugi::encoding_utf8);
  if (!result)
    fail(fmt::format("not well-formed XML: {} at offset {}", result.description(), result.offset));
  const pugi::xml_node root = doc.document_element();
  if (!root) fail("no root element");
  for (pugi::xml_node n = root.next_sibling(); n; n = n.next_sibling())
    if (n.type() == pugi::node_element || n.type() == pugi::node_pcdata)
      fail(fmt::format("not well-formed XML: <{}> or text after the root element", n.name()));
  const Scope scope(root, nullptr);
  if (!scope.is(kAtomNs, "entry"))
    fail(fmt::format("the root element is <{}>, not an <entry> in the namespace {}", root.name(),
                     kAtomNs));
  return Reader(xml).entry(scope, 0);
}

}  // namespace mw::api::atom
