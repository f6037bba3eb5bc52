#pragma once
// A PostgreSQL server for the tests: a throwaway cluster (initdb into a temp folder, pg_ctl start
// on 127.0.0.1 and a free port, fsync off) owned by the test process, or the server named by the
// environment variable MW_TEST_PG_URL. Either way each PgServer works in a database of its own,
// so test processes that ctest runs side by side never see each other's rows.
//
// The PostgreSQL tests start with
//   auto& pg = mw::test::PgServer::shared();
//   if (!pg.available()) GTEST_SKIP() << pg.reason();
// and a test that stops or restarts the server (a farm losing its database) with
//   auto& pg = mw::test::PgServer::restartable();
// which is always a cluster of the test process's own, MW_TEST_PG_URL or not (CI sets it:
// scripts/test-postgres.sh).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace mw::test {

/// One PostgreSQL server and a fresh database on it for a test process.
///
/// Own cluster (MW_TEST_PG_URL unset): initdb (superuser "postgres", trust authentication, UTF8,
/// no locale) into <temp>/mw-pg-<pid>-XXXXXX, then the server listens on 127.0.0.1 on a free TCP
/// port and on a unix socket in that folder, with fsync and full_page_writes off (a crash of the
/// machine may lose the cluster; nothing outlives the test anyway; synchronous_commit stays on, so
/// a commit survives stop(), which kills the server). The
/// server refuses to run as root: when the test runs as root the cluster belongs to the system
/// user "postgres" and initdb and pg_ctl run through `runuser -u postgres --`. The binaries are
/// looked up in `pg_config --bindir`, then /usr/lib/postgresql/<newest version>/bin (Debian's
/// postgresql package), then PATH; the environment variable MW_TEST_PG_BINDIR names their folder
/// instead. The destructor stops the server (pg_ctl stop -m immediate)
/// and removes the folder; clusters left behind by test processes that died (a ctest timeout
/// kills with SIGKILL) are stopped and removed by the next PgServer.
///
/// External server (MW_TEST_PG_URL set, a libpq URI or key=value string): the server is used as
/// it is; a database is created on it for this PgServer and dropped (WITH FORCE) in the
/// destructor. The URL's role needs CREATEDB; terminate_connections() needs pg_signal_backend or
/// superuser; stop(), start() and restart() are refused (a test that needs them asks for
/// restartable() or Source::own_cluster).
///
/// Construction never throws: when no server can be had, available() is false and reason() says
/// why (missing binaries, initdb's or the server log's last lines, libpq's connection error).
class PgServer {
 public:
  /// Which server a PgServer uses.
  enum class Source {
    environment,  ///< MW_TEST_PG_URL's server when the variable is set, else an own cluster
    own_cluster,  ///< an own cluster even when MW_TEST_PG_URL is set (stop/start/restart allowed)
  };

  /// Starts the server (or connects to MW_TEST_PG_URL's) and creates this PgServer's database.
  /// Takes about 0.8 s for an own cluster (initdb 0.5 s, start 0.1 s, CREATE DATABASE 0.1 s).
  explicit PgServer(Source source = Source::environment);
  /// Stops and removes an own cluster; drops the databases made on an external server.
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  /// The server of this test process (Source::environment), started on first use and stopped at
  /// exit. The first use prints one line to stderr naming the server it got (the URL, password
  /// as ***) or why there is none, so a test log shows whether MW_TEST_PG_URL's server was used.
  static PgServer& shared();
  /// A server of this process's own that stop(), start() and restart() may break: shared() when
  /// that is an own cluster, else a second PgServer (Source::own_cluster) started on first use,
  /// also announced on stderr. For the tests that take the database away from the store.
  static PgServer& restartable();

  /// True when the server is up and url() reaches it.
  bool available() const { return available_; }
  /// Why the server is not available (for GTEST_SKIP), "" when it is.
  const std::string& reason() const { return reason_; }
  /// A libpq URI for this PgServer's database, e.g.
  /// "postgresql://postgres@127.0.0.1:40123/mw_test_4242_1". Stays the same across restart().
  const std::string& url() const { return url_; }
  /// True when this process started the server (stop/start/restart allowed).
  bool owns_cluster() const { return !external_; }
  /// The cluster's folder (data/, the server's log server.log, the unix socket); empty for an
  /// external server.
  const std::filesystem::path& folder() const { return dir_; }

  /// Creates another empty database on the server and returns its libpq URI (each call in the
  /// process a new name, mw_test_<pid>_<n>). Throws std::runtime_error with the server's message.
  std::string create_database();

  /// Ends every other session on `url`'s database (pg_terminate_backend), as a lost connection
  /// does to the clients. Returns how many sessions were ended. Throws std::runtime_error.
  int terminate_connections(const std::string& url);

  /// Kills the server (pg_ctl stop -m immediate: no shutdown checkpoint, clients see their
  /// connections drop, the next start replays the WAL). Throws std::logic_error for an external
  /// server, std::runtime_error when pg_ctl fails.
  void stop();
  /// Starts the stopped server again on the same port (so url() stays valid). Throws like stop().
  void start();
  /// stop() then start(): every client connection breaks; committed data survives.
  void restart();

  /// How long the last start() took (pg_ctl start -w, i.e. until the server accepts connections).
  std::chrono::milliseconds last_start_duration() const { return last_start_; }

 private:
  void start_own_cluster();
  void use_external(const std::string& url);
  std::vector<std::string> as_owner(std::vector<std::string> args) const;
  std::string try_start(int port);  // "" on success, else why
  std::string admin_url() const;    // the maintenance database "postgres"

  void announce() const;  // the line shared() and restartable() print

  bool available_ = false;
  bool external_ = false;
  bool running_ = false;
  std::string reason_;
  std::string url_;
  std::string external_base_;  // MW_TEST_PG_URL as given
  std::filesystem::path dir_;  // own cluster: the temp folder
  std::filesystem::path bindir_;
  std::string runuser_;  // "/usr/sbin/runuser" when the cluster's owner is "postgres" (we are root)
  uid_t owner_uid_ = 0;
  gid_t owner_gid_ = 0;
  int port_ = 0;
  std::vector<std::string> created_;  // database names made on an external server
  std::chrono::milliseconds last_start_{0};
};

}  // namespace mw::test
