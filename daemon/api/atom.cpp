// Atom media types: is_atom_content_type and accepts_atom (RFC 9110 §12.5.1 Accept, q-values).

#include "daemon/api/atom.hpp"

#include <charconv>
#include <string>

#include "daemon/api/atom_xml.hpp"

namespace mw::api::atom {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The media type of a Content-Type or Accept range, without its parameters.
std::string_view media_type(std::string_view value) {
  return trim(value.substr(0, value.find(';')));
}

bool is_xml_type(std::string_view type) {
  return iequals(type, "application/atom+xml") || iequals(type, "application/xml");
}

// The q parameter of an Accept range: 1 when absent, 0 when malformed (RFC 9110 §12.4.2).
double quality(std::string_view range) {
  for (size_t semi = range.find(';'); semi != std::string_view::npos;) {
    const size_t next = range.find(';', semi + 1);
    const std::string_view param = trim(range.substr(semi + 1, next - semi - 1));
    semi = next;
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    const std::string_view number = trim(param.substr(2));
    double q = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), q);
    if (ec != std::errc() || end != number.data() + number.size() || q < 0 || q > 1) return 0;
    return q;
  }
  return 1;
}

}  // namespace

bool is_atom_content_type(std::string_view content_type) noexcept {
  return is_xml_type(media_type(content_type));
}

bool accepts_atom(std::string_view accept) noexcept {
  double xml_q = 0;
  double json_q = 0;
  bool json_first = false;  // a JSON range came before any XML one with the same q
  size_t start = 0;
  while (start <= accept.size()) {
    const size_t comma = accept.find(',', start);
    const std::string_view range = accept.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? accept.size() + 1 : comma + 1;
    const std::string_view type = media_type(range);
    const double q = quality(range);
    if (is_xml_type(type)) {
      if (q > xml_q) xml_q = q;
    } else if (iequals(type, "application/json")) {
      if (q > json_q) json_first = xml_q < q;
      if (q > json_q) json_q = q;
    }
  }
  return xml_q > 0 && (xml_q > json_q || (xml_q == json_q && !json_first));
}

}  // namespace mw::api::atom
