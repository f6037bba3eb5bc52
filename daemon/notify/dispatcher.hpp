#pragma once
// The webhook dispatcher: one thread that turns the outbox's recorded events into messages
// (compose_messages) and POSTs them to their endpoints with libcurl's multi interface, many at
// once, so that a slow or dead receiver holds only its own queue (at most
// max_in_flight_per_endpoint requests) and never an encode or another receiver.
//
// Delivery is at least once, in order per (endpoint, job): a job's next message goes only after
// the previous one was acknowledged (2xx) or given up. A failure (connection error, timeout,
// non-2xx) is retried after an exponential back-off with jitter (retry_initial_seconds doubling
// up to retry_max_seconds, each wait drawn from 50-100 % of it); a message still undelivered
// max_age_seconds after its event is marked dead (kept in the store, counted). Everything
// waiting lives in the JobStore, so a restart loses nothing: the next dispatcher resumes.

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "daemon/config/config.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/notify/messages.hpp"
#include "daemon/store/job_store.hpp"

namespace mw::notify {

class Dispatcher {
 public:
  /// `metrics` (outliving the dispatcher) counts deliveries, failed attempts, dead messages and
  /// store errors. @throws std::runtime_error when libcurl cannot be initialised
  Dispatcher(store::JobStore& store, const config::NotificationsConfig& config,
             std::string account_name, metrics::Metrics& metrics);
  /// Stops the thread (requests in flight are abandoned: they stay queued).
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  /// Stops delivering; what is queued stays in the store. Idempotent; never throws.
  void stop() noexcept;
  /// Looks at the outbox at once (after a state change) instead of at the next poll.
  void wake() noexcept;

  /// Messages acknowledged / failed attempts / given up, since start (for logs and metrics).
  int64_t delivered() const { return delivered_; }
  int64_t failed_attempts() const { return failed_; }
  int64_t dead() const { return dead_; }

 private:
  struct Impl;
  void run() noexcept;
  void count_store_error(const std::exception& e) noexcept;

  store::JobStore& store_;
  config::NotificationsConfig config_;
  MessageSettings settings_;
  metrics::Metrics& metrics_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> delivered_{0}, failed_{0}, dead_{0};
};

}  // namespace mw::notify
