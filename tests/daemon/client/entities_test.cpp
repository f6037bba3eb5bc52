// Reading AMS entities from the JSON shapes the reference records (verbose, light, both dates).

#include "daemon/client/entities.hpp"

#include <gtest/gtest.h>

namespace mw::client {
namespace {

using nlohmann::json;

TEST(OdataDate, ReadsTheWireFormsAsUtcSeconds) {
  EXPECT_EQ(odata_date("/Date(1587084991763)/"), "2020-04-17T00:56:31Z");
  EXPECT_EQ(odata_date("/Date(1587084991763+0000)/"), "2020-04-17T00:56:31Z");
  EXPECT_EQ(odata_date("2015-01-19T08:04:34.3287057Z"), "2015-01-19T08:04:34Z");
  EXPECT_EQ(odata_date("2015-01-19T08:04:34"), "2015-01-19T08:04:34Z");
  EXPECT_EQ(odata_date(json(1587084991763)), "2020-04-17T00:56:31Z");
  EXPECT_EQ(odata_date(json()), "");
  EXPECT_EQ(odata_date("/Date(x)/"), "");
}

TEST(Entities, CollectionsAreReadInEveryODataShape) {
  const json a = json::array({{{"Id", "1"}}});
  EXPECT_EQ(results_of(json{{"d", {{"results", a}}}}), a);
  EXPECT_EQ(results_of(json{{"d", a}}), a);
  EXPECT_EQ(results_of(json{{"odata.metadata", "x"}, {"value", a}}), a);
  EXPECT_THROW(results_of(json{{"d", {{"Id", "1"}}}}), std::invalid_argument);
  EXPECT_THROW(results_of(json::array()), std::invalid_argument);
}

TEST(Entities, SingleEntityIsUnwrappedFromD) {
  const json job = {{"Id", "nb:jid:UUID:1"}, {"State", 3}};
  EXPECT_EQ(parse_job(entity_of(json{{"d", job}})).state, State::Finished);
  EXPECT_EQ(parse_job(entity_of(job)).id, "nb:jid:UUID:1");  // JSON light
  EXPECT_THROW(entity_of(json("text")), std::invalid_argument);
}

TEST(Entities, EntityWithoutIdIsRejected) {
  EXPECT_THROW(parse_job(json{{"Name", "x"}}), std::invalid_argument);
  EXPECT_THROW(parse_asset(json::array()), std::invalid_argument);
}

TEST(Entities, TaskReadsLightCollectionsAndNullsAsDefaults) {
  const json task = {{"Id", "nb:tid:UUID:1"},
                     {"State", 2},
                     {"Progress", 42.5},
                     {"StartTime", nullptr},
                     {"ErrorDetails", json::array({{{"Code", "Unknown"}, {"Message", "m"}}})},
                     {"HistoricalEvents", nullptr}};
  const Task t = parse_task(task);
  EXPECT_EQ(t.state, State::Processing);
  EXPECT_DOUBLE_EQ(t.progress, 42.5);
  EXPECT_EQ(t.start_time, "");
  ASSERT_EQ(t.error_details.size(), 1u);
  EXPECT_EQ(t.error_details[0].code, "Unknown");
  EXPECT_TRUE(t.historical_events.empty());
}

TEST(Entities, AssetFileSizeIsReadAsVerboseStringOrNumber) {
  EXPECT_EQ(parse_asset_file({{"Id", "f"}, {"ContentFileSize", "122992491"}}).content_file_size,
            122992491);
  EXPECT_EQ(parse_asset_file({{"Id", "f"}, {"ContentFileSize", 5000000000}}).content_file_size,
            5000000000);
}

TEST(Entities, StateNamesAndFinalStates) {
  EXPECT_EQ(state_name(State::Canceling), "Canceling");
  EXPECT_EQ(state_name(static_cast<State>(9)), "State 9");
  EXPECT_TRUE(is_final(State::Finished));
  EXPECT_TRUE(is_final(State::Error));
  EXPECT_TRUE(is_final(State::Canceled));
  EXPECT_FALSE(is_final(State::Canceling));
  EXPECT_FALSE(is_final(State::Queued));
}

}  // namespace
}  // namespace mw::client
