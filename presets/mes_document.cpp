#include "presets/mes_document.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <vector>

#include "presets/preset_error.hpp"

namespace mw::presets::mes {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
/// The deepest nesting of objects and lists (JSON) or elements (XML) read. An MES preset nests
/// at most 6 deep (Preset/Encoding/H264Video/H264Layers/H264Layer/Width); the limit keeps a
/// hostile Configuration (100 000 nested '[') from overflowing the stack of the recursive
/// readers below, which would end the daemon.
constexpr int kMaxDepth = 32;
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";
/// The MES preset namespace: older docs write http, current docs https (AMS-V2-REFERENCE.md §8).
constexpr std::string_view kNamespaces[] = {
    "http://www.windowsazure.com/media/encoding/Preset/2014/03",
    "https://www.windowsazure.com/media/encoding/Preset/2014/03"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

/// 1-based line and column of a byte offset in `text`.
std::pair<int, int> line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start) + 1};
}

/// The UTF-16 encoding of `text` ("UTF-16LE" / "UTF-16BE") and the bytes to skip, if it is UTF-16.
std::optional<std::pair<const char*, std::size_t>> utf16_encoding(std::string_view text) {
  if (text.starts_with(kUtf16LeBom)) return std::pair{"UTF-16LE", std::size_t{2}};
  if (text.starts_with(kUtf16BeBom)) return std::pair{"UTF-16BE", std::size_t{2}};
  if (text.size() >= 2 && text.size() % 2 == 0) {
    // Without a byte order mark: the first character is '{' or '<' (possibly after white space)
    // with its other byte NUL.
    std::size_t i = 0;
    while (i + 1 < text.size() && text[i + 1] == '\0' && is_blank(text[i])) i += 2;
    if (i + 1 < text.size() && text[i + 1] == '\0' && (text[i] == '{' || text[i] == '<')) {
      return std::pair{"UTF-16LE", std::size_t{0}};
    }
    i = 0;
    while (i + 1 < text.size() && text[i] == '\0' && is_blank(text[i + 1])) i += 2;
    if (i + 1 < text.size() && text[i] == '\0' && (text[i + 1] == '{' || text[i + 1] == '<')) {
      return std::pair{"UTF-16BE", std::size_t{0}};
    }
  }
  return std::nullopt;
}

/// `text` converted with iconv from `encoding` to UTF-8.
/// @throws PresetError naming the byte offset of an invalid sequence
std::string iconv_to_utf8(std::string_view text, const char* encoding, const std::string& origin) {
  iconv_t converter = iconv_open("UTF-8", encoding);
  if (converter == reinterpret_cast<iconv_t>(-1)) {
    throw PresetError(origin, 0, "", std::string("cannot convert from ") + encoding);
  }
  std::string out(text.size() * 2 + 16, '\0');    // UTF-16 -> UTF-8 at most 3 bytes per 2
  char* in_ptr = const_cast<char*>(text.data());  // iconv's interface is not const-correct
  std::size_t in_left = text.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t result = iconv(converter, &in_ptr, &in_left, &out_ptr, &out_left);
  const int error = errno;
  iconv_close(converter);
  if (result == static_cast<std::size_t>(-1)) {
    const std::size_t at = text.size() - in_left;
    throw PresetError(origin, 0, "",
                      std::string("invalid ") + encoding + " text at byte " + std::to_string(at) +
                          (error == EINVAL ? " (the text ends inside a character)" : ""));
  }
  out.resize(out.size() - out_left);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON

std::string json_child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string json_item_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

/// nlohmann-json keeps the last of two equal keys; this parser callback reports the second one
/// instead, with its path.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(const std::string& origin) : origin_(origin) {}

  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (frames_.size() >= static_cast<std::size_t>(kMaxDepth)) {
          throw PresetError(origin_, 0, child_path(),
                            "nested more than " + std::to_string(kMaxDepth) +
                                " objects and lists deep; an MES preset nests at most 6");
        }
        frames_.push_back({event == Event::array_start, 0, "", {}, child_path()});
        break;
      case Event::key: {
        Frame& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second) {
          throw PresetError(origin_, 0, json_child_path(frame.path, frame.key),
                            "written twice in one object");
        }
        break;
      }
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        next_item();
        break;
      case Event::value:
        next_item();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
    std::set<std::string> keys;
    std::string path;
  };

  std::string child_path() const {
    if (frames_.empty()) return "";
    const Frame& top = frames_.back();
    return top.array ? json_item_path(top.path, top.index) : json_child_path(top.path, top.key);
  }
  void next_item() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  const std::string& origin_;
  std::vector<Frame> frames_;
};

