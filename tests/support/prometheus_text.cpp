#include "tests/support/prometheus_text.hpp"

#include <cstdlib>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace mw::test {

namespace {

[[noreturn]] void bad(const std::string& line, const std::string& why) {
  throw std::runtime_error("not Prometheus text (" + why + "): " + line);
}

double parse_value(const std::string& text, const std::string& line) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) bad(line, "value '" + text + "'");
  return v;
}

}  // namespace

PrometheusText::PrometheusText(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, kind, name;
      words >> hash >> kind >> name;
      std::string rest;
      std::getline(words, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (kind == "HELP") help_[name] = rest;
      if (kind == "TYPE") type_[name] = rest;
      continue;
    }
    Sample s;
    size_t at = line.find_first_of("{ ");
    if (at == std::string::npos) bad(line, "no value");
    s.name = line.substr(0, at);
    if (line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        const size_t eq = line.find('=', at);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') bad(line, "label");
        const std::string key = line.substr(at, eq - at);
        std::string value;
        size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
        }
        if (i >= line.size()) bad(line, "unterminated label value");
        s.labels[key] = value;
        at = i + 1;
        if (at < line.size() && line[at] == ',') ++at;
      }
      if (at >= line.size()) bad(line, "unterminated labels");
      ++at;  // '}'
    }
    while (at < line.size() && line[at] == ' ') ++at;
    const std::string rest = line.substr(at);
    s.value = parse_value(rest.substr(0, rest.find(' ')), line);  // an optional timestamp follows
    samples_.push_back(std::move(s));
  }
}

std::optional<double> PrometheusText::value(const std::string& name,
                                            const std::map<std::string, std::string>& labels) const {
  std::optional<double> found;
  for (const auto& s : samples_) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) {
      const auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (!match) continue;
    if (found) throw std::runtime_error("several samples of " + name + " match");
    found = s.value;
  }
  return found;
}

std::vector<Sample> PrometheusText::samples(const std::string& name) const {
  std::vector<Sample> out;
  for (const auto& s : samples_)
    if (s.name == name) out.push_back(s);
  return out;
}

std::string PrometheusText::help(const std::string& name) const {
  const auto it = help_.find(name);
  return it == help_.end() ? std::string{} : it->second;
}

std::string PrometheusText::type(const std::string& name) const {
  const auto it = type_.find(name);
  return it == type_.end() ? std::string{} : it->second;
}

}  // namespace mw::test
