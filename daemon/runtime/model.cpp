#include "daemon/runtime/model.hpp"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>

namespace mw::runtime {

const char* state_name(State state) {
  switch (state) {
    case State::Queued: return "Queued";
    case State::Scheduled: return "Scheduled";
    case State::Processing: return "Processing";
    case State::Finished: return "Finished";
    case State::Error: return "Error";
    case State::Canceled: return "Canceled";
    case State::Canceling: return "Canceling";
  }
  return "Unknown";
}

bool is_final(State state) {
  return state == State::Finished || state == State::Error || state == State::Canceled;
}

std::string iso8601(TimePoint t) { return iso8601(std::chrono::floor<std::chrono::milliseconds>(t)); }

std::string iso8601(std::chrono::sys_time<std::chrono::milliseconds> ms) {
  using namespace std::chrono;
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

std::string new_guid() {
  // boost::uuids::random_generator seeds itself from the OS; one per thread avoids locking.
  thread_local boost::uuids::random_generator generator;
  return boost::uuids::to_string(generator());
}

std::string new_id(std::string_view prefix) { return std::string(prefix) + new_guid(); }

std::string guid_of(std::string_view id) {
  const auto pos = id.rfind(':');
  return std::string(pos == std::string_view::npos ? id : id.substr(pos + 1));
}

const std::vector<MediaProcessor>& media_processors() {
  static const std::vector<MediaProcessor> processors = {
      {"nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56", "Media Encoder Standard",
       "Media Encoder Standard (mediaworker engine: libav + libx264)", "", "mediaworker", "1.1"},
      {"nb:mpid:UUID:70bdc2c3-ebf4-42a9-8542-5afc1e55d217", "Windows Azure Media Encoder",
       "Windows Azure Media Encoder presets (mediaworker engine)", "", "mediaworker", "4.7"},
      {"nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5", "Windows Azure Media Encoder",
       "The 2012 Windows Azure Media Encoder (\"H.264 HD 720p VBR\"; mediaworker engine)", "",
       "mediaworker", "2.1"},
      {"nb:mpid:UUID:a2f9afe9-7146-4882-a5f7-da4a85e06a93", "Windows Azure Media Packager",
       "Packages GOP-aligned MP4 sets into Smooth Streaming, HLS, DASH and MPEG-TS without re-encoding "
       "(mediaworker packager)", "", "mediaworker", "1.0"},
  };
  return processors;
}

const MediaProcessor* find_media_processor(std::string_view id) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
  };
  const std::string wanted = lower(id);
  for (const auto& p : media_processors())
    if (lower(p.id) == wanted) return &p;
  return nullptr;
}

std::string cannot_run(const WorkerCapabilities& capabilities, const TaskRequirements& requirements) {
  std::vector<std::string> reasons;
  if ((capabilities.max_long_edge > 0 && requirements.long_edge > capabilities.max_long_edge) ||
      (capabilities.max_short_edge > 0 && requirements.short_edge > capabilities.max_short_edge))
    reasons.push_back(std::to_string(requirements.long_edge) + "x" + std::to_string(requirements.short_edge) +
                      " is above its worker.max_resolution " + std::to_string(capabilities.max_long_edge) + "x" +
                      std::to_string(capabilities.max_short_edge));
  const auto has = [](const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  for (const auto& encoder : requirements.encoders)
    if (!has(capabilities.encoders, encoder)) reasons.push_back("its libavcodec has no " + encoder + " encoder");
  for (const auto& tag : requirements.tags)
    if (!has(capabilities.tags, tag)) reasons.push_back("it lacks tag '" + tag + "'");
  std::string out;
  for (const auto& r : reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

}  // namespace mw::runtime
