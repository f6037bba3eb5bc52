#pragma once
// The Azure Media Packager task definitions of samples/packager (docs/packager.md), as the tests
// send them in a packager task's Configuration.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace mw::test {

/// The text of samples/packager/`file`. Needs MW_SOURCE_DIR (defined for every test program).
inline std::string packager_sample(const std::string& file) {
  std::ifstream in(std::string(MW_SOURCE_DIR) + "/samples/packager/" + file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) ADD_FAILURE() << "samples/packager/" << file << " is missing or empty";
  return text.str();
}

/// MediaPackager_MP4ToSmooth.xml.
inline std::string mp4_to_smooth() { return packager_sample("MediaPackager_MP4ToSmooth.xml"); }

/// MediaPackager_SmoothToHLS.xml with the `value` of the named properties set, and `extra`
/// property elements added at the end of <properties>.
inline std::string smooth_to_hls(const std::map<std::string, std::string>& values = {}, const std::string& extra = "") {
  std::string text = packager_sample("MediaPackager_SmoothToHLS.xml");
  for (const auto& [name, value] : values) {
    const std::string key = "<property name=\"" + name + "\"";
    const auto at = text.find(key);
    const auto v = at == std::string::npos ? at : text.find("value=\"", at);
    if (v == std::string::npos) {
      ADD_FAILURE() << "no property " << name << " in MediaPackager_SmoothToHLS.xml";
      continue;
    }
    const auto start = v + 7;
    text.replace(start, text.find('"', start) - start, value);
  }
  text.insert(text.find("  </properties>"), extra.empty() ? "" : "    " + extra + "\n");
  return text;
}

}  // namespace mw::test
