// End to end: every way propwatch-coordinator can fail to start once its
// flags are parsed ends in exit code 1 and one line on stderr that names the
// cause and the fix (docs/OPERATIONS.md, "Start-up errors"), never in a
// signal. Each case runs the real binary.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/unique_fd.h"
#include "gtest/gtest.h"
#include "propwatch/v1/control.grpc.pb.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

using testing::BuildPath;
using testing::CommandResult;
using testing::CoordinatorProcess;
using testing::RunCommand;
using testing::TempDir;

// Runs the coordinator with `flags` (plaintext, loopback port 0 unless
// `flags` has --listen) and waits for it to give up.
CommandResult RunCoordinator(std::vector<std::string> flags) {
  std::vector<std::string> argv = {
      BuildPath("coordinator/propwatch-coordinator"), "--insecure"};
  if (std::find(flags.begin(), flags.end(), "--listen") == flags.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  argv.insert(argv.end(), flags.begin(), flags.end());
  // A coordinator that starts after all would run until killed: the bound
  // turns that into exit_code -9.
  return RunCommand(argv, absl::Seconds(20));
}

// The lines of stderr that are not spdlog log lines ("2026-12-04T...").
std::vector<std::string> ErrorLines(const std::string& err) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(err, '\n', absl::SkipEmpty())) {
    const bool log_line =
        line.size() > 10 && line[4] == '-' && line[7] == '-' && line[10] == 'T';
    if (!log_line) out.emplace_back(line);
  }
  return out;
}

// Exit code 1 (not a signal, which RunCommand reports as negative) and
// exactly `line` as the one error line.
void ExpectStartupError(const CommandResult& r, const std::string& line) {
  EXPECT_GE(r.exit_code, 0) << "killed by signal " << -r.exit_code << "\n"
                            << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(ErrorLines(r.err), std::vector<std::string>{line}) << r.err;
}

// As above when part of the line (RocksDB's own detail) is not fixed:
// the line starts with `prefix` and ends with `suffix`.
void ExpectStartupErrorLike(const CommandResult& r, const std::string& prefix,
                            const std::string& suffix) {
  EXPECT_GE(r.exit_code, 0) << "killed by signal " << -r.exit_code << "\n"
                            << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::vector<std::string> lines = ErrorLines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_TRUE(absl::StartsWith(lines[0], prefix)) << lines[0];
  EXPECT_TRUE(absl::EndsWith(lines[0], suffix)) << lines[0];
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A TCP socket listening on 127.0.0.1 at a kernel-chosen port.
UniqueFd ListenOnLoopback(int* port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd.get(), 1) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1:0";
    return UniqueFd();
  }
  socklen_t len = sizeof(addr);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

// The agents `address` knows, or nullopt when the call fails. A fresh
// channel each time: a new connection the kernel could hand to another
// process sharing the port.
std::optional<std::vector<v1::AgentRecord>> ListAgents(
    const std::string& address) {
  auto stub = v1::ControlService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::ListAgentsResponse response;
  if (!stub->ListAgents(&context, v1::ListAgentsRequest(), &response).ok()) {
    return std::nullopt;
  }
  return std::vector<v1::AgentRecord>(response.agents().begin(),
                                      response.agents().end());
}

bool ListAgentsWorks(const std::string& address) {
  return ListAgents(address).has_value();
}

// Runs a coordinator on `data_dir` until an agent named `agent_id` has been
// recorded, stops it with SIGTERM, then overwrites its MANIFEST with
// garbage.
void MakeCorruptDataDir(const std::string& data_dir,
                        const std::string& agent_id) {
  {
    CoordinatorProcess previous({}, data_dir);
    testing::Subprocess agent(
        {BuildPath("agent/propwatch-agent"), "--insecure", "--coordinator",
         previous.address(), "--agent-id", agent_id, "--region", "eu-west",
         "--system-resolver", "127.0.0.1"},
        previous.dir().File("agent"));
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          auto agents = ListAgents(previous.address());
          return agents.has_value() && !agents->empty();
        },
        absl::Seconds(15)))
        << agent.Stderr();
    previous.process().Signal(SIGTERM);
    auto status = previous.process().Wait(absl::Seconds(15));
    ASSERT_TRUE(status.has_value());
    ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << previous.process().Stderr();
  }
  int manifests = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    if (absl::StartsWith(entry.path().filename().string(), "MANIFEST-")) {
      WriteFile(entry.path().string(), std::string(4096, '\xa5'));
      ++manifests;
    }
  }
  ASSERT_GT(manifests, 0);
}

TEST(StartupErrorsTest, DataDirLockedByARunningCoordinator) {
  CoordinatorProcess first;
  CommandResult r = RunCoordinator({"--data-dir", first.data_dir()});
  ExpectStartupError(
      r, absl::StrCat("propwatch-coordinator: --data-dir ", first.data_dir(),
                      " is locked by another coordinator (pid ",
                      first.process().pid(),
                      "): stop it or choose another --data-dir"));
  EXPECT_TRUE(first.process().running());
  EXPECT_TRUE(ListAgentsWorks(first.address()));
}

TEST(StartupErrorsTest, DataDirUnderARegularFileCannotBeCreated) {
  // Not writable even by root: nothing can be created beneath a file.
  TempDir dir;
  const std::string file = dir.File("file");
  WriteFile(file, "not a directory\n");
  const std::string data_dir = file + "/db";
  CommandResult r = RunCoordinator({"--data-dir", data_dir});
  ExpectStartupError(
      r, absl::StrCat("propwatch-coordinator: --data-dir ", data_dir,
                      " cannot be created: ", file,
                      " is a file, not a directory: choose another "
                      "--data-dir"));
}

