#include "daemon/api/uri.hpp"

#include <gtest/gtest.h>

namespace mw::api {
namespace {

TEST(UriTest, PercentEncodedJobIdInPathIsDecoded) {
  const Target t =
      parse_target("/api/Jobs('nb%3Ajid%3AUUID%3A7dc2642f-ab1e-9f4c-8ecd-027eeac2a4ab')");
  EXPECT_EQ(t.set, "Jobs");
  ASSERT_TRUE(t.key);
  EXPECT_EQ(*t.key, "nb:jid:UUID:7dc2642f-ab1e-9f4c-8ecd-027eeac2a4ab");
  EXPECT_EQ(t.property, "");
}

TEST(UriTest, UnencodedAndLowerCaseEncodedIdsGiveTheSameKey) {
  EXPECT_EQ(*parse_target("/api/Jobs('nb:jid:UUID:abc')").key, "nb:jid:UUID:abc");
  EXPECT_EQ(*parse_target("/api/Jobs('nb%3ajid%3aUUID%3aabc')").key, "nb:jid:UUID:abc");
  // The quotes themselves percent-encoded, as some HTTP stacks send them.
  EXPECT_EQ(*parse_target("/api/Jobs(%27nb%3Ajid%3AUUID%3Aabc%27)").key, "nb:jid:UUID:abc");
}

TEST(UriTest, NavigationPropertyAndQueryOptionsAreSplitOff) {
  const Target t =
      parse_target("/api/Jobs('nb%3Ajid%3AUUID%3Ax')/Tasks?$top=5&$skip=10&api-version=2.19");
  EXPECT_EQ(t.set, "Jobs");
  EXPECT_EQ(*t.key, "nb:jid:UUID:x");
  EXPECT_EQ(t.property, "Tasks");
  EXPECT_EQ(t.query.at("$top"), "5");
  EXPECT_EQ(t.query.at("$skip"), "10");
  EXPECT_EQ(t.query.at("api-version"), "2.19");
}

TEST(UriTest, WholeSetFormsHaveNoKey) {
  for (const char* path :
       {"/api/Jobs", "/api/Jobs()", "/api/Jobs/", "/api/Jobs()?$skip=2000&$top=1000"}) {
    SCOPED_TRACE(path);
    const Target t = parse_target(path);
    EXPECT_EQ(t.set, "Jobs");
    EXPECT_FALSE(t.key);
  }
}

TEST(UriTest, QueryValuesAreDecodedWithPlusAsSpace) {
  const Target t =
      parse_target("/api/MediaProcessors()?$filter=Name%20eq%20'Media+Encoder%20Standard'");
  EXPECT_EQ(t.query.at("$filter"), "Name eq 'Media Encoder Standard'");
  EXPECT_EQ(parse_target("/api/CancelJob?jobid='nb%3ajid%3aUUID%3ax'").query.at("jobid"),
            "'nb:jid:UUID:x'");
}

TEST(UriTest, AbsoluteFormTargetsAreAccepted) {
  const Target t = parse_target("http://media.windows.net/api/Assets('nb%3Acid%3AUUID%3Ay')/Files");
  EXPECT_EQ(t.set, "Assets");
  EXPECT_EQ(*t.key, "nb:cid:UUID:y");
  EXPECT_EQ(t.property, "Files");
}

TEST(UriTest, MalformedSegmentsThrowUriError) {
  EXPECT_THROW(parse_target("/api/Jobs('nb%3Ajid%zz')"), UriError);  // bad escape
  EXPECT_THROW(parse_target("/api/Jobs('nb%3')"), UriError);         // truncated escape
  EXPECT_THROW(parse_target("/api/Jobs('abc"), UriError);            // unterminated
  EXPECT_THROW(parse_target("/api/Jobs('abc)"), UriError);           // unterminated literal
  EXPECT_THROW(parse_target("/api/Jobs('a'b')"), UriError);          // lone quote inside
  EXPECT_THROW(parse_target("/api/('abc')"), UriError);              // no entity set name
}

TEST(UriTest, PathsOutsideTheApiOrTooDeepAreNotFound) {
  EXPECT_THROW(parse_target("/apix/Jobs"), NotFoundPath);
  EXPECT_THROW(parse_target("/Jobs"), NotFoundPath);
  EXPECT_THROW(parse_target("/api/Jobs('x')/Tasks/Extra"), NotFoundPath);
  EXPECT_THROW(parse_target("/api/Jobs('x')//Tasks"), NotFoundPath);
  EXPECT_THROW(parse_target("/api/Jobs('x')/Tasks('y')"), NotFoundPath);
}

TEST(UriTest, QuotedLiteralsUndoubleQuotes) {
  EXPECT_EQ(unquote_literal("'it''s'"), "it's");
  EXPECT_EQ(unquote_literal("plain"), "plain");
  EXPECT_EQ(unquote_literal("''"), "");
  EXPECT_THROW(unquote_literal("'open"), UriError);
  EXPECT_THROW(unquote_literal("'"), UriError);
}

TEST(UriTest, EntityIdFromMetadataUriWithAnyHost) {
  const std::string id = "nb:cid:UUID:ba5356eb-30ff-4dc6-9e5a-41e4223540e7";
  EXPECT_EQ(entity_id_from_link("https://myaccount.restv2.westus.media.azure.net/api/Assets("
                                "'nb%3Acid%3AUUID%3Aba5356eb-30ff-4dc6-9e5a-41e4223540e7')",
                                "Assets"),
            id);
  // The Job page's own placeholder host, HTML escapes and all.
  EXPECT_EQ(
      entity_id_from_link("https://&lt;accountname&gt;.restv2.&lt;location&gt;.media.azure.net/api/"
                          "Assets('nb%3Acid%3AUUID%3Aba5356eb-30ff-4dc6-9e5a-41e4223540e7')",
                          "Assets"),
      id);
  EXPECT_EQ(entity_id_from_link("http://127.0.0.1:8080/api/Assets('" + id + "')", "Assets"), id);
  EXPECT_EQ(entity_id_from_link("Assets('" + id + "')", "Assets"), id);
  EXPECT_THROW(entity_id_from_link("https://h/api/Jobs('nb%3Ajid%3AUUID%3Ax')", "Assets"),
               UriError);
  EXPECT_THROW(entity_id_from_link("https://h/api/Assets", "Assets"), UriError);
  EXPECT_THROW(entity_id_from_link("https://h/api/Assets('x%G1')", "Assets"), UriError);
}

TEST(UriTest, PercentEncodingRoundTripsAndMatchesAmsForm) {
  EXPECT_EQ(percent_encode("nb:jid:UUID:7dc2642f-ab1e"), "nb%3Ajid%3AUUID%3A7dc2642f-ab1e");
  const std::string odd = "a b/c'd%e\xff";
  EXPECT_EQ(percent_decode(percent_encode(odd)), odd);
}

}  // namespace
}  // namespace mw::api
