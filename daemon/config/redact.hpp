#pragma once
// Secrets out of what is logged or shown.

#include <string>
#include <string_view>

namespace mw::config {

/// `url` with the password replaced by "***": the user info of a URI
/// ("postgresql://user:secret@host/db", "https://alice:pw@hooks.example/x") and a libpq
/// key=value string's password=... The rest is kept, so the message still says where.
std::string without_password(std::string_view url);

}  // namespace mw::config
