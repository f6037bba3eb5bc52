// The markup inside an element exactly as the client wrote it (atom_xml.hpp, raw_content).

#include <cstddef>

#include "daemon/api/atom_xml.hpp"

namespace mw::api::atom {

namespace {

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

}  // namespace

std::optional<std::string_view> raw_content(std::string_view xml, pugi::xml_node element) {
  const std::string_view name = element.name();
  const ptrdiff_t offset = element.offset_debug();
  if (offset < 1 || static_cast<size_t>(offset) >= xml.size() ||
      xml.substr(static_cast<size_t>(offset), name.size()) != name)
    return std::nullopt;
  size_t pos = end_of_tag(xml, static_cast<size_t>(offset));
  const size_t begin = pos;
  int depth = 0;
  while (pos != std::string_view::npos) {
    const size_t lt = xml.find('<', pos);
    if (lt == std::string_view::npos) return std::nullopt;
    const std::string_view rest = xml.substr(lt);
    if (rest.starts_with("<!--")) {
      pos = after(xml, "-->", lt + 4);
    } else if (rest.starts_with("<![CDATA[")) {
      pos = after(xml, "]]>", lt + 9);
    } else if (rest.starts_with("<?")) {
      pos = after(xml, "?>", lt + 2);
    } else if (rest.starts_with("</")) {
      if (depth == 0) return xml.substr(begin, lt - begin);
      --depth;
      pos = end_of_tag(xml, lt);
    } else {
      pos = end_of_tag(xml, lt);
      if (pos != std::string_view::npos && xml[pos - 2] != '/') ++depth;
    }
  }
  return std::nullopt;
}

}  // namespace mw::api::atom
