#pragma once
// Blocking HTTP/1.1 requests over one libcurl easy handle (connections are reused between calls).

#include <curl/curl.h>

#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace mw::client {

/// One request. The body is either `body` (small, in memory) or the file `upload_file`, which is
/// streamed from disk with CURLOPT_UPLOAD and a read callback, never loaded whole.
struct HttpRequest {
  std::string method = "GET";         ///< GET, POST, PUT, DELETE, ...
  std::string url;                    ///< absolute and already percent-encoded
  std::vector<std::string> headers;   ///< "Name: value" lines
  std::string body;                   ///< sent when non-empty (and no upload_file)
  std::filesystem::path upload_file;  ///< non-empty: the body is this file's bytes
};

/// The answer to an HttpRequest (any status; the caller decides what is an error).
struct HttpResponse {
  long status = 0;           ///< HTTP status code
  std::string body;          ///< the whole body
  std::string content_type;  ///< the Content-Type header, "" if absent
};

/// A libcurl easy handle owned RAII-style. Not thread-safe: one request at a time.
class CurlHttp {
 public:
  /// @param stop  a requested stop aborts the request in flight (ClientError Canceled)
  /// @throws ClientError(Connection) when libcurl cannot create a handle
  explicit CurlHttp(std::stop_token stop = {});

  /// Sends `request` and returns the answer, whatever its status.
  /// Connect timeout 10 s; in-memory requests time out after 120 s; an upload is aborted when
  /// it stalls (no byte sent) for 60 s.
  /// @throws ClientError(Connection) on a transport failure (refused, timeout, reset), with
  ///         libcurl's message and the URL; ClientError(Input) when upload_file can't be read;
  ///         ClientError(Canceled) when the stop token is requested meanwhile.
  HttpResponse perform(const HttpRequest& request);

 private:
  struct EasyDeleter {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
  };
  std::stop_token stop_;
  std::unique_ptr<CURL, EasyDeleter> easy_;
};

/// Percent-encodes every byte but the RFC 3986 unreserved ones (A-Z a-z 0-9 - . _ ~), as AMS
/// expects Ids inside URLs: "nb:jid:UUID:1" -> "nb%3Ajid%3AUUID%3A1" (AMS-V2-REFERENCE.md §0).
std::string percent_encode(std::string_view text);

}  // namespace mw::client
