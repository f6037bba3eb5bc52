#pragma once
// The $batch envelope: multipart/mixed (RFC 2046 §5.1.1) holding application/http requests
// (OData v3 batch processing, [MS-ODATA] §2.2.7.6), with change sets as nested multipart/mixed
// parts, one level deep. What AMS v2 clients send is in AMS-V2-JOB-PAGE.md ("Create a Job with
// notification subscriptions").
//
// Lines end in CRLF or in a bare LF (curl --data-binary of a file written on Unix sends LF only);
// the line end before a delimiter belongs to the delimiter. The preamble and the epilogue are
// ignored. Everything returned views the caller's text, which must outlive the result.
// Every problem throws ApiError 400 naming the place ("$batch part 2 (changeset part 1): missing
// blank line after the headers"). No regular expressions: one forward scan per level.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mw::api::multipart {

/// Limits against hostile or runaway bodies.
struct Limits {
  size_t max_operations = 1000;       ///< requests in one batch, changesets' included (and parts)
  size_t max_header_line = 8 * 1024;  ///< bytes of one header or request line, line end excluded
  size_t max_headers = 100;           ///< header lines of one part or request
};

/// A place in a batch for messages: "$batch", "$batch part 2", "$batch part 2 (changeset part 1)".
/// Parts are numbered from 1 in the order sent.
struct Where {
  size_t part = 0;            ///< 0: the batch as a whole
  size_t changeset_part = 0;  ///< 0: not inside a changeset (or the changeset as a whole)
  std::string str() const;
};

/// One header line as sent: name and value with the surrounding blanks trimmed.
struct Header {
  std::string_view name;
  std::string_view value;
};
using Headers = std::vector<Header>;

/// The value of the first header called `name` (ASCII case-insensitive); nullopt when absent.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

/// Whether the media type of a Content-Type value is `type` ("multipart/mixed"), ignoring case,
/// blanks and parameters.
bool has_media_type(std::string_view content_type, std::string_view type);

/// A parameter of a Content-Type value (RFC 2045 §5.1): token or quoted-string, the name
/// compared without case. parameter("multipart/mixed; boundary=\"b 1\"", "boundary") -> "b 1".
/// nullopt when absent (or when the value is not well-formed).
std::optional<std::string> content_type_parameter(std::string_view content_type,
                                                  std::string_view name);

/// The boundary of a multipart Content-Type (1 to 70 characters, RFC 2046 §5.1.1).
/// @throws ApiError 400 "<where>: Content-Type '<ct>' ..." when it is missing or too long
std::string boundary_of(std::string_view content_type, const Where& where);

/// One MIME body part: its headers and its body (what follows the blank line, up to the line
/// end before the next delimiter).
struct Part {
  Where where;
  Headers headers;
  std::string_view body;
};

/// Splits a multipart body on `boundary`. `container` names the body: the batch (Where{}) or a
/// changeset (Where{n}); the parts are named below it. At most `max_parts` parts.
/// @throws ApiError 400: no delimiter, a missing close delimiter, a part without the blank line
///         after its headers, a header line without ':' or longer than the limit, too many parts
std::vector<Part> split_parts(std::string_view body, std::string_view boundary,
                              const Where& container, size_t max_parts, const Limits& limits = {});

/// An application/http part: "POST <url> HTTP/1.1", headers, a blank line, the body. The blank
/// line may be missing when there is no body (GET parts often end after their headers).
struct HttpRequest {
  std::string_view method;   ///< "GET", "POST", ... as sent (upper case)
  std::string_view url;      ///< absolute ("https://host/api/Jobs"), rooted ("/api/Jobs") or
                             ///< relative to the service root ("Jobs", "$1/Tasks")
  std::string_view version;  ///< "HTTP/1.1"
  Headers headers;
  std::string_view body;
};

/// Parses the body of an application/http part.
/// @throws ApiError 400 "<where>: ..." (a request line that is not "<METHOD> <URL> HTTP/1.x",
///         bad header lines)
HttpRequest parse_http_request(std::string_view text, const Where& where,
                               const Limits& limits = {});

/// One request of a batch.
struct Operation {
  Where where;
  std::string_view content_id;  ///< Content-ID of the MIME part or of the request; "" when none
  HttpRequest request;
};

/// A top-level part: one request outside changesets, or a changeset's requests.
struct BatchPart {
  Where where;
  bool changeset = false;
  std::vector<Operation> operations;  ///< exactly one when !changeset
};

/// Parses a $batch body sent with `content_type` ("multipart/mixed; boundary=batch_...").
/// @throws ApiError 400 naming the place: not multipart/mixed, no boundary, malformed parts, a
///         part neither application/http nor multipart/mixed, a changeset inside a changeset,
///         a Content-Transfer-Encoding other than binary/8bit/7bit, more than
///         limits.max_operations requests
std::vector<BatchPart> parse_batch(std::string_view body, std::string_view content_type,
                                   const Limits& limits = {});

/// Writers for the response: "--<boundary>\r\n", the headers, "\r\n", the body, "\r\n"
/// (RFC 2046: the CRLF before the next delimiter belongs to it).
void append_part(std::string& out, std::string_view boundary,
                 const std::vector<std::pair<std::string, std::string>>& headers,
                 std::string_view body);
/// The close delimiter "--<boundary>--" (no line end: the enclosing part adds it).
void append_close(std::string& out, std::string_view boundary);

}  // namespace mw::api::multipart
