#include "daemon/api/uri.hpp"

#include <vector>

namespace mw::api {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Splits `text` at every `sep` (empty pieces kept).
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

// "http://host:port/api/x" -> "/api/x" (absolute-form targets and links); other text unchanged.
std::string_view strip_scheme_and_host(std::string_view text) {
  const size_t scheme = text.find("://");
  if (scheme == std::string_view::npos ||
      text.substr(0, scheme).find('/') != std::string_view::npos)
    return text;
  const size_t path = text.find('/', scheme + 3);
  return path == std::string_view::npos ? std::string_view{} : text.substr(path);
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        throw UriError("bad percent-encoding at offset " + std::to_string(i) + " of '" +
                       std::string(text) + "'");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string unquote_literal(std::string_view text) {
  if (text.empty() || text.front() != '\'') {
    if (text.find('\'') != std::string_view::npos)
      throw UriError("unbalanced quote in '" + std::string(text) + "'");
    return std::string(text);
  }
  if (text.size() < 2 || text.back() != '\'')
    throw UriError("unterminated string literal " + std::string(text));
  const std::string_view inner = text.substr(1, text.size() - 2);
  std::string out;
  out.reserve(inner.size());
  for (size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '\'') {
      if (i + 1 >= inner.size() || inner[i + 1] != '\'')
        throw UriError("a quote inside " + std::string(text) + " must be doubled");
      ++i;
    }
    out.push_back(inner[i]);
  }
  return out;
}

Segment parse_segment(std::string_view raw) {
  const std::string decoded = percent_decode(raw);
  Segment segment;
  const size_t open = decoded.find('(');
  segment.name = decoded.substr(0, open);
  if (segment.name.empty()) throw UriError("path segment '" + std::string(raw) + "' has no name");
  if (open == std::string::npos) return segment;
  if (decoded.back() != ')')
    throw UriError("path segment '" + std::string(raw) + "' does not end with ')'");
  const std::string_view inner =
      std::string_view(decoded).substr(open + 1, decoded.size() - open - 2);
  if (!inner.empty()) segment.key = unquote_literal(inner);
  return segment;
}

std::string entity_id_from_link(std::string_view link, std::string_view set) {
  std::string_view path = strip_scheme_and_host(link);
  path = path.substr(0, path.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  const Segment segment =
      parse_segment(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (segment.name != set || !segment.key || segment.key->empty())
    throw UriError("'" + std::string(link) + "' is not a link to one of the " + std::string(set));
  return *segment.key;
}

Target parse_target(std::string_view target) {
  const size_t question = target.find('?');
  std::string_view path = strip_scheme_and_host(target.substr(0, question));
  Target result;
  if (question != std::string_view::npos) {
    for (const std::string_view option : split(target.substr(question + 1), '&')) {
      if (option.empty()) continue;
      const size_t eq = option.find('=');
      std::string name = percent_decode(option.substr(0, eq), true);
      result.query[std::move(name)] = eq == std::string_view::npos
                                          ? std::string{}
                                          : percent_decode(option.substr(eq + 1), true);
    }
  }
  constexpr std::string_view kRoot = "/api";
  if (path.substr(0, kRoot.size()) != kRoot ||
      (path.size() > kRoot.size() && path[kRoot.size()] != '/'))
    throw NotFoundPath("the API lives under /api/; '" + std::string(path) + "' is not served");
  path.remove_prefix(kRoot.size());
  if (!path.empty()) path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return result;

  const std::vector<std::string_view> segments = split(path, '/');
  for (const auto& s : segments)
    if (s.empty()) throw NotFoundPath("empty path segment in '" + std::string(target) + "'");
  if (segments.size() > 2)
    throw NotFoundPath("Resource not found for the segment '" + std::string(segments[2]) + "'.");
  Segment first = parse_segment(segments[0]);
  result.set = std::move(first.name);
  result.key = std::move(first.key);
  if (segments.size() == 2) {
    Segment second = parse_segment(segments[1]);
    if (second.key)
      throw NotFoundPath("Resource not found for the segment '" + std::string(segments[1]) + "'.");
    result.property = std::move(second.name);
  }
  return result;
}

}  // namespace mw::api
