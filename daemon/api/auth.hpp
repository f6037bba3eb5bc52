#pragma once
// Bearer-token authentication (AMS v2 clients send "Authorization: Bearer <token>").

#include <string>
#include <string_view>
#include <vector>

namespace mw::api {

/// Whether two strings are equal, in time that depends only on the lengths (not on where they
/// first differ), so a client cannot guess a token byte by byte.
bool constant_time_equal(std::string_view a, std::string_view b);

/// Whether `authorization` (the header's value) is "Bearer <token>" (scheme case-insensitive)
/// with a token equal to one of `tokens`. Every configured token is compared, each in constant
/// time. An empty `tokens` accepts nothing.
bool bearer_token_accepted(std::string_view authorization, const std::vector<std::string>& tokens);

}  // namespace mw::api
