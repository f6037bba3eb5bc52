#pragma once
// AMS v2 JSON verbose answers for the client tests, in the shapes AMS-V2-REFERENCE.md records.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/test_http_server.hpp"

namespace mw::test {

/// {"d": entity} with `status`.
inline CannedResponse verbose_entity(const nlohmann::json& entity, int status = 200) {
  return {status, nlohmann::json{{"d", entity}}.dump()};
}

/// {"d":{"results":[...]}}.
/// (A vector, as a braced list of one json would be that json itself, not an array of it.)
inline CannedResponse verbose_results(const std::vector<nlohmann::json>& entities) {
  return {200, nlohmann::json{{"d", {{"results", nlohmann::json(entities)}}}}.dump()};
}

/// A verbose collection property: {"__metadata":{"type":...},"results":[...]}.
inline nlohmann::json verbose_collection(const std::string& type, nlohmann::json results) {
  return {{"__metadata",
           {{"type", "Collection(Microsoft.Cloud.Media.Vod.Rest.Data.Models." + type + ")"}}},
          {"results", std::move(results)}};
}

inline nlohmann::json job_entity(const std::string& id, int state,
                                 const std::string& name = "clip job") {
  return {{"Id", id},
          {"Name", name},
          {"State", state},
          {"Priority", 0},
          {"Created", "/Date(1587084991763)/"},
          {"StartTime", nullptr},
          {"EndTime", nullptr},
          {"RunningDuration", state == 3 ? 2.5 : 0.0}};
}

inline nlohmann::json task_entity(const std::string& id, int state, double progress,
                                  nlohmann::json error_details = nlohmann::json::array()) {
  return {
      {"Id", id},
      {"Name", "H.264 HD 720p VBR"},
      {"Configuration", "H.264 HD 720p VBR"},
      {"MediaProcessorId", "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"},
      {"State", state},
      {"Progress", progress},
      {"RunningDuration", 1.25},
      {"ErrorDetails", verbose_collection("ErrorDetail", std::move(error_details))},
      {"HistoricalEvents",
       verbose_collection(
           "TaskHistoricalEvent",
           {{{"Code", "Queued"}, {"Message", ""}, {"TimeStamp", "2020-04-17T00:56:31.123Z"}},
            {{"Code", "Processing"}, {"Message", ""}, {"TimeStamp", "/Date(1587084992000)/"}}})}};
}

inline nlohmann::json asset_entity(const std::string& id, const std::string& name) {
  return {{"Id", id}, {"Name", name}, {"State", 0}, {"Created", "/Date(1587084991763)/"}};
}

inline nlohmann::json file_entity(const std::string& id, const std::string& name,
                                  const std::string& parent, const std::string& size,
                                  bool primary) {
  return {{"Id", id},
          {"Name", name},
          {"ParentAssetId", parent},
          {"ContentFileSize", size},
          {"IsPrimary", primary}};
}

}  // namespace mw::test
