// Bearer tokens with CRLF line ends and stray bytes, through the real
// binaries (issue 15): a token saved on Windows, or PROPWATCH_TOKEN=$(cat f)
// on such a file, used to abort the agent and propwatchctl inside gRPC (exit
// 134) with the whole "Bearer ..." value on stderr. Now the token is trimmed,
// and a token that cannot be sent is refused at start with a documented exit
// code (3), naming the file and line but never the token.
#include <sys/wait.h>

#include <fstream>
#include <string>
#include <vector>

#include "cli/coordinator_client.h"
#include "gtest/gtest.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

using testing::BuildPath;
using testing::RunCommand;

constexpr char kAgentToken[] = "agent-token-0123456789abcdef";
constexpr char kControlToken[] = "control-token-0123456789abcdef";
// Would leak if an error message quoted the token.
constexpr char kSecret[] = "s3cr3t-do-not-print";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

class TokenFileProcessTest : public ::testing::Test {
 protected:
  TokenFileProcessTest() {
    // The coordinator's own tables with CRLF line ends too.
    WriteFile(dir_.File("agent-tokens"),
              std::string("eu-1 ") + kAgentToken + "\r\n");
    WriteFile(dir_.File("control-tokens"),
              std::string("ci ") + kControlToken + " write\r\n");
  }

  std::vector<std::string> CoordinatorFlags() {
    return {"--agent-tokens", dir_.File("agent-tokens"), "--control-tokens",
            dir_.File("control-tokens")};
  }

  std::vector<std::string> AgentArgv(const std::string& address,
                                     const std::string& token_file) {
    return {BuildPath("agent/propwatch-agent"),
            "--insecure",
            "--coordinator",
            address,
            "--agent-id",
            "eu-1",
            "--region",
            "eu-west",
            "--system-resolver",
            "127.0.0.1",
            "--token-file",
            token_file};
  }

  testing::TempDir dir_;
};

TEST_F(TokenFileProcessTest, CrlfTokensConnectTheAgentAndPropwatchctl) {
  testing::CoordinatorProcess coordinator(CoordinatorFlags());
  WriteFile(dir_.File("token"), std::string(kAgentToken) + "\r\n");
  testing::Subprocess agent(
      AgentArgv(coordinator.address(), dir_.File("token")), dir_.File("agent"));

  const std::string ctl = BuildPath("cli/propwatchctl");
  // PROPWATCH_TOKEN=$(cat control-token) keeps the CR of a CRLF file.
  const std::vector<std::string> env = {
      "PROPWATCH_COORDINATOR=" + coordinator.address(), "PROPWATCH_INSECURE=1",
      std::string("PROPWATCH_TOKEN=") + kControlToken + "\r"};
  testing::CommandResult agents;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        agents =
            RunCommand({ctl, "agents", "--connected"}, absl::Seconds(10), env);
        return agents.exit_code != 0 ||
               agents.out.find("eu-1") != std::string::npos;
      },
      absl::Seconds(20)))
      << agents.err;
  EXPECT_EQ(agents.exit_code, 0) << agents.err;
  EXPECT_NE(agents.out.find("eu-1"), std::string::npos) << agents.out;
  EXPECT_TRUE(agent.running()) << agent.Stderr();
  EXPECT_EQ(agent.Stderr().find("Bearer"), std::string::npos) << agent.Stderr();

  // The same token through --token, with trailing spaces and CRLF.
  auto flag = RunCommand(
      {ctl, "--token", std::string(kControlToken) + " \r\n", "agents"},
      absl::Seconds(10),
      {"PROPWATCH_COORDINATOR=" + coordinator.address(),
       "PROPWATCH_INSECURE=1"});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
}

TEST_F(TokenFileProcessTest, UnsendableAgentTokenExitsThreeNamingTheLine) {
  testing::CoordinatorProcess coordinator(CoordinatorFlags());
  WriteFile(dir_.File("token"),
            std::string("# eu-1\r\n") + kSecret + "\x01" + "more\r\n");
  testing::Subprocess agent(
      AgentArgv(coordinator.address(), dir_.File("token")), dir_.File("agent"));
  std::optional<int> status = agent.Wait(absl::Seconds(20));
  ASSERT_TRUE(status.has_value()) << "the agent kept running";
  ASSERT_TRUE(WIFEXITED(*status))
      << "killed by signal " << WTERMSIG(*status) << ": " << agent.Stderr();
  EXPECT_EQ(WEXITSTATUS(*status), 3) << agent.Stderr();
  const std::string err = agent.Stderr();
  EXPECT_NE(err.find("--token-file " + dir_.File("token") + ":2:"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("control character (0x01)"), std::string::npos) << err;
  EXPECT_EQ(err.find(kSecret), std::string::npos) << err;

  WriteFile(dir_.File("empty"), "\r\n\r\n");
  testing::Subprocess empty(
      AgentArgv(coordinator.address(), dir_.File("empty")),
      dir_.File("agent-empty"));
  status = empty.Wait(absl::Seconds(20));
  ASSERT_TRUE(status.has_value() && WIFEXITED(*status)) << empty.Stderr();
  EXPECT_EQ(WEXITSTATUS(*status), 3) << empty.Stderr();
  EXPECT_NE(empty.Stderr().find("no token"), std::string::npos)
      << empty.Stderr();
}

TEST_F(TokenFileProcessTest, UnsendablePropwatchctlTokenExitsThree) {
  const std::string ctl = BuildPath("cli/propwatchctl");
  // No coordinator is needed: the token is refused before any call.
  for (const std::string& token :
       {std::string(kSecret) + "\x01", std::string(kSecret) + " x",
        std::string(kSecret) + "\xC3\xA9", std::string("\r\n")}) {
    auto r = RunCommand({ctl, "agents"}, absl::Seconds(10),
                        {"PROPWATCH_COORDINATOR=127.0.0.1:9",
                         "PROPWATCH_INSECURE=1", "PROPWATCH_TOKEN=" + token});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("PROPWATCH_TOKEN"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Bearer"), std::string::npos) << r.err;
  }
}

TEST(CoordinatorClientTokenTest, CreateTrimsAndChecksTheToken) {
  testing::TempDir dir;
  ClientOptions options;
  options.insecure = true;
  options.token = std::string(kControlToken) + "\r\n";
  EXPECT_TRUE(CoordinatorClient::Create(options).ok());

  options.token = std::string(kSecret) + "\x1b[2J";
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      CoordinatorClient::Create(options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(client.status().message().find("control character (0x1B)"),
            std::string::npos)
      << client.status();
  EXPECT_EQ(client.status().message().find(kSecret), std::string::npos);

  WriteFile(dir.File("token"), std::string(kControlToken) + "\r\n");
  options.token.clear();
  options.token_file = dir.File("token");
  EXPECT_TRUE(CoordinatorClient::Create(options).ok());
  options.token = kControlToken;
  EXPECT_EQ(CoordinatorClient::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.token.clear();
  WriteFile(dir.File("token"), "\r\n");
  client = CoordinatorClient::Create(options);
  EXPECT_NE(client.status().message().find(dir.File("token")),
            std::string::npos)
      << client.status();
}

}  // namespace
}  // namespace propwatch
