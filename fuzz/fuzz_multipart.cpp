// libFuzzer target: the $batch envelope parser (daemon/api/multipart.hpp). The input's first
// line is the Content-Type (so that the boundary parameter is fuzzed too), the rest the body.
// Besides crashes and sanitizer reports, it aborts when the parser refuses with anything but an
// ApiError 400 or returns a view that is not inside the body.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/api/api_error.hpp"
#include "daemon/api/multipart.hpp"

namespace {

using namespace mw::api;

void require(bool condition) {
  if (!condition) std::abort();
}

void require_inside(std::string_view view, std::string_view text) {
  require(view.empty() ||
          (view.data() >= text.data() && view.data() + view.size() <= text.data() + text.size()));
}

void check_request(const multipart::HttpRequest& request, std::string_view text) {
  require(!request.method.empty() && !request.url.empty());
  for (const auto view : {request.method, request.url, request.version, request.body})
    require_inside(view, text);
  for (const auto& header : request.headers) {
    require(!header.name.empty());
    require_inside(header.name, text);
    require_inside(header.value, text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t lf = input.find('\n');
  const std::string_view content_type = input.substr(0, lf);
  const std::string_view body = lf == std::string_view::npos ? "" : input.substr(lf + 1);
  try {
    const auto parts = multipart::parse_batch(body, content_type);
    size_t operations = 0;
    for (const auto& part : parts) {
      require(part.changeset || part.operations.size() == 1);
      for (const auto& op : part.operations) {
        check_request(op.request, body);
        require_inside(op.content_id, body);
        require(!op.where.str().empty());
        ++operations;
      }
    }
    require(operations <= multipart::Limits{}.max_operations);
  } catch (const ApiError& e) {
    require(e.status() == http::status::bad_request);
  }
  try {
    check_request(multipart::parse_http_request(input, {1, 2}), input);
  } catch (const ApiError& e) {
    require(e.status() == http::status::bad_request);
  }
  return 0;
}
