#include "daemon/api/message.hpp"

#include <fmt/format.h>

namespace mw::api {

std::string json_content_type(Format format) {
  return format == Format::Verbose
             ? "application/json;odata=verbose;charset=utf-8"
             : "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
}

Response json_response(const ODataContext& odata, std::string body, http::status status) {
  Response response;
  response.status = status;
  response.content_type = json_content_type(odata.format);
  response.body = std::move(body);
  return response;
}

Response created_response(const ODataContext& odata, std::string location, std::string body) {
  Response response = json_response(odata, std::move(body), http::status::created);
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

Response no_content() {
  Response response;
  response.status = http::status::no_content;
  return response;
}

Response error_response(http::status status, std::string_view code, std::string_view message) {
  Response response;
  response.status = status;
  response.content_type = "application/json;charset=utf-8";
  response.body = error_document(code, message);
  return response;
}

Response method_not_allowed(http::verb method, std::string_view allowed) {
  Response response =
      error_response(http::status::method_not_allowed, "",
                     fmt::format("The method {} is not allowed on this resource (allowed: {}).",
                                 std::string(http::to_string(method)), allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

}  // namespace mw::api
