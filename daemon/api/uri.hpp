#pragma once
// OData v3 URL pieces as AMS v2 clients send them (AMS-V2-REFERENCE.md §0): entity Ids appear
// quoted and often percent-encoded in a path segment (Jobs('nb%3Ajid%3AUUID%3A...'), also
// unencoded, and "Jobs()" for the whole set), in __metadata.uri / @odata.bind links with any host,
// and as quoted function arguments (CancelJob?jobid='nb%3ajid%3a...').
// Malformed input throws UriError (std::invalid_argument); the router answers it with 400.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mw::api {

/// A malformed URL piece; what() says which piece and why.
class UriError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Decodes %XX escapes (either hex case); with `plus_is_space` (query strings) '+' is a space.
/// @throws UriError on a '%' not followed by two hex digits
std::string percent_decode(std::string_view text, bool plus_is_space = false);

/// Encodes every byte except the RFC 3986 unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX with
/// upper-case hex: "nb:jid:UUID:x" -> "nb%3Ajid%3AUUID%3Ax" (the form AMS puts in URLs).
std::string percent_encode(std::string_view text);

/// An OData string literal: "'abc'" -> "abc" with doubled quotes un-doubled ("'it''s'" ->
/// "it's"); text without surrounding quotes is returned as it is.
/// @throws UriError on an unterminated literal or a lone quote inside it
std::string unquote_literal(std::string_view text);

/// One path segment: "Jobs", "Jobs()", "Jobs('id')" (percent-decoded first).
struct Segment {
  std::string name;                ///< "Jobs"
  std::optional<std::string> key;  ///< "id" (decoded, unquoted); nullopt for "Jobs" and "Jobs()"
};

/// Parses one raw (still percent-encoded) path segment.
/// @throws UriError (bad percent-encoding, unterminated quote, text after ')', empty name)
Segment parse_segment(std::string_view raw);

/// The Id an entity link names, e.g. "https://<any host>/api/Assets('nb%3Acid%3AUUID%3Ax')" ->
/// "nb:cid:UUID:x" for set "Assets". Only the last path segment counts (scheme and host are
/// ignored, as any AMS host is accepted); a relative "Assets('x')" works too.
/// @throws UriError when the link is malformed or names another entity set or no key
std::string entity_id_from_link(std::string_view link, std::string_view set);

/// A path the API does not serve (answered with 404); what() names the segment.
class NotFoundPath : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A request target under /api/: "/api/Jobs('id')/Tasks?$top=5".
struct Target {
  std::string set;                           ///< "Jobs", "CancelJob", ...; empty for "/api/"
  std::optional<std::string> key;            ///< the decoded entity Id, when given
  std::string property;                      ///< "Tasks", "$value", "State"; empty when absent
  std::map<std::string, std::string> query;  ///< decoded query options ("$top" -> "5")
};

/// Parses a request target. Paths outside /api/ and paths deeper than Set(key)/Property throw
/// NotFoundPath (HTTP 404); malformed ones throw UriError (HTTP 400).
Target parse_target(std::string_view target);

}  // namespace mw::api
