#include "daemon/store/job_state.hpp"

#include <algorithm>

namespace mw::store {

runtime::State aggregate_job_state(std::span<const runtime::State> task_states) {
  using runtime::State;
  const auto any = [&](State state) {
    return std::find(task_states.begin(), task_states.end(), state) != task_states.end();
  };
  if (task_states.empty()) return State::Queued;
  if (any(State::Canceling)) return State::Canceling;
  if (std::all_of(task_states.begin(), task_states.end(), runtime::is_final)) {
    if (any(State::Error)) return State::Error;
    if (any(State::Canceled)) return State::Canceled;
    return State::Finished;
  }
  if (any(State::Processing)) return State::Processing;
  if (any(State::Scheduled)) return State::Scheduled;
  if (std::any_of(task_states.begin(), task_states.end(), runtime::is_final))
    return State::Processing;
  return State::Queued;
}

}  // namespace mw::store
