#include "daemon/client/job_wait.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace mw::client {

WaitResult wait_for_job(AmsClient& client, const std::string& job_id, const WaitOptions& options,
                        const std::function<void(const JobSnapshot&)>& on_poll,
                        std::stop_token stop) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + options.timeout;
  std::mutex mutex;
  std::condition_variable_any wake;  // only ever woken by the stop token
  WaitResult result;
  for (;;) {
    result.last.job = client.get_job(job_id);
    result.last.tasks = client.job_tasks(job_id);
    if (on_poll) on_poll(result.last);
    if (is_final(result.last.job.state)) {
      result.end = WaitEnd::Final;
      return result;
    }
    auto next = Clock::now() + options.poll_interval;
    if (options.timeout.count() > 0) {
      if (Clock::now() >= deadline) {
        result.end = WaitEnd::TimedOut;
        return result;
      }
      next = std::min(next, deadline);
    }
    std::unique_lock lock(mutex);
    wake.wait_until(lock, stop, next, [] { return false; });
    if (stop.stop_requested()) {
      result.end = WaitEnd::Stopped;
      return result;
    }
  }
}

}  // namespace mw::client
