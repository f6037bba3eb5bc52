#include "daemon/store/column_values.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace mw::store {

Page clamp(Page page) {
  return {std::max(page.skip, 0), std::clamp(page.top, 0, kMaxTop)};
}

std::vector<runtime::ErrorDetail> parse_error_details(const std::string& text,
                                                      const std::string& task_id) {
  std::vector<runtime::ErrorDetail> details;
  try {
    for (const auto& item : nlohmann::json::parse(text))
      details.push_back(
          {item.at("Code").get<std::string>(), item.at("Message").get<std::string>()});
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(
        StoreError::Kind::Unavailable,
        "task " + task_id + ": unreadable ErrorDetails in the job database: " + e.what());
  }
  return details;
}

std::string error_details_json(const std::vector<runtime::ErrorDetail>& details) {
  auto array = nlohmann::json::array();
  for (const auto& detail : details)
    array.push_back({{"Code", detail.code}, {"Message", detail.message}});
  return array.dump();
}

std::string to_hex(const std::string& bytes) {
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) hex += fmt::format("{:02x}", c);
  return hex;
}

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

std::string string_array_json(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

std::vector<std::string> parse_string_array(const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(StoreError::Kind::Unavailable,
                     "unreadable list '" + text + "' in the job database: " + e.what());
  }
}

std::string capabilities_json(const runtime::WorkerCapabilities& c) {
  return nlohmann::json{{"max_long_edge", c.max_long_edge},
                        {"max_short_edge", c.max_short_edge},
                        {"encoders", c.encoders},
                        {"tags", c.tags}}
      .dump();
}

runtime::WorkerCapabilities parse_capabilities(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    runtime::WorkerCapabilities c;
    c.max_long_edge = j.at("max_long_edge").get<int>();
    c.max_short_edge = j.at("max_short_edge").get<int>();
    c.encoders = j.at("encoders").get<std::vector<std::string>>();
    c.tags = j.at("tags").get<std::vector<std::string>>();
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(StoreError::Kind::Unavailable,
                     "unreadable worker capabilities in the job database: " + std::string(e.what()));
  }
}

ClaimFilter::ClaimFilter(const runtime::WorkerCapabilities* capabilities) {
  if (capabilities == nullptr) return;
  any = 1;
  long_edge = capabilities->max_long_edge;
  short_edge = capabilities->max_short_edge;
  encoders = string_array_json(capabilities->encoders);
  tags = string_array_json(capabilities->tags);
}

}  // namespace mw::store
