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
  // A job that has started work (a task running, or one already ended) stays Processing until
  // it ends: the next task of a chain being Scheduled does not take it back to Scheduled
  // (subscribers would get Processing -> Scheduled -> Processing between tasks).
  if (any(State::Processing) ||
      std::any_of(task_states.begin(), task_states.end(), runtime::is_final))
    return State::Processing;
  if (any(State::Scheduled)) return State::Scheduled;
  return State::Queued;
}

}  // namespace mw::store
