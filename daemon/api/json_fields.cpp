#include "daemon/api/json_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "daemon/api/api_error.hpp"

namespace mw::api::json_fields {

bool contains(Names names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string join_field(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : fmt::format("{}.{}", prefix, name);
}

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
    default:
      return "a number";
  }
}

[[noreturn]] void wrong_type(std::string_view field, std::string_view expected, const Json& v) {
  throw bad_request(fmt::format("{}: expected {}, got {}", field, expected, type_name(v)));
}

void check_properties(const Json& object, std::string_view type, std::string_view prefix,
                      Names known, Names ignored) {
  for (const auto& [name, value] : object.items()) {
    if (contains(known, name) || contains(ignored, name)) continue;
    if (name == "__metadata" || name.rfind("odata.", 0) == 0) continue;
    if (name.find("@odata.") != std::string::npos && name.find("@odata.bind") == std::string::npos)
      continue;
    throw bad_request(fmt::format(
        "{}Make sure to only use property names that are defined by the type: '{}' is not a "
        "property of Microsoft.Cloud.Media.Vod.Rest.Data.Models.{}",
        kParsingFailed, join_field(prefix, name), type));
  }
}

const Json* member(const Json& object, std::string_view name) {
  const auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> get_string(const Json& object, std::string_view name,
                                      std::string_view prefix) {
  const Json* v = member(object, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(join_field(prefix, name), "an Edm.String", *v);
  return v->get<std::string>();
}

std::optional<int> get_int32(const Json& object, std::string_view name, std::string_view prefix) {
  const Json* v = member(object, name);
  if (!v) return std::nullopt;
  const std::string field = join_field(prefix, name);
  if (v->is_number_unsigned()) {
    if (v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int>::max()))
      throw bad_request(fmt::format("{}: {} is out of the Edm.Int32 range", field, v->dump()));
    return static_cast<int>(v->get<uint64_t>());
  }
  if (!v->is_number_integer()) wrong_type(field, "an Edm.Int32", *v);
  const int64_t value = v->get<int64_t>();
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
    throw bad_request(fmt::format("{}: {} is out of the Edm.Int32 range", field, value));
  return static_cast<int>(value);
}

std::optional<bool> get_bool(const Json& object, std::string_view name, std::string_view prefix) {
  const Json* v = member(object, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) wrong_type(join_field(prefix, name), "an Edm.Boolean", *v);
  return v->get<bool>();
}

const Json* get_array(const Json& object, std::string_view name, std::string_view prefix) {
  const Json* v = member(object, name);
  if (v && !v->is_array()) wrong_type(join_field(prefix, name), "an array", *v);
  return v;
}

void check_length(const std::string& value, size_t max, std::string_view field) {
  if (value.size() > max)
    throw bad_request(fmt::format("{}: longer than {} characters", field, max));
}

void check_unencrypted(const Json& object, std::string_view prefix, Names names) {
  for (const auto name : names) {
    const auto value = get_string(object, name, prefix);
    if (!value || value->empty() || (name == "EncryptionScheme" && *value == "None")) continue;
    throw bad_request(
        fmt::format("{}: encryption is not supported by this service", join_field(prefix, name)));
  }
}

void check_empty_array(const Json& object, std::string_view name, std::string_view prefix,
                       std::string_view why) {
  const Json* v = get_array(object, name, prefix);
  if (v && !v->empty()) throw bad_request(fmt::format("{}: {}", join_field(prefix, name), why));
}

}  // namespace mw::api::json_fields
