#pragma once
// $batch helpers for the API tests: writing a batch body (LF line ends, as curl sends a file;
// crlf() for the other form) and reading the multipart answer back with the daemon's own
// parser.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/api/multipart.hpp"
#include "tests/daemon/api/api_fixture.hpp"

namespace mw::api::test {

/// One application/http part: its MIME headers, a blank line, `request_line`, `headers`, a
/// blank line and `body`.
inline std::string http_part(const std::string& request_line, const Headers& headers,
                             const std::string& body = {}) {
  std::string out = "Content-Type: application/http\nContent-Transfer-Encoding: binary\n\n" +
                    request_line + " HTTP/1.1\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\n";
  return out + "\n" + body;
}

/// The body of a multipart/mixed with `parts`.
inline std::string multipart_body(const std::string& boundary,
                                  const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += "--" + boundary + "\n" + part + "\n";
  return out + "--" + boundary + "--\n";
}

/// A changeset part holding `parts`.
inline std::string changeset(const std::string& boundary, const std::vector<std::string>& parts) {
  return "Content-Type: multipart/mixed; boundary=" + boundary + "\n\n" +
         multipart_body(boundary, parts);
}

inline std::string crlf(const std::string& lf) {
  std::string out;
  for (const char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

/// One answer inside the batch response.
struct PartReply {
  int status = 0;
  Headers headers;  ///< names as sent
  std::string body;
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string error_message() const {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"]["message"]["value"].get<std::string>()
                                                : std::string{};
  }
};

/// A top-level part of the batch response: a changeset's answers, or one answer.
struct BatchItem {
  bool changeset = false;
  std::vector<PartReply> replies;
};

inline PartReply part_reply(const multipart::Part& part) {
  EXPECT_EQ(multipart::find_header(part.headers, "Content-Type").value_or(""), "application/http");
  EXPECT_EQ(multipart::find_header(part.headers, "Content-Transfer-Encoding").value_or(""),
            "binary");
  PartReply reply;
  const std::string_view text = part.body;
  const size_t status_end = text.find("\r\n");
  const std::string_view status_line = text.substr(0, status_end);
  EXPECT_EQ(status_line.substr(0, 9), "HTTP/1.1 ") << status_line;
  reply.status = std::stoi(std::string(status_line.substr(9, 3)));
  size_t pos = status_end + 2;
  for (;;) {
    const size_t end = text.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) {
      pos = end == std::string_view::npos ? text.size() : end + 2;
      break;
    }
    const std::string_view line = text.substr(pos, end - pos);
    const size_t colon = line.find(": ");
    reply.headers[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 2));
    pos = end + 2;
  }
  reply.body = std::string(text.substr(pos));
  return reply;
}

/// The items of a 202 batch response, in order.
inline std::vector<BatchItem> batch_items(const Reply& reply) {
  EXPECT_EQ(reply.status, 202) << reply.body;
  const std::string type = reply.header("content-type");
  const std::string prefix = "multipart/mixed; boundary=batchresponse_";
  EXPECT_EQ(type.substr(0, prefix.size()), prefix);
  EXPECT_TRUE(has_shape(type.substr(std::min(type.size(), prefix.size())), kGuidShape)) << type;
  std::vector<BatchItem> items;
  const auto boundary = multipart::boundary_of(type, {});
  for (const auto& part : multipart::split_parts(reply.body, boundary, {}, 1000)) {
    BatchItem item;
    const auto part_type = multipart::find_header(part.headers, "Content-Type").value_or("");
    if (multipart::has_media_type(part_type, "multipart/mixed")) {
      item.changeset = true;
      const std::string_view changeset_prefix = "multipart/mixed; boundary=changesetresponse_";
      EXPECT_EQ(part_type.substr(0, changeset_prefix.size()), changeset_prefix);
      for (const auto& inner : multipart::split_parts(
               part.body, multipart::boundary_of(part_type, part.where), part.where, 1000))
        item.replies.push_back(part_reply(inner));
    } else {
      item.replies.push_back(part_reply(part));
    }
    items.push_back(std::move(item));
  }
  return items;
}

/// The headers of a JSON part in the verbose or the light flavour.
inline Headers json_part_headers(const std::string& content_id, bool verbose = true) {
  const std::string type = verbose ? "application/json;odata=verbose" : "application/json";
  Headers headers{{"Content-Type", type}, {"Accept", type}, {"DataServiceVersion", "3.0"}};
  if (!content_id.empty()) headers["Content-ID"] = content_id;
  return headers;
}

}  // namespace mw::api::test
