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


}  // namespace mw::config
