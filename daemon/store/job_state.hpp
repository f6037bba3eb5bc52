#pragma once
// The Job State as the aggregate of its tasks' states (AMS-V2-REFERENCE.md §3: "this aggregates
// the task states. If one task fails, the Job becomes Error"). Shared by every JobStore.

#include <span>

#include "daemon/runtime/model.hpp"

namespace mw::store {

/// The job's State given its tasks' states, by the first rule that applies:
///  1. any task Canceling -> Canceling;
///  2. every task final (Finished/Error/Canceled): any Error -> Error, else any Canceled ->
///     Canceled, else Finished;
///  3. any Processing, or some task final while others are not (a chain between tasks: the next
///     one Queued or Scheduled) -> Processing: a started job never goes back to Scheduled;
///  4. any Scheduled -> Scheduled;
///  5. otherwise (all Queued, or no task) -> Queued.
runtime::State aggregate_job_state(std::span<const runtime::State> task_states);

}  // namespace mw::store
