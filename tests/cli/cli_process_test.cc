// The real propwatchctl binary against a real coordinator and agent.
#include <google/protobuf/util/json_util.h>

#include "gtest/gtest.h"
#include "propwatch/v1/control.pb.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/free_port.h"

namespace propwatch {
namespace {

using testing::BuildPath;
using testing::RunCommand;

TEST(CliProcessTest, AgentsAsTableAndJson) {
  testing::CoordinatorProcess coordinator;
  testing::Subprocess agent(
      {BuildPath("agent/propwatch-agent"), "--insecure", "--coordinator",
       coordinator.address(), "--agent-id", "agent-us-1", "--region", "us-east",
       "--label", "tier=edge", "--system-resolver", "127.0.0.1"},
      coordinator.dir().File("agent"));
  const std::string ctl = BuildPath("cli/propwatchctl");
  testing::CommandResult table;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        table = RunCommand({ctl, "--insecure", "--coordinator",
                            coordinator.address(), "agents", "--connected"},
                           absl::Seconds(10));
        return table.out.find("agent-us-1") != std::string::npos;
      },
      absl::Seconds(15)))
      << table.err;
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("AGENT"), std::string::npos);
  EXPECT_NE(table.out.find("us-east"), std::string::npos);
  EXPECT_NE(table.out.find("connected"), std::string::npos);

  // JSON through the environment variable instead of the flag.
  auto json = RunCommand({ctl, "agents", "--output", "json"}, absl::Seconds(10),
                         {"PROPWATCH_COORDINATOR=" + coordinator.address(),
                          "PROPWATCH_INSECURE=1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::ListAgentsResponse parsed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &parsed).ok())
      << json.out;
  ASSERT_EQ(parsed.agents_size(), 1);
  EXPECT_EQ(parsed.agents(0).identity().agent_id(), "agent-us-1");
  EXPECT_EQ(parsed.agents(0).identity().region(), "us-east");
  EXPECT_EQ(parsed.agents(0).identity().labels().at("tier"), "edge");
  EXPECT_EQ(parsed.agents(0).state(), v1::AGENT_STATE_CONNECTED);

  auto filtered =
      RunCommand({ctl, "--insecure", "--coordinator", coordinator.address(),
                  "-o", "json", "agents", "--region", "eu-west"},
                 absl::Seconds(10));
  ASSERT_EQ(filtered.exit_code, 0);
  EXPECT_EQ(filtered.out.find("agent-us-1"), std::string::npos);
}

TEST(CliProcessTest, UnreachableCoordinatorExitsFourNamingTheAddress) {
  const std::string address =
      "127.0.0.1:" + std::to_string(testing::FreePort());
  auto r = RunCommand({BuildPath("cli/propwatchctl"), "--insecure",
                       "--coordinator", address, "agents"},
                      absl::Seconds(20));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("cannot reach the coordinator at " + address),
            std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliProcessTest, UsageErrorsExitThree) {
  const std::string ctl = BuildPath("cli/propwatchctl");
  EXPECT_EQ(RunCommand({ctl}, absl::Seconds(10)).exit_code, 3);
  EXPECT_EQ(RunCommand({ctl, "nosuchcommand"}, absl::Seconds(10)).exit_code, 3);
  auto r = RunCommand({ctl, "--output", "yaml", "agents"}, absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("--output 'yaml'"), std::string::npos) << r.err;
  r = RunCommand({ctl, "--coordinator", "nohost", "agents"}, absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 3);
}

}  // namespace
}  // namespace propwatch
