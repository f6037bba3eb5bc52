#include "daemon/api/connections.hpp"

#include <boost/asio/post.hpp>

#include <vector>

namespace mw::api {

std::optional<Connections::Id> Connections::add(boost::beast::tcp_stream& stream) {
  std::lock_guard lock(mutex_);
  if (closed_) return std::nullopt;
  const Id id = next_id_++;
  live_.emplace(id, Entry{stream.get_executor(), &stream});
  return id;
}

void Connections::remove(Id id) {
  std::lock_guard lock(mutex_);
  live_.erase(id);
}

void Connections::close_all() {
  std::vector<std::pair<Id, boost::asio::any_io_executor>> targets;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (const auto& [id, entry] : live_) targets.emplace_back(id, entry.strand);
  }
  for (auto& [id, strand] : targets) boost::asio::post(strand, [this, id = id] { close_one(id); });
}

void Connections::close_one(Id id) {
  std::lock_guard lock(mutex_);
  const auto it = live_.find(id);
  if (it == live_.end()) return;
  boost::beast::error_code ec;
  it->second.stream->socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  it->second.stream->close();
}

}  // namespace mw::api
