// `mediaworker serve` under systemd logs to the journal (issue 8): the real binary, started the
// way systemd starts a service whose stderr goes to journald (JOURNAL_STREAM naming its stderr),
// sends each line to /run/systemd/journal/socket as structured fields. systemd is not running
// here, so the test stands in for journald: the daemon runs in a private mount namespace with a
// tmpfs over /run, where the journal socket is a datagram socket this test reads. Waits are
// poll() on that socket with deadlines.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "tests/support/http.hpp"
#include "tests/support/process.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using Fields = std::map<std::string, std::string>;
using Clock = std::chrono::steady_clock;

// One datagram of the journal's native protocol (systemd's "Native Journal Protocol"): fields
// "NAME=value\n", or "NAME\n" + little-endian 64-bit length + value + "\n" for binary values.
Fields parse_entry(const std::string& d) {
  Fields fields;
  size_t at = 0;
  while (at < d.size()) {
    const size_t nl = d.find('\n', at);
    const size_t eq = d.find('=', at);
    if (eq != std::string::npos && (nl == std::string::npos || eq < nl)) {
      const size_t end = nl == std::string::npos ? d.size() : nl;
      fields[d.substr(at, eq - at)] = d.substr(eq + 1, end - eq - 1);
      at = end + 1;
    } else {
      if (nl == std::string::npos || nl + 9 > d.size()) break;
      uint64_t size = 0;
      std::memcpy(&size, d.data() + nl + 1, 8);
      fields[d.substr(at, nl - at)] = d.substr(nl + 9, size);
      at = nl + 9 + size + 1;
    }
  }
  return fields;
}

class FakeJournal {
 public:
  FakeJournal() : fd_(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~FakeJournal() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }

  // Starts `mediaworker serve --config config` in a new mount namespace whose /run is a tmpfs
  // holding this journal's socket, with stderr a pipe named by JOURNAL_STREAM. Returns "" or why not.
  std::string start(const std::filesystem::path& config) {
    int err[2];
    if (pipe2(err, O_CLOEXEC) != 0) return "pipe failed";
    struct stat st {};
    fstat(err[1], &st);
    // Everything the child needs, built before fork (after it only system calls run).
    const std::string binary = MW_BINARY, conf = config.string();
    const std::string stream = "JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    std::vector<std::string> env_strings{stream, "PATH=/usr/bin:/bin"};
    std::vector<char*> env;
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    std::vector<char*> argv{const_cast<char*>(binary.c_str()), const_cast<char*>("serve"),
                            const_cast<char*>("--config"), const_cast<char*>(conf.c_str()), nullptr};
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, "/run/systemd/journal/socket");
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) return "pipe failed";
    pid_ = fork();
    if (pid_ == 0) {
      const auto fail = [&](char step) {
        (void)!write(status_pipe[1], &step, 1);
        _exit(127);
      };
      if (unshare(CLONE_NEWNS) != 0) fail('u');
      if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail('p');
      if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0) fail('m');
      if (mkdir("/run/systemd", 0755) != 0 || mkdir("/run/systemd/journal", 0755) != 0) fail('d');
      if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail('b');
      close(fd_);
      dup2(err[1], 2);
      dup2(err[1], 1);
      execve(binary.c_str(), argv.data(), env.data());
      fail('e');
    }
    close(err[1]);
    close(status_pipe[1]);
    err_fd_ = err[0];
    char step = 0;
    const ssize_t n = read(status_pipe[0], &step, 1);  // EOF: exec succeeded (close-on-exec)
    close(status_pipe[0]);
    if (n == 1) return std::string("the namespace set-up failed at step '") + step + "': " + std::strerror(errno);
    return "";
  }

  // The next entry, or nullopt at the deadline.
  std::optional<Fields> next(Clock::time_point deadline) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      std::string d(1 << 16, '\0');
      const ssize_t n = recv(fd_, d.data(), d.size(), 0);
      if (n <= 0) continue;
      d.resize(static_cast<size_t>(n));
      Fields f = parse_entry(d);
      entries_.push_back(f);
      return f;
    }
  }
  // Reads entries until one's MESSAGE contains `text`; nullopt at the deadline.
  std::optional<Fields> until(const std::string& text, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (auto f = next(deadline))
      if ((*f)["MESSAGE"].find(text) != std::string::npos) return f;
    return std::nullopt;
  }
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // What the daemon wrote to stderr (nothing, when every line reached the journal).
  std::string stderr_text() {
    std::string text;
    char b[4096];
    fcntl(err_fd_, F_SETFL, O_NONBLOCK);
    for (ssize_t n; (n = read(err_fd_, b, sizeof b)) > 0;) text.append(b, static_cast<size_t>(n));
    return text;
  }
  const std::vector<Fields>& entries() const { return entries_; }

 private:
  int fd_ = -1;
  int err_fd_ = -1;
  pid_t pid_ = -1;
  std::vector<Fields> entries_;
};

