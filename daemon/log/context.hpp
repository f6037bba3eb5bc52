#pragma once
// What a log line is about: the AMS Job, Task and Asset a thread is working on. Set by a Scope
// around the work (a worker slot around its task, the dispatcher around a delivery) and read by
// the sinks: the journal gets them as the fields JOB_ID, TASK_ID and ASSET_ID, log.format json as
// "job_id", "task_id" and "asset_id" (daemon/log/logging.hpp). Thread-local: a line logged from
// another thread (an encoder's pipeline thread) carries none.

#include <string>

namespace mw::log {

/// The entity ids of the current thread's work; empty = not set. Ids are AMS Ids
/// ("nb:jid:UUID:…", "nb:tid:UUID:…", "nb:cid:UUID:…").
struct Context {
  std::string job_id;
  std::string task_id;
  std::string asset_id;
};

/// The current thread's context (all empty outside any Scope).
const Context& current();

/// Sets the current thread's context for its lifetime and restores the previous one after.
/// Scopes nest: an inner Scope built from current() with one field changed adds to the outer.
class Scope {
 public:
  explicit Scope(Context context);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Context previous_;
};

}  // namespace mw::log
