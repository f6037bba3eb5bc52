// The server's own rules: when it refuses to start, serving without tokens on loopback, and
// stopping with connections open (idle, or in the middle of an upload).

#include "daemon/api/api_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "tests/daemon/api/api_fixture.hpp"

namespace mw::api::test {
namespace {

using ApiServerLifecycleTest = ApiFixture;

class OpenLoopbackServerTest : public ApiFixture {
 protected:
  static config::ApiConfig open_config() {
    config::ApiConfig config = test_config();
    config.tokens.clear();
    return config;
  }
  OpenLoopbackServerTest() : ApiFixture(open_config()) {}
};

TEST_F(OpenLoopbackServerTest, WithoutTokensALoopbackServerNeedsNoAuthorization) {
  EXPECT_EQ(get("/api/MediaProcessors", {{"Accept", "application/json"}}).status, 200);
}

TEST(ApiServerStartTest, RefusesToServeAnOpenApiOnANonLoopbackAddress) {
  mw::test::TempDir dir;
  store::SqliteJobStore store(dir.path() / "jobs.db");
  runtime::Storage storage(dir.path() / "assets");
  const runtime::PresetCatalog presets(presets::PresetLibrary::load({presets::default_preset_dir()}));
  runtime::JobService jobs(store, storage, presets);
  config::ApiConfig config = test_config();
  config.tokens.clear();
  config.listen = "0.0.0.0:0";
  ApiServer open(config, store, jobs, storage);
  try {
    open.start();
    ADD_FAILURE() << "started without tokens on 0.0.0.0";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("api.listen"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tokens"), std::string::npos) << e.what();
  }
  config.tokens = {kToken};
  for (const char* bad : {"127.0.0.1:notaport", "127.0.0.1", "127.0.0.1:70000"}) {
    config.listen = bad;
    EXPECT_THROW(ApiServer(config, store, jobs, storage).start(), std::runtime_error) << bad;
  }
}

TEST_F(ApiServerLifecycleTest, StopClosesIdleKeepAliveConnectionsAndJoins) {
  ASSERT_EQ(get("/api/Jobs").status, 200);
  ASSERT_TRUE(client_->connected());  // an idle keep-alive connection is open
  server_.stop();                     // returns: the idle connection does not hold it
  EXPECT_ANY_THROW(get("/api/Jobs"));
  server_.stop();  // idempotent
}

TEST_F(ApiServerLifecycleTest, StopDuringAnUploadLeavesNoPartialFile) {
  const Reply asset = send(http::verb::post, "/api/Assets", R"({"Name":"a"})");
  const std::string asset_id = asset.json()["d"]["Id"];
  const Reply file = send(http::verb::post, "/api/Files",
                          R"({"Name":"big.bin","ParentAssetId":")" + asset_id + R"("})");
  const std::string file_id = file.json()["d"]["Id"];

  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_.port()});
  const std::string head = "PUT /api/Files('" + percent_encode(file_id) +
                           "')/$value HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken +
                           "\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(head));
  // The server opens the temporary file before it answers 100 Continue.
  std::string interim;
  boost::asio::read_until(socket, boost::asio::dynamic_buffer(interim), "\r\n\r\n");
  ASSERT_EQ(interim.rfind("HTTP/1.1 100", 0), 0u) << interim;
  boost::asio::write(socket, boost::asio::buffer(std::string(4096, 'x')));

  server_.stop();
  EXPECT_EQ(mw::test::TempDir::list(storage_.asset_dir(asset_id)), std::vector<std::string>{});
}

}  // namespace
}  // namespace mw::api::test