std::string url_encode(const std::string& s) {
  std::string out;
  for (char c : s) out += c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

TEST(ServeJournal, EachLineReachesTheJournalWithPriorityAndTheJobTaskAndAssetFields) {
  if (geteuid() != 0)
    GTEST_SKIP() << "needs root: the stand-in journald socket lives in a private mount namespace (tmpfs over /run)";
  TempDir dir;
  const std::string token = "journal-test-token-5d1f0c";
  std::ofstream(dir.path() / "tokens") << token << "\n";
  std::ofstream(dir.path() / "config.yaml") << "api:\n  listen: 127.0.0.1:0\n  tokens_file: tokens\n"
                                               "store:\n  url: sqlite://jobs.db\nstorage:\n  root: assets\n";
  FakeJournal journal;
  const std::string why = journal.start(dir.path() / "config.yaml");
  if (why.find("step 'u'") != std::string::npos || why.find("step 'm'") != std::string::npos)
    GTEST_SKIP() << "no mount namespace here (a container without CAP_SYS_ADMIN?): " << why;
  ASSERT_EQ(why, "");

  auto listening = journal.until("listening on http://127.0.0.1:", std::chrono::seconds(60));
  ASSERT_TRUE(listening) << "no listening line in the journal; stderr: " << journal.stderr_text();
  EXPECT_EQ((*listening)["PRIORITY"], "6");
  EXPECT_EQ((*listening)["SYSLOG_IDENTIFIER"], "mediaworker");
  const std::string& message = (*listening)["MESSAGE"];
  const auto port = static_cast<unsigned short>(
      std::stoi(message.substr(message.find("127.0.0.1:") + std::strlen("127.0.0.1:"))));

  // An asset whose AssetFile was never uploaded, and a job on it: its task fails at once (the
  // file is missing from storage), a line about one job, task and output asset.
  const std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + token},
                                                      {"Accept", "application/json;odata=verbose"},
                                                      {"Content-Type", "application/json;odata=verbose"},
                                                      {"DataServiceVersion", "3.0"},
                                                      {"x-ms-version", "2.19"}};
  const HttpResponse asset = http_request(port, "POST", "/api/Assets", R"({"Name":"empty"})", headers);
  ASSERT_EQ(asset.status, 201) << asset.body;
  const std::string asset_id = json::parse(asset.body)["d"]["Id"];
  const HttpResponse file = http_request(
      port, "POST", "/api/Files",
      json{{"IsPrimary", true}, {"Name", "never-uploaded.mp4"}, {"ParentAssetId", asset_id}}.dump(), headers);
  ASSERT_EQ(file.status, 201) << file.body;
  const std::string job_body =
      json{{"Name", "journal"},
           {"InputMediaAssets@odata.bind", {"http://h/api/Assets('" + url_encode(asset_id) + "')"}},
           {"Tasks",
            {{{"Configuration", "H264 Single Bitrate Low Quality SD for Android"},
              {"MediaProcessorId", "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56"},
              {"TaskBody",
               "<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
               "</taskBody>"}}}}}
          .dump();
  const HttpResponse job = http_request(port, "POST", "/api/Jobs", job_body, headers);
  ASSERT_EQ(job.status, 201) << job.body;
  const std::string job_id = json::parse(job.body)["d"]["Id"];
  auto failed = journal.until("of job " + job_id + ": ", std::chrono::seconds(60));
  ASSERT_TRUE(failed) << "no line about the job in the journal";
  EXPECT_EQ((*failed)["PRIORITY"], "3") << (*failed)["MESSAGE"];  // error
  EXPECT_EQ((*failed)["JOB_ID"], job_id);
  EXPECT_EQ((*failed)["TASK_ID"].rfind("nb:tid:UUID:", 0), 0u) << (*failed)["TASK_ID"];
  EXPECT_EQ((*failed)["ASSET_ID"].rfind("nb:cid:UUID:", 0), 0u) << (*failed)["ASSET_ID"];
  EXPECT_NE((*failed)["ASSET_ID"], asset_id) << "ASSET_ID is the task's output asset";
  EXPECT_NE((*failed)["MESSAGE"].find("is missing from storage"), std::string::npos) << (*failed)["MESSAGE"];

  EXPECT_EQ(journal.stop(), 0);
  while (journal.next(Clock::now() + std::chrono::milliseconds(200))) {
  }
  bool stopped = false;
  for (const auto& entry : journal.entries()) {
    stopped |= entry.at("MESSAGE").find("mediaworker: stopped") != std::string::npos;
    for (const auto& [name, value] : entry) EXPECT_EQ(value.find(token), std::string::npos) << name;
  }
  EXPECT_TRUE(stopped);
  EXPECT_EQ(journal.stderr_text(), "") << "every line goes to the journal, none to stderr";
}

}  // namespace
}  // namespace mw::test
