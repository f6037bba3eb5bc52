#include "daemon/notify/dispatcher.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include "daemon/config/redact.hpp"
#include "daemon/log/context.hpp"

namespace mw::notify {

namespace {

using Clock = runtime::Clock;
using std::chrono::milliseconds;

constexpr int kBatch = 100;             // events expanded per store transaction
constexpr size_t kMaxInFlight = 64;     // concurrent POSTs over all endpoints
constexpr milliseconds kPoll{250};      // idle: how often the outbox is looked at

size_t discard(char*, size_t size, size_t count, void*) { return size * count; }


}  // namespace

// One POST in flight.
struct Transfer {
  store::Delivery delivery;
  std::string key;  // endpoint + job: one in flight per queue
  std::string address;
  std::string loggable_address;  // without the password a URL may carry
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
};

struct Dispatcher::Impl {
  CURLM* multi = nullptr;
  std::map<CURL*, Transfer> in_flight;
  std::set<std::string> busy_keys;
  std::map<std::string, int> per_endpoint;
  std::mt19937_64 random{std::random_device{}()};

  ~Impl() {
    for (auto& [easy, transfer] : in_flight) {
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(transfer.headers);
    }
    if (multi) curl_multi_cleanup(multi);
  }
};

Dispatcher::Dispatcher(store::JobStore& store, const config::NotificationsConfig& config,
                       std::string account_name, metrics::Metrics& metrics)
    : store_(store), config_(config), metrics_(metrics), impl_(std::make_unique<Impl>()) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    throw std::runtime_error("notifications: libcurl could not be initialised");
  impl_->multi = curl_multi_init();
  if (!impl_->multi) throw std::runtime_error("notifications: libcurl could not be initialised");
  settings_.account_id =
      config.account_id.empty() ? account_id_for(account_name) : config.account_id;
  settings_.account_name = std::move(account_name);
  settings_.progress_interval = std::chrono::seconds(config.progress_interval_seconds);
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::count_store_error(const std::exception& e) noexcept {
  if (dynamic_cast<const store::StoreError*>(&e) != nullptr) metrics_.store_error(metrics::Component::Notify);
}

void Dispatcher::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Dispatcher::stop() noexcept {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::wake() noexcept {
  if (impl_ && impl_->multi) curl_multi_wakeup(impl_->multi);
}

void Dispatcher::run() noexcept {
  Impl& im = *impl_;
  const auto max_age = std::chrono::seconds(config_.max_age_seconds);
  // How long a delivery attempt holds its message: the POST's time-out and a margin.
  const auto claim_period = std::chrono::seconds(config_.timeout_seconds + 30);
  const store::ComposeMessages compose = [this](const store::NotificationEvent& event,
                                                const std::vector<store::NotificationSubscriber>&
                                                    subscribers) {
    return compose_messages(event, subscribers, settings_);
  };
  std::map<std::string, std::optional<runtime::NotificationEndPoint>> endpoints;

  const auto start_transfer = [&](const store::Delivery& d,
                                  const runtime::NotificationEndPoint& endpoint) {
    CURL* easy = curl_easy_init();
    if (!easy) return;
    Transfer& t = im.in_flight[easy];
    t.delivery = d;
    t.key = d.endpoint_id + "\n" + d.job_id;
    t.address = endpoint.endpoint_address;
    t.loggable_address = config::without_query_values(endpoint.endpoint_address);
    t.headers = curl_slist_append(t.headers, "Content-Type: application/json; charset=utf-8");
    t.headers = curl_slist_append(t.headers, "Expect:");
    t.headers = curl_slist_append(
        t.headers, fmt::format("ms-mediaservices-accountid: {}", settings_.account_id).c_str());
    if (endpoint.credential_type == runtime::kCredentialTypeSigningKey &&
        !endpoint.signing_key.empty())
      t.headers = curl_slist_append(
          t.headers,
          fmt::format("ms-signature: {}", signature(endpoint.signing_key, t.delivery.body)).c_str());
    curl_easy_setopt(easy, CURLOPT_URL, t.address.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t.delivery.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(t.delivery.body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "mediaworker");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_seconds) * 1000);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(config_.timeout_seconds, 10)) * 1000);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, config_.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, config_.verify_tls ? 2L : 0L);
    if (!config_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, config_.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.error);
    im.busy_keys.insert(t.key);
    ++im.per_endpoint[d.endpoint_id];
    curl_multi_add_handle(im.multi, easy);
  };

  // A failed attempt: retry after the back-off, or give up when the message is too old.
  const auto failed = [&](const store::Delivery& d, const std::string& address,
                          const std::string& error) {
    const double base = std::min(config_.retry_max_seconds,
                                 config_.retry_initial_seconds *
                                     std::pow(2.0, std::min(d.attempts, 30)));
    const double wait = base * std::uniform_real_distribution<double>(0.5, 1.0)(im.random);
    const auto retry_at =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
    const bool give_up = retry_at - d.created > max_age;
    store_.delivery_failed(d.seq, retry_at, error, give_up);
    ++failed_;
    metrics_.notification_failed();
    if (give_up) {
      ++dead_;
      metrics_.notification_dead();
      spdlog::error("notification {} to {} given up after {} attempts over {:.0f} s: {}", d.etag,
                    address, d.attempts + 1,
                    std::chrono::duration<double>(Clock::now() - d.created).count(), error);
    } else {
      spdlog::warn("notification {} to {} failed (attempt {}): {}; retrying in {:.1f} s", d.etag,
                   address, d.attempts + 1, error, wait);
    }
  };

  const auto finish_transfer = [&](CURL* easy, CURLcode result) {
    auto it = im.in_flight.find(easy);
    if (it == im.in_flight.end()) return;
    Transfer t = std::move(it->second);
    im.in_flight.erase(it);
    curl_multi_remove_handle(im.multi, easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t.headers);
    im.busy_keys.erase(t.key);
    --im.per_endpoint[t.delivery.endpoint_id];
    const log::Scope about_job({t.delivery.job_id, {}, {}});
    try {
      if (result == CURLE_OK && status >= 200 && status < 300) {
        store_.delivery_succeeded(t.delivery.seq);
        ++delivered_;
        metrics_.notification_delivered();
      } else {
        const std::string error =
            result != CURLE_OK
                ? fmt::format("{}{}{}", curl_easy_strerror(result), t.error[0] ? ": " : "", t.error)
                : fmt::format("HTTP {}", status);
        failed(t.delivery, t.loggable_address, error);
      }
    } catch (const std::exception& e) {
      count_store_error(e);
      // The row stays queued: it is sent again (at least once).
      spdlog::error("notifications: recording a delivery failed: {}", e.what());
    }
  };

  while (!stopping_) {
    milliseconds wait = kPoll;
    try {
      while (store_.expand_notifications(compose, kBatch) == kBatch && !stopping_) {
      }
      const auto now = Clock::now();
      endpoints.clear();
      if (im.in_flight.size() < kMaxInFlight) {
        for (const auto& d : store_.due_deliveries(now, 200)) {
          if (im.in_flight.size() >= kMaxInFlight) break;
          if (im.busy_keys.count(d.endpoint_id + "\n" + d.job_id) ||
              im.per_endpoint[d.endpoint_id] >= config_.max_in_flight_per_endpoint)
            continue;
          auto found = endpoints.find(d.endpoint_id);
          if (found == endpoints.end())
            found = endpoints.emplace(d.endpoint_id, store_.find_notification_endpoint(d.endpoint_id))
                        .first;
          if (!found->second) continue;  // deleted meanwhile: its rows go with it
          if (now - d.created > max_age) {
            failed(d, config::without_query_values(found->second->endpoint_address),
                   "older than notifications.max_age_seconds");
            continue;
          }
          // Taken for this attempt, so another host's dispatcher does not send it too; if this
          // process dies meanwhile it is due again after the attempt's time-out.
          if (!store_.claim_delivery(d.seq, now, now + claim_period)) continue;
          start_transfer(d, *found->second);
        }
      }
      if (const auto next = store_.next_delivery_due(); next && *next > now)
        wait = std::clamp(std::chrono::duration_cast<milliseconds>(*next - now), milliseconds(1),
                          kPoll);
    } catch (const std::exception& e) {
      count_store_error(e);
      spdlog::error("notifications: the outbox could not be read: {}; retrying", e.what());
      wait = std::chrono::seconds(1);
    }
    int running = 0;
    curl_multi_perform(im.multi, &running);
    bool finished = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(im.multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      finish_transfer(msg->easy_handle, msg->data.result);
      finished = true;
    }
    if (finished || stopping_) continue;
    curl_multi_poll(im.multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
}

}  // namespace mw::notify