Node from_json(const nlohmann::json& value, const std::string& path, const std::string& origin) {
  Node node;
  node.path = path;
  node.form = Form::Json;
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      node.kind = Node::Kind::Object;
      std::set<std::string> seen;
      for (const auto& [key, item] : value.items()) {
        const std::string item_path = json_child_path(path, key);
        if (!seen.insert(lower(key)).second) {
          throw PresetError(origin, 0, item_path,
                            "written twice in one object (MES field names ignore case)");
        }
        node.fields.emplace_back(key, from_json(item, item_path, origin));
      }
      break;
    }
    case nlohmann::json::value_t::array:
      node.kind = Node::Kind::Array;
      for (std::size_t i = 0; i < value.size(); ++i) {
        node.items.push_back(from_json(value[i], json_item_path(path, i), origin));
      }
      break;
    case nlohmann::json::value_t::string:
      node.kind = Node::Kind::String;
      node.text = value.get<std::string>();
      break;
    case nlohmann::json::value_t::boolean:
      node.kind = Node::Kind::Bool;
      node.text = value.get<bool>() ? "true" : "false";
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      node.kind = Node::Kind::Number;
      node.text = value.dump();
      node.number = value.get<double>();
      node.integer = !value.is_number_float();
      break;
    default:
      node.kind = Node::Kind::Null;
      node.text = "null";
      break;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// XML

/// How an XML list element reads: its name in the tree, the name its items must have ("" for
/// any) and whether each item gets its element name as `Type`.
struct ListRule {
  std::string_view element;
  std::string_view field;
  std::string_view item;
  bool typed_items;
};

constexpr ListRule kListRules[] = {
    {"Sources", "Sources", "Source", false}, {"Encoding", "Codecs", "", true},
    {"Outputs", "Outputs", "Output", false}, {"H264Layers", "H264Layers", "", true},
    {"JpgLayers", "JpgLayers", "", true},    {"PngLayers", "PngLayers", "", true},
    {"BmpLayers", "BmpLayers", "", true},    {"Streams", "Streams", "", true},
    {"Chapters", "Chapters", "", true},      {"MediaParams", "MediaParams", "", true},
};

const ListRule* list_rule(std::string_view element) {
  for (const ListRule& rule : kListRules) {
    if (rule.element == element) return &rule;
  }
  return nullptr;
}

