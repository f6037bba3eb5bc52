#include "daemon/api/auth.hpp"

#include <gtest/gtest.h>

namespace mw::api {
namespace {

TEST(AuthTest, ConstantTimeEqualIsPlainEquality) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("secret2", "secret"));
  EXPECT_FALSE(constant_time_equal("", "secret"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(AuthTest, BearerTokenMustMatchOneConfiguredToken) {
  const std::vector<std::string> tokens{"alpha", "beta"};
  EXPECT_TRUE(bearer_token_accepted("Bearer alpha", tokens));
  EXPECT_TRUE(bearer_token_accepted("bearer beta", tokens));
  EXPECT_TRUE(bearer_token_accepted("BEARER  beta ", tokens));
  EXPECT_FALSE(bearer_token_accepted("Bearer gamma", tokens));
  EXPECT_FALSE(bearer_token_accepted("Bearer alph", tokens));
  EXPECT_FALSE(bearer_token_accepted("Bearer ", tokens));
  EXPECT_FALSE(bearer_token_accepted("Basic alpha", tokens));
  EXPECT_FALSE(bearer_token_accepted("Beareralpha", tokens));
  EXPECT_FALSE(bearer_token_accepted("alpha", tokens));
  EXPECT_FALSE(bearer_token_accepted("Bearer alpha", {}));
}

}  // namespace
}  // namespace mw::api
