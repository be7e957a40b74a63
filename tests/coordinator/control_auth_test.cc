// The real coordinator with --control-tokens, driven by the real
// propwatchctl: no token, a wrong token and a read token asking to write are
// refused with exit 4 and a reason; the right tokens work.
#include <signal.h>

#include <fstream>

#include "gtest/gtest.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/subprocess.h"

namespace propwatch {
namespace {

using testing::BuildPath;
using testing::CommandResult;
using testing::RunCommand;

constexpr char kWriter[] = "0123456789abcdef0123456789abcdef";
constexpr char kReader[] = "fedcba9876543210fedcba9876543210";

class ControlAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_dir_ = std::make_unique<testing::TempDir>();
    const std::string file = tokens_dir_->File("control-tokens");
    std::ofstream(file) << "deploy-pipeline " << kWriter << "\n"
                        << "dashboard " << kReader << " read\n";
    coordinator_ = std::make_unique<testing::CoordinatorProcess>(
        std::vector<std::string>{"--control-tokens", file});
  }

  CommandResult Ctl(const std::string& token, std::vector<std::string> args) {
    std::vector<std::string> argv = {BuildPath("cli/propwatchctl"),
                                     "--insecure", "--coordinator",
                                     coordinator_->address()};
    if (!token.empty()) argv.insert(argv.end(), {"--token", token});
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, absl::Seconds(20));
  }

  // A verification nobody can serve (no agents): creating it is refused or
  // accepted by the control API before any agent matters.
  std::vector<std::string> Verify() {
    return {"verify", "--host", "www.example.com", "--path", "/"};
  }

  std::unique_ptr<testing::TempDir> tokens_dir_;
  std::unique_ptr<testing::CoordinatorProcess> coordinator_;
};

TEST_F(ControlAuthTest, NoTokenIsRefusedWithWhatToDo) {
  CommandResult r = Ctl("", {"agents"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("needs a bearer token"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--token"), std::string::npos) << r.err;
  EXPECT_NE(coordinator_->process().Stderr().find("ListAgents from"),
            std::string::npos)
      << coordinator_->process().Stderr();
}

TEST_F(ControlAuthTest, HealthNeedsNoToken) {
  CommandResult health = Ctl("", {"health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_NE(health.out.find("SERVING"), std::string::npos) << health.out;
  CommandResult json = Ctl("", {"health", "-o", "json"});
  EXPECT_EQ(json.out, "{\"status\": \"SERVING\"}\n");
  CommandResult unknown = Ctl("", {"health", "--service", "no.such.Service"});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
  coordinator_->process().Signal(SIGTERM);
  coordinator_->process().Wait(absl::Seconds(10));
  CommandResult gone = Ctl("", {"health"});
  EXPECT_EQ(gone.exit_code, 4) << gone.err;
  EXPECT_NE(gone.err.find("cannot reach the coordinator"), std::string::npos)
      << gone.err;
}

TEST_F(ControlAuthTest, WrongTokenIsRefused) {
  CommandResult r = Ctl("not-a-token-of-this-coordinator", {"list"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("not in the coordinator's control token file"),
            std::string::npos)
      << r.err;
}

TEST_F(ControlAuthTest, ReadTokenReadsButCannotCreate) {
  CommandResult list = Ctl(kReader, {"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  CommandResult agents = Ctl(kReader, {"agents"});
  EXPECT_EQ(agents.exit_code, 0) << agents.err;
  CommandResult create = Ctl(kReader, Verify());
  EXPECT_EQ(create.exit_code, 4) << create.out << create.err;
  EXPECT_NE(create.err.find("'dashboard' may only read"), std::string::npos)
      << create.err;
}

TEST_F(ControlAuthTest, WriteTokenGetsPastTheGateAndIsLogged) {
  // With no agent connected the coordinator refuses the spec itself; that
  // it got that far (exit 3 naming the selector, not 4) shows the token
  // was accepted.
  CommandResult create = Ctl(kWriter, Verify());
  EXPECT_NE(create.exit_code, 4) << create.out << create.err;
  EXPECT_EQ(create.err.find("token"), std::string::npos) << create.err;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return coordinator_->process().Stderr().find(
                   "CreateVerification by deploy-pipeline") !=
               std::string::npos;
      },
      absl::Seconds(5)))
      << coordinator_->process().Stderr();
}

TEST(ControlAuthStartTest, UnreadableOrBadTokenFileStopsTheStart) {
  testing::TempDir dir;
  const std::string coordinator =
      BuildPath("coordinator/propwatch-coordinator");
  CommandResult missing = RunCommand(
      {coordinator, "--insecure", "--listen", "127.0.0.1:0", "--data-dir",
       dir.File("data"), "--control-tokens", dir.File("nope")},
      absl::Seconds(20));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("--control-tokens " + dir.File("nope") +
                             ": cannot be read (No such file or directory)"),
            std::string::npos)
      << missing.err;
  std::ofstream(dir.File("bad")) << "ci short\n";
  CommandResult bad = RunCommand(
      {coordinator, "--insecure", "--listen", "127.0.0.1:0", "--data-dir",
       dir.File("data"), "--control-tokens", dir.File("bad")},
      absl::Seconds(20));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("line 1: the token of ci is shorter"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace propwatch
