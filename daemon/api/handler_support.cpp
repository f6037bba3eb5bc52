#include "daemon/api/handlers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "daemon/api/api_error.hpp"

namespace mw::api {

namespace {

constexpr int kMaxTop = 1000;  // AMS: at most 1000 entities per query

int non_negative(const Target& target, const std::string& option, int fallback) {
  const auto it = target.query.find(option);
  if (it == target.query.end()) return fallback;
  const std::string& text = it->second;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw bad_request(fmt::format("{}: '{}' is not a non-negative integer", option, text));
  return static_cast<int>(std::min<long long>(value, std::numeric_limits<int>::max()));
}

}  // namespace

store::Page page_of(const Target& target) {
  store::Page page;
  page.skip = non_negative(target, "$skip", 0);
  page.top = std::min(non_negative(target, "$top", kMaxTop), kMaxTop);
  return page;
}

void check_query_options(const Target& target, std::initializer_list<std::string_view> supported) {
  for (const auto& [name, value] : target.query) {
    if (name.empty() || name.front() != '$') continue;
    if (std::find(supported.begin(), supported.end(), name) == supported.end())
      throw bad_request(fmt::format("The query option {} is not supported on this request.", name));
  }
}

const std::string& require_key(const Target& target) {
  if (!target.key || target.key->empty())
    throw bad_request(
        fmt::format("{}: an entity Id is required, as {}('<Id>')", target.set, target.set));
  return *target.key;
}

std::string function_argument(const Target& target, const std::string& name) {
  const auto it = target.query.find(name);
  if (it == target.query.end() || it->second.empty())
    throw bad_request(fmt::format("{}: the argument {}='<Id>' is required", target.set, name));
  try {
    return unquote_literal(it->second);
  } catch (const UriError& e) {
    throw bad_request(fmt::format("{}: {}", name, e.what()));
  }
}

std::vector<runtime::Asset> assets_by_id(store::JobStore& store,
                                         const std::vector<std::string>& ids) {
  std::vector<runtime::Asset> assets;
  for (const auto& id : ids)
    if (auto asset = store.find_asset(id)) assets.push_back(std::move(*asset));
  return assets;
}

void unknown_property(const Target& target) {
  throw ApiError(http::status::not_found,
                 fmt::format("Resource not found for the segment '{}'.", target.property));
}

}  // namespace mw::api
