#pragma once
// What the Atom reader (atom_read.cpp), writer (atom_write.cpp) and media types (atom.cpp) share:
// the OData v3 Atom namespaces (AMS-V2-JOB-PAGE.md, the $batch request and response) and the
// nesting limit.

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <pugixml.hpp>
#include <string_view>

namespace mw::api::atom {

inline constexpr std::string_view kAtomNs = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kDataNs = "http://schemas.microsoft.com/ado/2007/08/dataservices";
inline constexpr std::string_view kMetadataNs =
    "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
/// <link rel="<kRelatedRel><Nav>">: a navigation property.
inline constexpr std::string_view kRelatedRel =
    "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";
/// <category scheme=...> of an entry's type.
inline constexpr std::string_view kSchemeNs =
    "http://schemas.microsoft.com/ado/2007/08/dataservices/scheme";

/// Properties, d:element items and inline entries nest at most this deep (as JSON bodies,
/// request_body.cpp); deeper input is refused, so neither side recurses without bound.
inline constexpr int kMaxDepth = 64;
/// An entry or complex value has at most this many properties and links (AMS types have a few
/// dozen; JSON objects are ordered maps whose insertion grows with their size).
inline constexpr size_t kMaxProperties = 1000;
/// An element has at most this many attributes (the Job page's <entry> has 5).
inline constexpr size_t kMaxAttributes = 64;

/// The markup inside `element` exactly as it stands in `xml`, the text pugixml parsed it from:
/// from the end of its start tag to its end tag, XML declarations, comments and white space
/// included (pugixml keeps no declaration below the root). pugixml has checked that the
/// document is well-formed, so a scan of the tags finds the matching end tag in linear time.
/// nullopt when the element's offset does not point at its name in `xml`.
std::optional<std::string_view> raw_content(std::string_view xml, pugi::xml_node element);

/// Whether `name` is one of `names`.
template <size_t N>
bool contains(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

/// `text` without leading and trailing white space (XML's: space, tab, CR, LF).
inline std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace mw::api::atom