class XmlReader {
 public:
  XmlReader(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

  Node root(const pugi::xml_node& element) {
    const std::string name = element.name();
    const int line = line_of(element);
    if (name == "Presets") {
      fail("Presets", line,
           "this is an Azure Media Encoder (Expression Encoder, <Presets><Preset Version=\"5.0\">) "
           "preset; mediaworker reads Media Encoder Standard presets (<Preset Version=\"1.0\" "
           "xmlns=\"" +
               std::string(kNamespaces[1]) + "\">) and the system preset names");
    }
    if (name != "Preset") {
      fail(name, line,
           "the root element must be <Preset> (a Media Encoder Standard preset); found <" + name +
               ">");
    }
    const std::string_view ns = element.attribute("xmlns").value();
    if (std::find(std::begin(kNamespaces), std::end(kNamespaces), ns) == std::end(kNamespaces)) {
      fail("Preset/@xmlns", line,
           (ns.empty() ? std::string("missing") : "'" + std::string(ns) + "' is not allowed") +
               "; the Media Encoder Standard namespace is " + std::string(kNamespaces[0]) +
               " (or https://)");
    }
    return object(element, "Preset");
  }

 private:
  [[noreturn]] void fail(const std::string& path, int line, std::string message) const {
    throw PresetError(origin_, line, path, std::move(message));
  }

  int line_of(const pugi::xml_node& element) const {
    return element.offset_debug() < 0
               ? 0
               : line_and_column(text_, static_cast<std::size_t>(element.offset_debug())).first;
  }

  /// An element's attributes and child elements as the fields of an object.
  Node object(const pugi::xml_node& element, const std::string& path) {
    const DepthGuard guard(*this, path, element);
    Node node = start(Node::Kind::Object, path, line_of(element));
    std::set<std::string> seen;
    const auto add = [&](const std::string& name, Node field) {
      if (!seen.insert(lower(name)).second) {
        fail(field.path, field.line, "written twice (as an attribute or an element)");
      }
      node.fields.emplace_back(name, std::move(field));
    };
    for (const pugi::xml_attribute& attribute : element.attributes()) {
      const std::string name = attribute.name();
      if (name == "xmlns" || name.starts_with("xmlns:")) continue;  // namespace declarations
      Node value = start(Node::Kind::String, path + "/@" + name, node.line);
      value.text = attribute.value();
      add(name, std::move(value));
    }
    for (const pugi::xml_node& child : element.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        if (!trimmed(child.value()).empty()) {
          fail(path, line_of(child),
               "text '" + std::string(trimmed(child.value())) +
                   "' is not allowed here; this element holds only attributes and elements");
        }
        continue;
      }
      if (child.type() != pugi::node_element) continue;  // comments, processing instructions
      const std::string name = child.name();
      const std::string child_path = path + "/" + name;
      if (name.find(':') != std::string::npos) {
        fail(child_path, line_of(child),
             "elements of another namespace are not part of the Media Encoder Standard schema");
      }
      if (const ListRule* rule = list_rule(name)) {
        add(std::string(rule->field), list(child, child_path, *rule));
      } else if (name.ends_with("Format") && element.name() == std::string_view("Output")) {
        Node format = object(child, child_path);
        Node type = start(Node::Kind::String, child_path, format.line);
        type.text = name;
        format.fields.emplace(format.fields.begin(), "Type", std::move(type));
        add("Format", std::move(format));
      } else {
        add(name, value(child, child_path));
      }
    }
    return node;
  }

  /// An element: text when it has neither attributes nor child elements, else an object.
  Node value(const pugi::xml_node& element, const std::string& path) {
    const bool has_children =
        element.find_child([](const pugi::xml_node& n) { return n.type() == pugi::node_element; });
    if (element.first_attribute() || has_children) return object(element, path);
    Node node = start(Node::Kind::String, path, line_of(element));
    // All of the element's text: a comment or processing instruction may split it
    // (<Bitrate>10<!-- -->00</Bitrate> is 1000), and CDATA sections are text too.
    std::string text;
    for (const pugi::xml_node& child : element.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        text += child.value();
      }
    }
    node.text = trimmed(text);
    return node;
  }

  /// A list element (`<H264Layers>`): its child elements are the items.
  Node list(const pugi::xml_node& element, const std::string& path, const ListRule& rule) {
    const DepthGuard guard(*this, path, element);
    Node node = start(Node::Kind::Array, path, line_of(element));
    if (const pugi::xml_attribute attribute = element.first_attribute()) {
      fail(path + "/@" + attribute.name(), node.line,
           "<" + std::string(rule.element) + "> has no attributes; it lists its items");
    }
    std::map<std::string, std::size_t> counts;  // items per element name, for XPath indexes
    for (const pugi::xml_node& child : element.children()) {
      if (child.type() == pugi::node_element) ++counts[child.name()];
    }
    std::map<std::string, std::size_t> seen;
    for (const pugi::xml_node& child : element.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        if (!trimmed(child.value()).empty()) {
          fail(path, line_of(child),
               "text is not allowed in <" + std::string(rule.element) + ">; it lists elements");
        }
        continue;
      }
      if (child.type() != pugi::node_element) continue;
      const std::string name = child.name();
      // XPath style: "H264Layer[2]" among several H264Layer elements, "AACAudio" when alone.
      const std::size_t position = ++seen[name];
      const std::string item_path =
          path + "/" + name + (counts[name] > 1 ? "[" + std::to_string(position) + "]" : "");
      if (!rule.item.empty() && name != rule.item) {
        fail(item_path, line_of(child),
             "<" + std::string(rule.element) + "> holds <" + std::string(rule.item) +
                 "> elements; found <" + name + ">");
      }
      Node item = object(child, item_path);
      if (rule.typed_items) {
        Node type = start(Node::Kind::String, item_path, item.line);
        type.text = name;
        item.fields.emplace(item.fields.begin(), "Type", std::move(type));
      }
      node.items.push_back(std::move(item));
    }
    return node;
  }

  static Node start(Node::Kind kind, const std::string& path, int line) {
    Node node;
    node.kind = kind;
    node.path = path;
    node.line = line;
    node.form = Form::Xml;
    return node;
  }

  /// Counts the elements being read, failing beyond kMaxDepth (see there).
  class DepthGuard {
   public:
    DepthGuard(XmlReader& reader, const std::string& path, const pugi::xml_node& element)
        : reader_(reader) {
      if (++reader_.depth_ > kMaxDepth) {
        reader_.fail(path, reader_.line_of(element),
                     "nested more than " + std::to_string(kMaxDepth) +
                         " elements deep; an MES preset nests at most 6");
      }
    }
    ~DepthGuard() { --reader_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    XmlReader& reader_;
  };

  std::string_view text_;
  const std::string& origin_;
  int depth_ = 0;  ///< elements being read (object or list), for DepthGuard
};

}  // namespace

