#pragma once
// The playback harness's HTTP/1.1 server (Boost.Beast): static files for the player page and the
// stream under test, and the page's POSTed report. Runs on its own thread on 127.0.0.1.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mw::test {

/// Serves, on 127.0.0.1 at an ephemeral port:
///   GET|HEAD /media/<path>  the file <path> under `media_root` (the stream under test);
///   GET|HEAD /<path>        the file <path> under `page_root` (player.html, player.js,
///   node_modules); POST /report            hands the request body to `on_report` (on the server's
///   thread), 204.
/// Content-Type by extension (.m3u8 application/vnd.apple.mpegurl, .mpd application/dash+xml,
/// .m4s/.mp4 video/mp4, ...). Targets with ".." or outside the roots are 404, as are missing files;
/// every 404 is remembered (not_found()). Connections are kept alive; no caching headers.
class PlaybackServer {
 public:
  PlaybackServer(std::filesystem::path page_root, std::filesystem::path media_root,
                 std::function<void(std::string)> on_report);
  /// Stops serving and joins the thread; open connections are dropped.
  ~PlaybackServer();
  PlaybackServer(const PlaybackServer&) = delete;
  PlaybackServer& operator=(const PlaybackServer&) = delete;

  unsigned short port() const { return port_; }
  /// The request targets answered 404 so far, in order.
  std::vector<std::string> not_found() const;

 private:
  friend class PlaybackConnection;
  /// The file a target names, or an empty path when it names none (".." or no such root).
  std::filesystem::path resolve(const std::string& target) const;
  void record_not_found(std::string target);

  std::filesystem::path page_root_;
  std::filesystem::path media_root_;
  std::function<void(std::string)> on_report_;
  mutable std::mutex mutex_;  // guards not_found_
  std::vector<std::string> not_found_;
  // io_ outlives the acceptor and the sessions it runs; the thread runs io_ and is joined first.
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
};

}  // namespace mw::test
