#include "daemon/api/multipart.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/api/api_error.hpp"

namespace mw::api::multipart {

namespace {

constexpr size_t kMaxBoundary = 70;  // RFC 2046 §5.1.1
constexpr size_t kExcerpt = 80;      // bytes of a bad line quoted in a message

// ASCII case-insensitive equality (header names, media types, parameter names: RFC 2045).
bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

[[noreturn]] void fail(const Where& where, std::string_view problem) {
  throw bad_request(fmt::format("{}: {}", where.str(), problem));
}

// The start of `text` for an error message: bytes outside printable ASCII as \xHH (a NUL would
// otherwise end the message early).
std::string excerpt(std::string_view text) {
  std::string out;
  for (const unsigned char c : text.substr(0, kExcerpt))
    out += c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02X}", c);
  return text.size() <= kExcerpt ? out : out + "...";
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && (is_blank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The line starting at `pos` without its line end (LF or CRLF); `pos` moves past the line end.
std::string_view next_line(std::string_view text, size_t& pos) {
  const size_t lf = text.find('\n', pos);
  const size_t end = lf == std::string_view::npos ? text.size() : lf;
  std::string_view line = text.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = lf == std::string_view::npos ? text.size() : lf + 1;
  return line;
}

Where child(const Where& container, size_t index) {
  return container.part == 0 ? Where{index, 0} : Where{container.part, index};
}

// Where the next delimiter line "--<boundary>" (or the close delimiter "--<boundary>--") starts
// at or after `from`: at the start of a line, followed by "--" or by blanks and a line end.
size_t find_delimiter(std::string_view body, std::string_view dash_boundary, size_t from) {
  for (size_t pos = body.find(dash_boundary, from); pos != std::string_view::npos;
       pos = body.find(dash_boundary, pos + 1)) {
    if (pos != 0 && body[pos - 1] != '\n') continue;
    size_t k = pos + dash_boundary.size();
    if (body.substr(k, 2) == "--") return pos;
    while (k < body.size() && is_blank(body[k])) ++k;  // transport padding
    if (k == body.size() || body[k] == '\n' || body.substr(k, 2) == "\r\n" ||
        body.substr(k) == "\r")
      return pos;
  }
  return std::string_view::npos;
}

// Header lines from `pos` up to the blank line (consumed). Without `blank_required`, the end of
// the text also ends the headers.
Headers read_headers(std::string_view text, size_t& pos, const Where& where, const Limits& limits,
                     bool blank_required) {
  Headers headers;
  for (;;) {
    if (pos >= text.size()) {
      if (blank_required) fail(where, "missing blank line after the headers");
      return headers;
    }
    const std::string_view line = next_line(text, pos);
    if (line.empty()) return headers;
    if (line.size() > limits.max_header_line)
      fail(where, fmt::format("a header line is longer than {} bytes", limits.max_header_line));
    if (headers.size() == limits.max_headers)
      fail(where, fmt::format("more than {} header lines", limits.max_headers));
    if (is_blank(line.front()))
      fail(where, fmt::format("folded header line '{}' (continuation lines are not supported)",
                              excerpt(line)));
    const size_t colon = line.find(':');
    const std::string_view name =
        colon == std::string_view::npos ? std::string_view{} : line.substr(0, colon);
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos)
      fail(where, fmt::format("header line '{}' is not 'Name: value' (is the blank line after "
                              "the headers missing?)",
                              excerpt(line)));
    headers.push_back({name, trim(line.substr(colon + 1))});
  }
}

Part parse_part(std::string_view text, const Where& where, const Limits& limits) {
  Part part{where, {}, {}};
  size_t pos = 0;
  part.headers = read_headers(text, pos, where, limits, true);
  part.body = text.substr(pos);
  return part;
}

Operation to_operation(const Part& part, const Limits& limits) {
  const auto content_type = find_header(part.headers, "Content-Type");
  if (!content_type)
    fail(part.where, "no Content-Type header; a request part is Content-Type: application/http");
  if (!has_media_type(*content_type, "application/http"))
    fail(part.where,
         fmt::format("Content-Type '{}' is not application/http", excerpt(*content_type)));
  if (const auto encoding = find_header(part.headers, "Content-Transfer-Encoding");
      encoding && !iequals(*encoding, "binary") && !iequals(*encoding, "8bit") &&
      !iequals(*encoding, "7bit"))
    fail(part.where, fmt::format("Content-Transfer-Encoding '{}' is not supported; send binary",
                                 excerpt(*encoding)));
  Operation operation{part.where, {}, parse_http_request(part.body, part.where, limits)};
  // [MS-ODATA] puts Content-ID among the part's MIME headers; AMS clients put it among the
  // request's headers (AMS-V2-JOB-PAGE.md). Either is taken.
  auto content_id = find_header(part.headers, "Content-ID");
  if (!content_id) content_id = find_header(operation.request.headers, "Content-ID");
  operation.content_id = content_id.value_or("");
  return operation;
}

bool is_method_char(char c) {
  return c >= 'A' && c <= 'Z';
}

}  // namespace

std::string Where::str() const {
  if (part == 0) return "$batch";
  if (changeset_part == 0) return fmt::format("$batch part {}", part);
  return fmt::format("$batch part {} (changeset part {})", part, changeset_part);
}

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return h.value;
  return std::nullopt;
}

