#pragma once
// Waiting for a job to end by polling the service: GET Jobs('id') then Jobs('id')/Tasks, every
// poll interval, until the job's State is final, a timeout passes or a stop is requested.

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "daemon/client/ams_client.hpp"

namespace mw::client {

/// A job and its tasks as read by one poll (the tasks read after the job, so when the job is
/// final its tasks are too).
struct JobSnapshot {
  Job job;
  std::vector<Task> tasks;
};

/// How to poll.
struct WaitOptions {
  std::chrono::milliseconds poll_interval{250};  ///< between the end of one poll and the next
  std::chrono::milliseconds timeout{0};          ///< give up after this long; 0 waits for ever
};

/// How the wait ended.
enum class WaitEnd {
  Final,     ///< the job reached Finished, Error or Canceled
  TimedOut,  ///< WaitOptions::timeout passed first
  Stopped,   ///< the stop token was requested (the job keeps running on the service)
};

/// What wait_for_job returns: why it ended and the last poll.
struct WaitResult {
  WaitEnd end = WaitEnd::Final;
  JobSnapshot last;
};

/// Polls `job_id` until it is final, calling `on_poll` after every poll (the first at once).
/// The wait between polls returns early on a stop request.
/// @throws ClientError from the client (e.g. Http 404 for an unknown job)
WaitResult wait_for_job(AmsClient& client, const std::string& job_id, const WaitOptions& options,
                        const std::function<void(const JobSnapshot&)>& on_poll,
                        std::stop_token stop);

}  // namespace mw::client
