#include "daemon/config/redact.hpp"

namespace mw::config {

std::string without_password(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t at = out.find('@', start);
    const size_t slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (const char* key : {"password=", "PASSWORD="}) {
    for (size_t pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + 1)) {
      const size_t value = pos + std::char_traits<char>::length(key);
      size_t end = out.find_first_of(" &", value);
      if (end == std::string::npos) end = out.size();
      out.replace(value, end - value, "***");
    }
  }
  return out;
}

std::string without_query_values(std::string_view url) {
  std::string out = without_password(url);
  const size_t query = out.find('?');
  if (query == std::string::npos) return out;
  const size_t fragment = out.find('#', query);
  std::string masked = out.substr(0, query + 1);
  const std::string params = out.substr(query + 1, fragment == std::string::npos ? std::string::npos : fragment - query - 1);
  size_t start = 0;
  while (start <= params.size()) {
    size_t end = params.find('&', start);
    if (end == std::string::npos) end = params.size();
    const std::string param = params.substr(start, end - start);
    const size_t eq = param.find('=');
    masked += eq == std::string::npos ? param : param.substr(0, eq + 1) + "***";
    if (end == params.size()) break;
    masked += '&';
    start = end + 1;
  }
  return masked;  // the fragment (never sent to the receiver) is dropped
}


}  // namespace mw::config
