#pragma once
// Bearer-token authentication (AMS v2 clients send "Authorization: Bearer <token>").

#include <memory>
#include <mutex>
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

/// The bearer tokens the API accepts (api.tokens_file), replaceable while requests are being
/// checked: SIGHUP with a changed tokens file rotates them without a restart. Thread-safe.
class TokenSet {
 public:
  explicit TokenSet(std::vector<std::string> tokens);
  /// bearer_token_accepted(authorization, the current tokens).
  bool accepts(std::string_view authorization) const;
  /// Replaces the tokens; requests checked from then on see the new set.
  void replace(std::vector<std::string> tokens);
  /// How many tokens are in force (for logs; never the tokens themselves).
  size_t size() const;

 private:
  std::shared_ptr<const std::vector<std::string>> current() const;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<std::string>> tokens_;
};

}  // namespace mw::api