std::string Node::child_path(std::string_view name) const {
  if (form == Form::Xml) return path + "/" + std::string(name);
  return json_child_path(path, name);
}

bool looks_like_mes_preset(std::string_view text) {
  if (utf16_encoding(text)) return true;
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  text = trimmed(text);
  return !text.empty() && (text.front() == '{' || text.front() == '<');
}

std::string to_utf8(std::string_view text, const std::string& origin) {
  if (const auto utf16 = utf16_encoding(text)) {
    std::string utf8 = iconv_to_utf8(text.substr(utf16->second), utf16->first, origin);
    if (std::string_view(utf8).starts_with(kUtf8Bom)) utf8.erase(0, kUtf8Bom.size());
    return utf8;
  }
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  return std::string(text);
}

Form form_of(std::string_view utf8, const std::string& origin) {
  const std::string_view text = trimmed(utf8);
  if (text.starts_with('{')) return Form::Json;
  if (text.starts_with('<')) return Form::Xml;
  throw PresetError(origin, 0, "",
                    "not a Media Encoder Standard preset: JSON starts with '{', XML with '<'");
}

Node parse_json(std::string_view utf8, const std::string& origin) {
  nlohmann::json document;
  try {
    DuplicateKeyCheck check(origin);
    document = nlohmann::json::parse(utf8.begin(), utf8.end(), std::ref(check));
  } catch (const nlohmann::json::parse_error& error) {
    // what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: REASON".
    const std::string what = error.what();
    const auto column = what.find("column ");
    const auto colon = what.find(": ", column == std::string::npos ? 0 : column);
    const std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    const auto [line, col] = line_and_column(utf8, error.byte == 0 ? 0 : error.byte - 1);
    throw PresetError(origin, line, "",
                      "invalid JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(col) + ": " + reason);
  }
  if (!document.is_object()) {
    throw PresetError(origin, 1, "",
                      "a Media Encoder Standard JSON preset is an object ({\"Version\": 1.0, "
                      "\"Codecs\": [...], \"Outputs\": [...]})");
  }
  return from_json(document, "", origin);
}

Node parse_xml(std::string_view utf8, const std::string& origin) {
  pugi::xml_document document;
  const pugi::xml_parse_result result =
      document.load_buffer(utf8.data(), utf8.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result) {
    const auto [line, column] =
        line_and_column(utf8, result.offset < 0 ? 0 : static_cast<std::size_t>(result.offset));
    throw PresetError(origin, line, "",
                      "invalid XML at line " + std::to_string(line) + ", column " +
                          std::to_string(column) + ": " + result.description());
  }
  const pugi::xml_node root = document.document_element();
  if (!root) throw PresetError(origin, 0, "", "invalid XML: no root element");
  return XmlReader(utf8, origin).root(root);
}

}  // namespace mw::presets::mes
