// libFuzzer target: the Atom edge (daemon/api/atom.hpp) on arbitrary bytes. read_entry must
// return a JSON object or refuse with an ApiError 4xx; when the bytes are JSON, write_response
// must rewrite a verbose JSON answer holding them or refuse with an ApiError. Anything else
// (another exception, a crash, a sanitizer report) is a finding.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/api/api_error.hpp"
#include "daemon/api/atom.hpp"

namespace {

using namespace mw::api;

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    require(atom::read_entry(input).is_object());
  } catch (const ApiError& e) {
    require(static_cast<unsigned>(e.status()) / 100 == 4);
  }

  const Json value = Json::parse(input.begin(), input.end(), nullptr, false);
  if (value.is_discarded()) return 0;
  const ODataContext ctx{Format::Verbose, "http://127.0.0.1:8080/api/"};
  for (const auto status : {http::status::ok, http::status::bad_request}) {
    Response response;
    response.status = status;
    response.content_type = "application/json;odata=verbose;charset=utf-8";
    response.body = std::string(input);
    try {
      atom::write_response(response, ctx);
    } catch (const ApiError&) {
    }
  }
  return 0;
}
