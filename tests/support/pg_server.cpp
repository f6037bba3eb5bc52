#include "tests/support/pg_server.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "tests/support/process.hpp"

namespace mw::test {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUrlVariable = "MW_TEST_PG_URL";
constexpr const char* kBindirVariable = "MW_TEST_PG_BINDIR";

bool executable(const fs::path& p) {
  return access(p.c_str(), X_OK) == 0 && !fs::is_directory(p);
}

// The first `name` in PATH's folders (and `extra` after them), "" when none.
fs::path find_in_path(const std::string& name, std::vector<std::string> extra = {}) {
  std::vector<std::string> dirs;
  std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string d; std::getline(path, d, ':');)
    if (!d.empty()) dirs.push_back(d);
  dirs.insert(dirs.end(), extra.begin(), extra.end());
  for (const auto& d : dirs)
    if (executable(fs::path(d) / name)) return fs::path(d) / name;
  return {};
}

bool has_server_tools(const fs::path& dir) {
  return !dir.empty() && executable(dir / "initdb") && executable(dir / "pg_ctl");
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The last `n` non-empty lines of `text`, joined by " | " (one line for a skip message).
std::string tail(const std::string& text, size_t n = 6) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!trim(line).empty()) lines.push_back(trim(line));
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Where initdb and pg_ctl are: `pg_config --bindir` (Debian's libpq-dev pg_config names the
// server's folder), /usr/lib/postgresql/<newest>/bin (Debian's postgresql-NN), then PATH.
fs::path find_bindir() {
  if (const auto pg_config = find_in_path("pg_config"); !pg_config.empty()) {
    try {
      const auto r = run({pg_config.string(), "--bindir"});
      if (r.exit_code == 0 && has_server_tools(trim(r.out))) return trim(r.out);
    } catch (const std::exception&) {
    }
  }
  std::vector<std::pair<int, fs::path>> versions;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto name = e.path().filename().string();
    if (!name.empty() &&
        std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); }) &&
        has_server_tools(e.path() / "bin"))
      versions.emplace_back(std::stoi(name), e.path() / "bin");
  }
  if (!versions.empty()) return std::max_element(versions.begin(), versions.end())->second;
  if (const auto initdb = find_in_path("initdb"); has_server_tools(initdb.parent_path()))
    return initdb.parent_path();
  return {};
}

// A TCP port on 127.0.0.1 that nobody listens on right now (the kernel's pick for port 0). Another
// process may take it before the server binds it: try_start's caller then picks again.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    close(fd);
    throw std::system_error(err, std::generic_category(), "bind 127.0.0.1:0");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// RFC 3986 percent-encoding of everything but the unreserved characters (what libpq decodes in
// every part of a postgresql:// URI).
std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// libpq's reading of a connection string (URI or key=value). Throws std::invalid_argument with
// libpq's message.
ConninfoOptions parse_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  ConninfoOptions options(PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (!options) {
    const std::string message = error ? trim(error) : "out of memory";
    PQfreemem(error);
    throw std::invalid_argument("not a libpq connection string: " + message);
  }
  return options;
}

// `conninfo`'s database name ("" when it names none).
std::string database_of(const std::string& conninfo) {
  const auto options = parse_conninfo(conninfo);
  for (auto* o = options.get(); o->keyword; ++o)
    if (std::string(o->keyword) == "dbname" && o->val) return o->val;
  return {};
}

struct UriEdit {
  const std::string* dbname = nullptr;  ///< replaces the database when set
  bool redact_password = false;         ///< password=*** (for messages)
  bool connect_timeout = false;         ///< adds connect_timeout=10 when there is none (s)
};

// `conninfo` (a URI or key=value string) as the URI postgresql:///<db>?<key>=<value>&..., every
// option it sets kept, edited as `edit` says.
std::string rewrite(const std::string& conninfo, const UriEdit& edit) {
  const auto options = parse_conninfo(conninfo);
  std::string db = edit.dbname ? *edit.dbname : "";
  std::string query;
  bool has_timeout = false;
  for (auto* o = options.get(); o->keyword; ++o) {
    const std::string key = o->keyword;
    if (key == "dbname") {
      if (!edit.dbname && o->val) db = o->val;
      continue;
    }
    if (!o->val) continue;
    has_timeout = has_timeout || key == "connect_timeout";
    const bool hide = key == "password" && edit.redact_password;
    query += (query.empty() ? "?" : "&") + key + "=" + (hide ? "***" : percent_encode(o->val));
  }
  if (edit.connect_timeout && !has_timeout)
    query += (query.empty() ? "?" : "&") + std::string("connect_timeout=10");
  return "postgresql:///" + percent_encode(db) + query;
}

