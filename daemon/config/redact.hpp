#pragma once
// Secrets out of what is logged or shown.

#include <string>
#include <string_view>

namespace mw::config {

/// `url` with the password replaced by "***": the user info of a URI
/// ("postgresql://user:secret@host/db", "https://alice:pw@hooks.example/x") and a libpq
/// key=value string's password=... The rest is kept, so the message still says where.
std::string without_password(std::string_view url);

/// A webhook address as logged: without_password, and every query value replaced by "***"
/// ("https://fn.example/api/hook?code=SECRET&x=1" → "...?code=***&x=***"): receivers such as
/// Azure Functions take their key in the query string. Scheme, host, port and path are kept.
std::string without_query_values(std::string_view url);

}  // namespace mw::config
