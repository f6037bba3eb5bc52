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

}  // namespace mw::store
