#include "daemon/notify/messages.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cmath>
#include <set>

namespace mw::notify {

namespace {

using Json = nlohmann::ordered_json;
using Kind = store::NotificationEvent::Kind;
using runtime::NotificationTarget;

std::string hex(const unsigned char* bytes, size_t size, bool upper) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i)
    out += upper ? fmt::format("{:02X}", bytes[i]) : fmt::format("{:02x}", bytes[i]);
  return out;
}

const char* event_type(Kind kind) {
  switch (kind) {
    case Kind::JobStateChange:
      return "JobStateChange";
    case Kind::TaskStateChange:
      return "TaskStateChange";
    case Kind::TaskProgress:
      return "TaskProgress";
  }
  return "None";
}

store::OutboxMessage message(Kind kind, const std::string& endpoint_id, const char* type,
                             const std::string& identity, runtime::TimePoint at,
                             Json properties) {
  store::OutboxMessage out;
  out.endpoint_id = endpoint_id;
  out.kind = kind;
  out.etag = sha256_hex(identity);
  Json body;
  body["MessageVersion"] = "1.0";
  body["EventType"] = type;
  body["ETag"] = out.etag;
  body["TimeStamp"] = runtime::iso8601(at);
  body["Properties"] = std::move(properties);
  out.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return out;
}

bool wants(const store::NotificationEvent& event, const store::NotificationSubscriber& s,
           const MessageSettings& settings) {
  if (event.kind == Kind::TaskProgress) {
    if (!s.subscription.include_task_progress) return false;
    if (s.last_progress_at && event.at - *s.last_progress_at < settings.progress_interval)
      return false;
    return !s.last_progress_at || std::floor(event.progress) != std::floor(s.last_progress);
  }
  return s.subscription.target_state == NotificationTarget::All ||
         (s.subscription.target_state == NotificationTarget::FinalStatesOnly &&
          runtime::is_final(event.new_state));
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return hex(digest, size, false);
}

std::string signature(std::string_view key, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  return "sha256=" + hex(mac, size, true);
}

std::string account_id_for(std::string_view account_name) {
  std::string h = sha256_hex(account_name);
  // A name-based UUID (RFC 4122 §4.3: version 5 over SHA, variant 10xx), from the first 16 bytes.
  h[12] = '5';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20, 12));
}

std::vector<store::OutboxMessage> compose_messages(
    const store::NotificationEvent& event,
    const std::vector<store::NotificationSubscriber>& subscribers,
    const MessageSettings& settings) {
  std::vector<store::OutboxMessage> out;
  std::set<std::string> seen;
  // The outbox sequence number is never reused; the commit time makes the identity unique even
  // across stores.
  const std::string seq = fmt::format("{}@{}", event.seq, runtime::iso8601(event.at));
  const char* type = event_type(event.kind);
  for (const auto& s : subscribers) {
    const auto& endpoint = s.endpoint;
    if (seen.count(endpoint.id) || !wants(event, s, settings)) continue;
    seen.insert(endpoint.id);
    if (!s.registered) {
      Json p;
      p["NotificationEndPointId"] = endpoint.id;
      p["State"] = "Registered";
      p["Name"] = endpoint.name;
      p["Created"] = runtime::iso8601(endpoint.created);
      auto registration =
          message(event.kind, endpoint.id, "NotificationEndPointRegistration",
                  fmt::format("NotificationEndPointRegistration\n{}\n{}", endpoint.id, seq),
                  event.at, std::move(p));
      registration.registration = true;
      out.push_back(std::move(registration));
    }
    Json p;
    p["JobId"] = event.job_id;
    std::string identity = fmt::format("{}\n{}\n{}\n{}\n{}", type, endpoint.id, seq, event.job_id,
                                       event.task_id);
    if (event.kind == Kind::JobStateChange) {
      p["JobName"] = event.job_name;
    } else {
      p["TaskId"] = event.task_id;
    }
    if (event.kind == Kind::TaskProgress) {
      const int percent = static_cast<int>(std::floor(event.progress));
      p["LastComputedProgress"] = std::to_string(percent);
      identity += fmt::format("\n{}", percent);
    } else {
      p["NewState"] = runtime::state_name(event.new_state);
      p["OldState"] = runtime::state_name(event.old_state);
      identity += fmt::format("\n{}\n{}", runtime::state_name(event.old_state),
                              runtime::state_name(event.new_state));
    }
    p["AccountName"] = settings.account_name;
    p["AccountId"] = settings.account_id;
    if (event.kind != Kind::JobStateChange) p["NotificationEndPointId"] = endpoint.id;
    out.push_back(message(event.kind, endpoint.id, type, identity, event.at, std::move(p)));
  }
  return out;
}

}  // namespace mw::notify
