#pragma once
// The AMS v2 notification messages (AMS-V2-REFERENCE.md §6; AMS-V2-JOB-PAGE.md "Create a Job
// with notification subscriptions"):
//   {"MessageVersion":"1.0","EventType":"JobStateChange","ETag":"<64 hex>",
//    "TimeStamp":"2026-11-30T04:11:29.123Z","Properties":{...string values...}}
// EventType is the name (as the Job page's queue messages carry it): JobStateChange,
// NotificationEndPointRegistration, TaskStateChange, TaskProgress. State values are names
// (Queued, Scheduled, ...). Webhook bodies are signed with HMAC-SHA256 (the AMS webhook rule).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/job_store.hpp"

namespace mw::notify {

/// What every message carries besides the event.
struct MessageSettings {
  std::string account_name;  ///< Properties.AccountName (config api.account_name)
  std::string account_id;    ///< Properties.AccountId (a GUID)
  /// TaskProgress: at most one per task and endpoint per interval, and only when the integer
  /// percent changed.
  std::chrono::seconds progress_interval{5};
};

/// The messages one event causes for its subscribers, in delivery order:
///  - a NotificationEndPointRegistration first for each endpoint not yet registered;
///  - JobStateChange / TaskStateChange for a subscription with TargetJobState (TargetTaskState)
///    All 2, or FinalStatesOnly 1 when the new state is Finished, Error or Canceled;
///  - TaskProgress for a subscription with IncludeTaskProgress, rate-limited as above.
/// An endpoint subscribed twice gets one message. The ETag is the SHA-256 (hex) of the
/// message's identity (event type, endpoint, job, task, states or progress, and the event's
/// outbox sequence number), so a repeated delivery of one message carries the same ETag.
std::vector<store::OutboxMessage> compose_messages(
    const store::NotificationEvent& event,
    const std::vector<store::NotificationSubscriber>& subscribers,
    const MessageSettings& settings);

/// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

/// The `ms-signature` header value: "sha256=" + upper-case hex of HMAC-SHA256(key, body)
/// (the AMS webhook rule: key = the endpoint's 64 signing-key bytes, data = the raw body).
std::string signature(std::string_view key, std::string_view body);

/// A GUID derived from the account name (the first 16 bytes of its SHA-256 as an RFC 4122
/// version 5 UUID, 8-4-4-4-12): the default AccountId, stable across restarts and hosts.
std::string account_id_for(std::string_view account_name);

}  // namespace mw::notify
