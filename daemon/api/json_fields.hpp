#pragma once
// Reading the properties of an OData JSON request body (verbose or light), property by property.
// Every problem throws ApiError 400 whose message names the property, e.g.
// "Tasks[0].TaskBody: expected an Edm.String, got a number"; `prefix` is the path of the object
// the property is in ("Tasks[0]", or "" at the top). Shared by the entity parsers
// (request_body.cpp, template_body.cpp). A null property counts as absent.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "daemon/api/odata.hpp"

namespace mw::api::json_fields {

/// The start of the AMS message for a body it cannot read.
inline constexpr std::string_view kParsingFailed = "Parsing request content failed due to: ";
/// Name, Description and other AMS strings: at most 4000 characters (AMS REFDOC).
inline constexpr size_t kMaxNameLength = 4000;
/// The configuration-encryption properties of Task and TaskTemplate (none is supported).
inline constexpr std::string_view kEncryption[] = {"EncryptionKeyId", "EncryptionScheme",
                                                   "EncryptionVersion", "InitializationVector"};

using Names = std::span<const std::string_view>;

bool contains(Names names, std::string_view name);
/// "prefix.name", or "name" when prefix is empty.
std::string join_field(std::string_view prefix, std::string_view name);
/// "a string", "a number", ... for messages.
const char* type_name(const Json& v);
/// @throws ApiError 400 "<field>: expected <expected>, got <type>"
[[noreturn]] void wrong_type(std::string_view field, std::string_view expected, const Json& v);

/// Rejects properties that are neither `known` nor `ignored` (read-only ones clients echo back)
/// nor OData annotations ("__metadata", "odata.*", "Name@odata.type"), with the AMS text
/// "Parsing request content failed due to: Make sure to only use property names that are
/// defined by the type" naming the property and the type (e.g. "Job").
void check_properties(const Json& object, std::string_view type, std::string_view prefix,
                      Names known, Names ignored);

/// The property, or nullptr when absent or null.
const Json* member(const Json& object, std::string_view name);
/// An Edm.String property. @throws ApiError 400 for another JSON type
std::optional<std::string> get_string(const Json& object, std::string_view name,
                                      std::string_view prefix);
/// An Edm.Int32 property (a JSON integer in range). @throws ApiError 400
std::optional<int> get_int32(const Json& object, std::string_view name, std::string_view prefix);
/// An Edm.Boolean property. @throws ApiError 400
std::optional<bool> get_bool(const Json& object, std::string_view name, std::string_view prefix);
/// An array property, or nullptr when absent. @throws ApiError 400 for another JSON type
const Json* get_array(const Json& object, std::string_view name, std::string_view prefix);
/// @throws ApiError 400 "<field>: longer than <max> characters"
void check_length(const std::string& value, size_t max, std::string_view field);
/// Encryption properties may only be absent, null or empty (and EncryptionScheme "None", which
/// AMS itself reports for clear configurations): this service stores nothing encrypted.
/// @throws ApiError 400 "<field>: encryption is not supported by this service"
void check_unencrypted(const Json& object, std::string_view prefix, Names names);
/// An optional array property that this service does not support unless it is empty.
/// @throws ApiError 400 "<field>: <why>"
void check_empty_array(const Json& object, std::string_view name, std::string_view prefix,
                       std::string_view why);

}  // namespace mw::api::json_fields