TEST(StartupErrorsTest, DataDirWithoutWritePermission) {
  if (geteuid() == 0) {
    GTEST_SKIP() << "root writes through permission bits; "
                    "DataDirUnderARegularFileCannotBeCreated covers root";
  }
  TempDir dir;
  const std::string data_dir = dir.File("db");
  ASSERT_EQ(mkdir(data_dir.c_str(), 0500), 0);
  CommandResult r = RunCoordinator({"--data-dir", data_dir});
  chmod(data_dir.c_str(), 0700);
  ExpectStartupError(
      r, absl::StrCat("propwatch-coordinator: --data-dir ", data_dir,
                      " is not writable (Permission denied): give the "
                      "coordinator's user write access to it or choose "
                      "another --data-dir"));
}

TEST(StartupErrorsTest, DataDirIsAFile) {
  TempDir dir;
  const std::string data_dir = dir.File("db");
  WriteFile(data_dir, "not a directory\n");
  CommandResult r = RunCoordinator({"--data-dir", data_dir});
  ExpectStartupError(
      r, absl::StrCat("propwatch-coordinator: --data-dir ", data_dir,
                      " is a file, not a directory: move the file away or "
                      "choose another --data-dir"));
}

TEST(StartupErrorsTest, CorruptManifest) {
  TempDir dir;
  const std::string data_dir = dir.File("db");
  ASSERT_NO_FATAL_FAILURE(MakeCorruptDataDir(data_dir, "agent-eu-1"));
  CommandResult r = RunCoordinator({"--data-dir", data_dir});
  ExpectStartupErrorLike(
      r,
      absl::StrCat("propwatch-coordinator: --data-dir ", data_dir,
                   " is corrupt ("),
      absl::StrCat("): restore it from a backup, or salvage what is left "
                   "with propwatch-coordinator --repair --data-dir ",
                   data_dir));
}

// The way out the corrupt-MANIFEST message offers.
TEST(StartupErrorsTest, RepairRebuildsACorruptManifestKeepingItsRecords) {
  TempDir dir;
  const std::string data_dir = dir.File("db");
  ASSERT_NO_FATAL_FAILURE(MakeCorruptDataDir(data_dir, "agent-eu-1"));
  CommandResult r = RunCommand({BuildPath("coordinator/propwatch-coordinator"),
                                "--repair", "--data-dir", data_dir},
                               absl::Seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(absl::StrCat("propwatch-coordinator: repaired "
                                    "--data-dir ",
                                    data_dir)),
            std::string::npos)
      << r.err;
  CoordinatorProcess restarted({}, data_dir);
  auto agents = ListAgents(restarted.address());
  ASSERT_TRUE(agents.has_value());
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_EQ((*agents)[0].identity().agent_id(), "agent-eu-1");
  EXPECT_EQ((*agents)[0].identity().region(), "eu-west");
}

TEST(StartupErrorsTest, RepairOfALockedDataDirExits) {
  CoordinatorProcess running;
  CommandResult r = RunCommand({BuildPath("coordinator/propwatch-coordinator"),
                                "--repair", "--data-dir", running.data_dir()},
                               absl::Seconds(60));
  ExpectStartupError(
      r, absl::StrCat("propwatch-coordinator: --data-dir ", running.data_dir(),
                      " is locked by another coordinator (pid ",
                      running.process().pid(),
                      "): stop it or choose another --data-dir"));
  EXPECT_TRUE(ListAgentsWorks(running.address()));
}

TEST(StartupErrorsTest, ListenAddressTheHostDoesNotHave) {
  // TEST-NET-1 (RFC 5737): binding fails locally, nothing is sent.
  const std::string address = "192.0.2.1";
  {
    UniqueFd probe(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    if (bind(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) ==
        0) {
      GTEST_SKIP() << address << " is local here (or ip_nonlocal_bind is on)";
    }
  }
  TempDir dir;
  CommandResult r = RunCoordinator(
      {"--listen", address + ":0", "--data-dir", dir.File("db")});
  ExpectStartupError(
      r,
      absl::StrCat("propwatch-coordinator: --listen ", address, ":0: ", address,
                   " is not an address of this host: listen on one of its "
                   "addresses, or 0.0.0.0 for all"));
}

TEST(StartupErrorsTest, ListenPortTakenByAnotherProcess) {
  int port = 0;
  UniqueFd holder = ListenOnLoopback(&port);
  ASSERT_TRUE(holder.valid());
  TempDir dir;
  CommandResult r =
      RunCoordinator({"--listen", absl::StrCat("127.0.0.1:", port),
                      "--data-dir", dir.File("db")});
  std::string comm = testing::ReadFile("/proc/self/comm");
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  ExpectStartupError(
      r, absl::StrCat("propwatch-coordinator: --listen 127.0.0.1:", port,
                      ": port ", port,
                      " is already in use by another process (pid ", getpid(),
                      ", ", comm, "): stop it or choose another port"));
}

// Issue 16 item 2: gRPC's default SO_REUSEPORT let a second coordinator
// listen on the first one's port and the kernel split connections between
// their two databases.
TEST(StartupErrorsTest, SecondCoordinatorOnTheSamePortExits) {
  CoordinatorProcess first;
  TempDir dir;
  CommandResult r = RunCoordinator(
      {"--listen", first.address(), "--data-dir", dir.File("db")});
  ExpectStartupError(
      r, absl::StrCat(
             "propwatch-coordinator: --listen ", first.address(), ": port ",
             first.port(), " is already in use by another coordinator (pid ",
             first.process().pid(), "): stop it or choose another port"));
  EXPECT_TRUE(first.process().running());
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(ListAgentsWorks(first.address())) << "call " << i;
  }
}

}  // namespace
}  // namespace propwatch
