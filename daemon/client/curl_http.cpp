#include "daemon/client/curl_http.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "daemon/client/client_error.hpp"

namespace mw::client {

namespace {

/// libcurl's global state, set up before the first handle and torn down at exit.
/// (curl_global_init is thread-safe since libcurl 7.84.)
void ensure_curl_global() {
  struct Global {
    Global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~Global() { curl_global_cleanup(); }
  };
  static const Global global;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

/// The upload source for CURLOPT_READFUNCTION; remembers a read error for the caller.
struct UploadSource {
  std::FILE* file = nullptr;
  int error = 0;  ///< errno of a failed read, 0 if none
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<UploadSource*>(user);
  const size_t n = std::fread(buffer, 1, size * count, source->file);
  if (n == 0 && std::ferror(source->file)) {
    source->error = errno != 0 ? errno : EIO;
    return CURL_READFUNC_ABORT;
  }
  return n;
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

/// CURLOPT_XFERINFOFUNCTION: a non-zero return aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
int check_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

}  // namespace

CurlHttp::CurlHttp(std::stop_token stop) : stop_(std::move(stop)) {
  ensure_curl_global();
  easy_.reset(curl_easy_init());
  if (!easy_) throw ClientError(ErrorKind::Connection, "libcurl could not create a handle");
}

HttpResponse CurlHttp::perform(const HttpRequest& request) {
  CURL* easy = easy_.get();
  curl_easy_reset(easy);  // clears the options; keeps the connection cache
  HttpResponse response;
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, check_stop);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &stop_);

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const auto add_header = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) throw ClientError(ErrorKind::Connection, "libcurl: out of memory");
    (void)headers.release();  // curl_slist_append returned the same list, now one longer
    headers.reset(grown);
  };
  for (const std::string& line : request.headers) add_header(line);
  // No "Expect: 100-continue": the body goes at once instead of after a 1 s wait on servers that
  // don't answer 100.
  add_header("Expect:");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());

  std::unique_ptr<std::FILE, FileCloser> file;
  UploadSource source;
  if (!request.upload_file.empty()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(request.upload_file, ec);
    file.reset(ec ? nullptr : std::fopen(request.upload_file.c_str(), "rb"));
    const int open_error = errno;
    if (!file)
      throw ClientError(
          ErrorKind::Input,
          fmt::format("{}: cannot read the file: {}", request.upload_file.string(),
                      ec ? ec.message() : std::generic_category().message(open_error)));
    source.file = file.get();
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(easy, CURLOPT_READDATA, &source);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 60L);
    if (request.method != "PUT")
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 120L);
    if (request.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
      }
    }
  }

  const CURLcode rc = curl_easy_perform(easy);
  if (source.error != 0)
    throw ClientError(ErrorKind::Input, fmt::format("{}: read error while uploading: {}",
                                                    request.upload_file.string(),
                                                    std::generic_category().message(source.error)));
  if (rc == CURLE_ABORTED_BY_CALLBACK && stop_.stop_requested())
    throw ClientError(ErrorKind::Canceled,
                      fmt::format("{} {}: interrupted", request.method, request.url));
  if (rc != CURLE_OK) {
    std::string cause = error_text[0] != '\0' ? error_text : curl_easy_strerror(rc);
    long os_error = 0;
    if (rc == CURLE_COULDNT_CONNECT &&
        curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_error) == CURLE_OK &&
        os_error != 0)  // "Connection refused" says more than "Couldn't connect to server"
      cause = std::generic_category().message(static_cast<int>(os_error));
    if (rc == CURLE_COULDNT_CONNECT) cause += "; is `mediaworker serve` running there?";
    throw ClientError(ErrorKind::Connection,
                      fmt::format("cannot reach {}: {}", request.url, cause));
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  const char* content_type = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK &&
      content_type != nullptr)
    response.content_type = content_type;
  return response;
}

std::string percent_encode(std::string_view text) {
  // The handle argument of curl_easy_escape is ignored since libcurl 7.82.
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())), &curl_free);
  if (!escaped) throw ClientError(ErrorKind::Connection, "libcurl: out of memory");
  return escaped.get();
}

}  // namespace mw::client
