#pragma once
// The text of a Media Encoder Standard (MES) custom preset, JSON or XML, read into one tree shape
// so that one translator (presets/mes_preset.cpp) serves both forms. Internal to the presets
// module.
//
// The tree has the shape of the MES JSON form (AMS-V2-REFERENCE.md §8): the XML form's
// `<Encoding>` becomes `Codecs` with each codec element's name as its `Type`, an `<Output>`'s
// format element becomes `Format: {Type: ...}`, the items of the `...Layers` lists get their
// element name as `Type`, and attributes and child elements are both fields. Every node keeps
// the path and line where the user wrote it, in the user's form.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mw::presets::mes {

enum class Form { Json, Xml };

/// One value of the preset.
struct Node {
  enum class Kind { Object, Array, String, Number, Bool, Null };
  Kind kind = Kind::Null;
  /// String: the text (XML: trimmed element text or attribute value). Number: as written in
  /// JSON's shortest form ("4500", "3.1"). Bool: "true" or "false".
  std::string text;
  double number = 0;                                 ///< Number: the value
  bool integer = false;                              ///< Number: written as an integer
  std::vector<std::pair<std::string, Node>> fields;  ///< Object: in written order
  std::vector<Node> items;                           ///< Array
  /// Where it is written: "Codecs[0].H264Layers[1].Bitrate" (JSON) or
  /// "Preset/Encoding/H264Video/H264Layers/H264Layer[2]/Bitrate" (XML, XPath style: "[n]" counts
  /// the list items of one name from 1 and is left out for a single one; "@Name" for an attribute).
  std::string path;
  int line = 0;  ///< 1-based line (XML; the element's line for an attribute), 0 when unknown (JSON)
  Form form = Form::Json;

  /// The path of a field `name` of this object, for a field that is not written.
  std::string child_path(std::string_view name) const;
  /// An XML element with neither attributes, child elements nor text (`<Chapters />`), which
  /// reads as an empty object, an empty list or an empty string.
  bool is_empty_element() const {
    return form == Form::Xml && kind == Kind::String && text.empty();
  }
};

/// Whether a Configuration (or a preset file's text) is an MES preset rather than a preset name
/// or YAML: it starts with a UTF-16 byte order mark, or its first character that is not white
/// space (after a UTF-8 byte order mark) is '{' (JSON) or '<' (XML).
bool looks_like_mes_preset(std::string_view text);

/// The preset text as UTF-8 without a byte order mark. MES accepted UTF-8 and UTF-16 (DOCS
/// media-services-mes-presets-overview.md); UTF-16 is recognised by its byte order mark, or
/// without one by a NUL byte beside the first '{' or '<'.
/// @throws PresetError (file `origin`) for invalid UTF-16
std::string to_utf8(std::string_view text, const std::string& origin);

/// The form of UTF-8 text: JSON when its first non-blank character is '{', XML when '<'.
/// @throws PresetError when it is neither
Form form_of(std::string_view utf8, const std::string& origin);

/// Parses MES JSON into a tree. The root must be an object.
/// @throws PresetError for invalid JSON (with its line and column), a key written twice in one
///         object, or a root that is not an object
Node parse_json(std::string_view utf8, const std::string& origin);

/// Parses MES XML into a tree (see the file comment for the shape). The root must be
/// `<Preset xmlns="http(s)://www.windowsazure.com/media/encoding/Preset/2014/03">`.
/// @throws PresetError for invalid XML (with its line and column), another root or namespace,
///         a field written twice, text beside child elements, or a list item of the wrong name
Node parse_xml(std::string_view utf8, const std::string& origin);

}  // namespace mw::presets::mes
