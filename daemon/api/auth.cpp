#include "daemon/api/auth.hpp"

#include <cctype>

namespace mw::api {

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Every byte of b (the secret) is read whatever a holds.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < b.size(); ++i) {
    const unsigned char other = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    diff = static_cast<unsigned char>(diff | (other ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

bool bearer_token_accepted(std::string_view authorization, const std::vector<std::string>& tokens) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() || authorization[kScheme.size()] != ' ') return false;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  std::string_view token = authorization.substr(kScheme.size() + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  bool accepted = false;
  for (const auto& candidate : tokens)
    accepted = constant_time_equal(token, candidate) || accepted;  // no early exit
  return accepted && !token.empty();
}

TokenSet::TokenSet(std::vector<std::string> tokens)
    : tokens_(std::make_shared<const std::vector<std::string>>(std::move(tokens))) {}

std::shared_ptr<const std::vector<std::string>> TokenSet::current() const {
  std::lock_guard lock(mutex_);
  return tokens_;
}

bool TokenSet::accepts(std::string_view authorization) const {
  return bearer_token_accepted(authorization, *current());
}

void TokenSet::replace(std::vector<std::string> tokens) {
  auto fresh = std::make_shared<const std::vector<std::string>>(std::move(tokens));
  std::lock_guard lock(mutex_);
  tokens_ = std::move(fresh);
}

size_t TokenSet::size() const { return current()->size(); }

}  // namespace mw::api