// Single quotes doubled: a string literal in postgresql.conf.
std::string conf_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

const std::string kSocketName = ".s.PGSQL.65535";

}  // namespace

PgServer::PgServer(Source source) {
  try {
    if (const char* url = std::getenv(kUrlVariable);
        source == Source::environment && url && *url)
      use_external(url);
    else
      start_own_cluster();
  } catch (const std::exception& e) {
    available_ = false;
    reason_ = std::string("PostgreSQL test server: ") + e.what();
  }
}

PgServer::~PgServer() {
  try {
    if (external_) {
      if (!created_.empty()) {
        pqxx::connection admin(admin_url());
        pqxx::nontransaction work(admin);
        for (const auto& db : created_)
          work.exec0("DROP DATABASE " + work.quote_name(db) + " WITH (FORCE)");
      }
      return;
    }
    if (running_)
      run(as_owner({(bindir_ / "pg_ctl").string(), "stop", "-D", (dir_ / "data").string(), "-m",
                    "immediate", "-w"}));
  } catch (const std::exception&) {
    // Best effort: a cluster left running is stopped by the next PgServer (see the class doc).
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

PgServer& PgServer::shared() {
  static PgServer& server = [] () -> PgServer& {
    static PgServer made;
    made.announce();
    return made;
  }();
  return server;
}

PgServer& PgServer::restartable() {
  PgServer& common = shared();
  if (common.owns_cluster()) return common;  // an own cluster already (up or not)
  static PgServer& server = [] () -> PgServer& {
    static PgServer made(Source::own_cluster);
    made.announce();
    return made;
  }();
  return server;
}

void PgServer::announce() const {
  std::string line = "[ pg ] ";
  if (!available_)
    line += "no PostgreSQL server: " + reason_;
  else if (external_)
    line += std::string(kUrlVariable) + "'s server, database " +
            rewrite(url_, {.redact_password = true});
  else
    line += "own cluster in " + dir_.string() + ", database " + url_;
  std::fprintf(stderr, "%s\n", line.c_str());
}

void PgServer::use_external(const std::string& url) {
  external_ = true;
  external_base_ = url;
  std::string shown = kUrlVariable;
  try {
    shown += "=" + rewrite(url, {.redact_password = true});
    url_ = create_database();
  } catch (const std::exception& e) {
    reason_ = shown + ": " + trim(e.what());
    return;
  }
  available_ = true;
}

void PgServer::start_own_cluster() {
  if (const char* dir = std::getenv(kBindirVariable); dir && *dir) {
    bindir_ = dir;
    if (!has_server_tools(bindir_)) {
      reason_ = std::string(kBindirVariable) + "=" + dir + " holds no initdb and pg_ctl";
      return;
    }
  } else {
    bindir_ = find_bindir();
  }
  if (bindir_.empty()) {
    reason_ =
        "no PostgreSQL server programs (initdb, pg_ctl) in `pg_config --bindir`, "
        "/usr/lib/postgresql/*/bin or PATH: install Debian's postgresql package "
        "(scripts/install-deps.sh), or set " +
        std::string(kUrlVariable) + " to a server's URL";
    return;
  }
  owner_uid_ = geteuid();
  owner_gid_ = getegid();
  if (owner_uid_ == 0) {
    // The server refuses to run as root: the cluster belongs to the system user postgres.
    const passwd* pw = getpwnam("postgres");
    runuser_ = find_in_path("runuser", {"/usr/sbin", "/sbin"}).string();
    if (!pw || runuser_.empty()) {
      reason_ = std::string("the test runs as root, which the PostgreSQL server refuses, and ") +
                (!pw ? "there is no system user \"postgres\" to run it as (Debian's postgresql "
                       "package makes it)"
                     : "runuser (util-linux) is missing to run it as \"postgres\"");
      return;
    }
    owner_uid_ = pw->pw_uid;
    owner_gid_ = pw->pw_gid;
  }

  // Clusters of test processes that are gone (killed by a ctest timeout): stop and remove them.
  const fs::path tmp = fs::temp_directory_path();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(tmp, ec)) {
    const auto name = e.path().filename().string();
    if (name.rfind("mw-pg-", 0) != 0) continue;
    const pid_t pid = static_cast<pid_t>(std::atol(name.c_str() + 6));
    if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH) continue;
    if (fs::exists(e.path() / "data" / "postmaster.pid", ec))
      run(as_owner({(bindir_ / "pg_ctl").string(), "stop", "-D", (e.path() / "data").string(), "-m",
                    "immediate", "-w"}));
    fs::remove_all(e.path(), ec);
  }

  std::string pattern = (tmp / ("mw-pg-" + std::to_string(getpid()) + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data()))
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  dir_ = pattern;
  if (owner_uid_ != geteuid() && chown(dir_.c_str(), owner_uid_, owner_gid_) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "chown " + dir_.string() + " to postgres");

  const auto initdb =
      run(as_owner({(bindir_ / "initdb").string(), "-D", (dir_ / "data").string(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"}));
  if (initdb.exit_code != 0) {
    reason_ = (bindir_ / "initdb").string() + " failed (exit " + std::to_string(initdb.exit_code) +
              "): " + tail(initdb.err + initdb.out);
    return;
  }

  // The unix socket's path must fit sockaddr_un (107 bytes); with a long TMPDIR, TCP only.
  const bool socket_fits = (dir_ / kSocketName).string().size() < 100;
  std::ofstream conf(dir_ / "data" / "postgresql.conf", std::ios::app);
  conf << "\n# mediaworker tests (tests/support/pg_server.cpp)\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = " << conf_quote(socket_fits ? dir_.string() : "")
       << "\n"
       // fsync off: a commit is a write() to the page cache, which outlives a killed server.
       // synchronous_commit stays on: off would let stop() (-m immediate) lose the last
       // commits (their WAL still in shared memory), and the restart tests assert none is lost.
       << "fsync = off\nfull_page_writes = off\n"
       << "shared_buffers = 32MB\n";
  conf.close();
  if (!conf)
    throw std::runtime_error("cannot append to " + (dir_ / "data" / "postgresql.conf").string());

  std::string why;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    why = try_start(port_);
    if (why.empty() || why.find("could not bind") == std::string::npos) break;
  }
  if (!why.empty()) {
    reason_ = why;
    return;
  }
  running_ = true;
  try {
    url_ = create_database();
  } catch (const std::exception& e) {
    reason_ = "PostgreSQL test server at " + admin_url() + ": " + trim(e.what());
    return;
  }
  available_ = true;
}

std::vector<std::string> PgServer::as_owner(std::vector<std::string> args) const {
  if (runuser_.empty()) return args;
  args.insert(args.begin(), {runuser_, "-u", "postgres", "--"});
  return args;
}

std::string PgServer::try_start(int port) {
  const auto log = dir_ / "server.log";
  const auto begun = std::chrono::steady_clock::now();
  const auto r =
      run(as_owner({(bindir_ / "pg_ctl").string(), "start", "-D", (dir_ / "data").string(), "-l",
                    log.string(), "-w", "-t", "30", "-o", "-p " + std::to_string(port)}));
  last_start_ = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - begun);
  if (r.exit_code == 0) return {};
  return (bindir_ / "pg_ctl").string() + " start failed (exit " + std::to_string(r.exit_code) +
         "): " + tail(r.err) + "; " + log.string() + ": " + tail(read_file(log));
}

std::string PgServer::admin_url() const {
  if (external_) return rewrite(external_base_, {.connect_timeout = true});
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

std::string PgServer::create_database() {
  // Numbered across the process: two PgServers of one process may share an external server.
  static std::atomic<int> databases{0};
  const std::string name =
      "mw_test_" + std::to_string(getpid()) + "_" + std::to_string(++databases);
  pqxx::connection admin(admin_url());
  pqxx::nontransaction work(admin);
  if (external_) {
    // A database of the same name left by a killed process with this pid: start clean.
    if (!work.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty())
      work.exec0("DROP DATABASE " + work.quote_name(name) + " WITH (FORCE)");
  }
  work.exec0("CREATE DATABASE " + work.quote_name(name));
  if (!external_) return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
  created_.push_back(name);
  return rewrite(external_base_, {.dbname = &name});
}

int PgServer::terminate_connections(const std::string& url) {
  const std::string db = database_of(url);
  pqxx::connection admin(admin_url());
  pqxx::nontransaction work(admin);
  const auto r = work.exec_params1(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = $1 AND pid <> pg_backend_pid()",
      db);
  return r[0].as<int>();
}

void PgServer::stop() {
  if (external_) throw std::logic_error("the server of MW_TEST_PG_URL is not ours to stop");
  if (!running_) return;
  const auto r = run(as_owner({(bindir_ / "pg_ctl").string(), "stop", "-D",
                               (dir_ / "data").string(), "-m", "immediate", "-w"}));
  if (r.exit_code != 0)
    throw std::runtime_error("pg_ctl stop failed (exit " + std::to_string(r.exit_code) +
                             "): " + tail(r.err));
  running_ = false;
}

void PgServer::start() {
  if (external_) throw std::logic_error("the server of MW_TEST_PG_URL is not ours to start");
  if (running_) return;
  if (const auto why = try_start(port_); !why.empty()) throw std::runtime_error(why);
  running_ = true;
}

void PgServer::restart() {
  stop();
  start();
}

}  // namespace mw::test