bool has_media_type(std::string_view content_type, std::string_view type) {
  return iequals(trim(content_type.substr(0, content_type.find(';'))), type);
}

std::optional<std::string> content_type_parameter(std::string_view content_type,
                                                  std::string_view name) {
  const std::string_view ct = content_type;
  size_t i = ct.find(';');
  while (i != std::string_view::npos && i < ct.size()) {
    ++i;  // past ';'
    const size_t stop = ct.find_first_of("=;", i);
    const std::string_view key =
        trim(ct.substr(i, stop == std::string_view::npos ? ct.npos : stop - i));
    if (stop == std::string_view::npos) return std::nullopt;
    if (ct[stop] == ';') {  // a parameter without a value
      i = stop;
      continue;
    }
    i = stop + 1;
    while (i < ct.size() && is_blank(ct[i])) ++i;
    std::string value;
    if (i < ct.size() && ct[i] == '"') {  // quoted-string, with quoted-pairs
      bool closed = false;
      for (++i; i < ct.size(); ++i) {
        if (ct[i] == '\\' && i + 1 < ct.size()) {
          value.push_back(ct[++i]);
        } else if (ct[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          value.push_back(ct[i]);
        }
      }
      if (!closed) return std::nullopt;
      i = ct.find(';', i);
    } else {
      const size_t end = ct.find(';', i);
      value = std::string(trim(ct.substr(i, end == std::string_view::npos ? ct.npos : end - i)));
      i = end;
    }
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::string boundary_of(std::string_view content_type, const Where& where) {
  const auto boundary = content_type_parameter(content_type, "boundary");
  if (!boundary || boundary->empty())
    fail(where, fmt::format("Content-Type '{}' has no boundary parameter (expected "
                            "multipart/mixed; boundary=<boundary>)",
                            excerpt(content_type)));
  if (boundary->size() > kMaxBoundary)
    fail(where, fmt::format("the boundary '{}' is longer than {} characters (RFC 2046)",
                            excerpt(*boundary), kMaxBoundary));
  return *boundary;
}

std::vector<Part> split_parts(std::string_view body, std::string_view boundary,
                              const Where& container, size_t max_parts, const Limits& limits) {
  const std::string dash_boundary = fmt::format("--{}", boundary);
  size_t pos = find_delimiter(body, dash_boundary, 0);
  if (pos == std::string_view::npos)
    fail(container, body.empty()
                        ? fmt::format("the body is empty; expected parts delimited by '{}' lines",
                                      dash_boundary)
                        : fmt::format("no '{}' delimiter line: the body is not multipart with the "
                                      "boundary its Content-Type gives",
                                      dash_boundary));
  std::vector<Part> parts;
  for (;;) {
    size_t start = pos + dash_boundary.size();
    if (body.substr(start, 2) == "--") return parts;  // the close delimiter; epilogue ignored
    if (parts.size() == max_parts)
      fail(container, fmt::format("too many parts (a $batch holds at most {} requests)",
                                  limits.max_operations));
    next_line(body, start);  // the rest of the delimiter line: transport padding, line end
    const Where where = child(container, parts.size() + 1);
    const size_t next = find_delimiter(body, dash_boundary, start);
    if (next == std::string_view::npos)
      fail(where, fmt::format("the part does not end: the close delimiter '{}--' is missing",
                              dash_boundary));
    size_t end = next;  // the line end before a delimiter belongs to the delimiter
    if (end > start && body[end - 1] == '\n') --end;
    if (end > start && body[end - 1] == '\r') --end;
    parts.push_back(parse_part(body.substr(start, end - start), where, limits));
    pos = next;
  }
}

HttpRequest parse_http_request(std::string_view text, const Where& where, const Limits& limits) {
  size_t pos = 0;
  const std::string_view line = next_line(text, pos);
  if (line.empty())
    fail(where, "the application/http part has no request line (<METHOD> <URL> HTTP/1.1)");
  if (line.size() > limits.max_header_line)
    fail(where, fmt::format("the request line is longer than {} bytes", limits.max_header_line));
  HttpRequest request;
  const size_t first = line.find(' ');
  const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second != std::string_view::npos) {
    request.method = line.substr(0, first);
    request.url = line.substr(first + 1, second - first - 1);
    request.version = line.substr(second + 1);
  }
  const bool method_ok = !request.method.empty() &&
                         std::all_of(request.method.begin(), request.method.end(), is_method_char);
  if (!method_ok || request.url.empty() || request.version.substr(0, 7) != "HTTP/1." ||
      request.version.size() != 8)
    fail(where,
         fmt::format("the request line '{}' is not '<METHOD> <URL> HTTP/1.1'", excerpt(line)));
  request.headers = read_headers(text, pos, where, limits, false);
  request.body = text.substr(pos);
  return request;
}

std::vector<BatchPart> parse_batch(std::string_view body, std::string_view content_type,
                                   const Limits& limits) {
  const Where batch{};
  if (!has_media_type(content_type, "multipart/mixed"))
    fail(batch, fmt::format("Content-Type '{}' is not multipart/mixed (a $batch request is "
                            "multipart/mixed; boundary=batch_<id>)",
                            excerpt(content_type)));
  const std::vector<Part> parts =
      split_parts(body, boundary_of(content_type, batch), batch, limits.max_operations, limits);
  std::vector<BatchPart> out;
  size_t operations = 0;
  for (const Part& part : parts) {
    BatchPart item{part.where, false, {}};
    const auto part_type = find_header(part.headers, "Content-Type");
    if (part_type && has_media_type(*part_type, "multipart/mixed")) {
      item.changeset = true;
      const auto inner = split_parts(part.body, boundary_of(*part_type, part.where), part.where,
                                     limits.max_operations - operations, limits);
      for (const Part& request : inner) {
        const auto type = find_header(request.headers, "Content-Type");
        if (type && has_media_type(*type, "multipart/mixed"))
          fail(request.where, "a changeset inside a changeset (OData allows one level)");
        item.operations.push_back(to_operation(request, limits));
      }
    } else {
      if (!part_type)
        fail(part.where,
             "no Content-Type header; expected application/http (one request) or "
             "multipart/mixed (a changeset)");
      item.operations.push_back(to_operation(part, limits));
    }
    operations += item.operations.size();
    if (operations > limits.max_operations)
      fail(batch, fmt::format("too many parts (a $batch holds at most {} requests)",
                              limits.max_operations));
    out.push_back(std::move(item));
  }
  return out;
}

void append_part(std::string& out, std::string_view boundary,
                 const std::vector<std::pair<std::string, std::string>>& headers,
                 std::string_view body) {
  out += fmt::format("--{}\r\n", boundary);
  for (const auto& [name, value] : headers) out += fmt::format("{}: {}\r\n", name, value);
  out += "\r\n";
  out += body;
  out += "\r\n";
}

void append_close(std::string& out, std::string_view boundary) {
  out += fmt::format("--{}--", boundary);
}

}  // namespace mw::api::multipart
