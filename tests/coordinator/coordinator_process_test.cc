// End to end: a real coordinator process and real agent processes on
// loopback, observed through the real gRPC control API.
#include "tests/testing/coordinator_process.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>

#include "gtest/gtest.h"
#include "propwatch/v1/control.grpc.pb.h"

namespace propwatch {
namespace {

using testing::BuildPath;
using testing::CoordinatorProcess;
using testing::Subprocess;
using testing::WaitFor;

std::unique_ptr<testing::Subprocess> StartAgent(
    CoordinatorProcess& coordinator, const std::string& id,
    const std::string& region, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {BuildPath("agent/propwatch-agent"),
                                   "--insecure",
                                   "--coordinator",
                                   coordinator.address(),
                                   "--agent-id",
                                   id,
                                   "--region",
                                   region,
                                   "--system-resolver",
                                   "127.0.0.1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Subprocess>(argv, coordinator.dir().File(id));
}

std::map<std::string, v1::AgentRecord> Agents(const std::string& address) {
  auto stub = v1::ControlService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::ListAgentsResponse response;
  grpc::Status status =
      stub->ListAgents(&context, v1::ListAgentsRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, v1::AgentRecord> out;
  for (const auto& a : response.agents()) out[a.identity().agent_id()] = a;
  return out;
}

bool IsConnected(const std::string& address, const std::string& id) {
  auto agents = Agents(address);
  return agents.contains(id) && agents[id].state() == v1::AGENT_STATE_CONNECTED;
}

bool IsDisconnected(const std::string& address, const std::string& id) {
  auto agents = Agents(address);
  return agents.contains(id) &&
         agents[id].state() == v1::AGENT_STATE_DISCONNECTED;
}

TEST(CoordinatorProcessTest, AgentAppearsWithRegionAndLabelsThenDisconnects) {
  CoordinatorProcess coordinator({"--heartbeat-interval", "1"});
  auto eu = StartAgent(
      coordinator, "agent-eu-1", "eu-west",
      {"--provider", "aws", "--label", "tier=edge", "--label", "cloud=aws-eu"});
  auto us = StartAgent(coordinator, "agent-us-1", "us-east");
  ASSERT_TRUE(WaitFor(
      [&] {
        return IsConnected(coordinator.address(), "agent-eu-1") &&
               IsConnected(coordinator.address(), "agent-us-1");
      },
      absl::Seconds(15)))
      << eu->Stderr();
  auto agents = Agents(coordinator.address());
  const v1::AgentRecord& a = agents["agent-eu-1"];
  EXPECT_EQ(a.identity().region(), "eu-west");
  EXPECT_EQ(a.identity().provider(), "aws");
  EXPECT_EQ(a.identity().labels().at("tier"), "edge");
  EXPECT_EQ(a.identity().labels().at("cloud"), "aws-eu");
  EXPECT_EQ(a.identity().system_resolvers(0), "127.0.0.1:53");
  EXPECT_GT(a.connected_at().seconds(), 0);
  EXPECT_NE(a.peer().find("127.0.0.1"), std::string::npos);

  // kill -9: the kernel closes the socket, so the stream ends at once. The
  // stated bound is 5 s (heartbeat timeout is 3 s as a backstop).
  const absl::Time killed = absl::Now();
  eu->Signal(SIGKILL);
  ASSERT_TRUE(WaitFor(
      [&] { return IsDisconnected(coordinator.address(), "agent-eu-1"); },
      absl::Seconds(5)));
  EXPECT_LT(absl::Now() - killed, absl::Seconds(5));
  EXPECT_TRUE(IsConnected(coordinator.address(), "agent-us-1"));

  // SIGTERM stops the agent cleanly.
  us->Signal(SIGTERM);
  auto status = us->Wait(absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << us->Stderr();
  EXPECT_TRUE(WaitFor(
      [&] { return IsDisconnected(coordinator.address(), "agent-us-1"); },
      absl::Seconds(5)));
}

TEST(CoordinatorProcessTest, SigtermStopsCleanlyAndAgentsPersist) {
  testing::TempDir data;
  {
    CoordinatorProcess coordinator({}, data.File("db"));
    auto agent = StartAgent(coordinator, "agent-ap-1", "ap-south");
    ASSERT_TRUE(WaitFor(
        [&] { return IsConnected(coordinator.address(), "agent-ap-1"); },
        absl::Seconds(15)));
    coordinator.process().Signal(SIGTERM);
    auto status = coordinator.process().Wait(absl::Seconds(15));
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << coordinator.process().Stderr();
  }
  // A new coordinator on the same data dir remembers the agent, as
  // disconnected, since it is not connected to this process.
  CoordinatorProcess restarted({}, data.File("db"));
  auto agents = Agents(restarted.address());
  ASSERT_TRUE(agents.contains("agent-ap-1"));
  EXPECT_EQ(agents["agent-ap-1"].state(), v1::AGENT_STATE_DISCONNECTED);
  EXPECT_EQ(agents["agent-ap-1"].identity().region(), "ap-south");
}

TEST(CoordinatorProcessTest, SameAgentIdReplacesTheOlderStream) {
  CoordinatorProcess coordinator;
  auto first = StartAgent(coordinator, "agent-x", "eu");
  ASSERT_TRUE(
      WaitFor([&] { return IsConnected(coordinator.address(), "agent-x"); },
              absl::Seconds(15)));
  auto second = StartAgent(coordinator, "agent-x", "eu");
  ASSERT_TRUE(WaitFor(
      [&] {
        return coordinator.process().Stderr().find(
                   "closing its older stream") != std::string::npos;
      },
      absl::Seconds(15)));
  // Whichever stream is current, the agent stays recorded as connected.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_TRUE(IsConnected(coordinator.address(), "agent-x"));
}

TEST(CoordinatorProcessTest, InvalidIdentityIsRefusedAndTheAgentSaysWhy) {
  CoordinatorProcess coordinator;
  auto agent = StartAgent(coordinator, "bad id!", "eu");
  auto status = agent->Wait(absl::Seconds(15));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
  EXPECT_NE(agent->Stderr().find("agent_id 'bad id!' is invalid"),
            std::string::npos)
      << agent->Stderr();
  EXPECT_NE(coordinator.process().Stderr().find("refused hello"),
            std::string::npos);
}

TEST(CoordinatorProcessTest, BadFlagsGiveOneLineErrors) {
  // Exit codes (docs/OPERATIONS.md): 2 when CLI11 rejects the flags, 1 when
  // a value is refused at start-up; "not 0" would also pass on a crash.
  testing::TempDir dir;
  auto r = testing::RunCommand(
      {BuildPath("coordinator/propwatch-coordinator"), "--insecure", "--listen",
       "127.0.0.1:99999", "--data-dir", dir.File("d")},
      absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("propwatch-coordinator: --listen"), std::string::npos)
      << r.err;

  r = testing::RunCommand({BuildPath("coordinator/propwatch-coordinator")},
                          absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--data-dir"), std::string::npos) << r.err;

  r = testing::RunCommand({BuildPath("coordinator/propwatch-coordinator"),
                           "--data-dir", dir.File("d"), "--log-level", "loud"},
                          absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--log-level"), std::string::npos) << r.err;

  r = testing::RunCommand({BuildPath("agent/propwatch-agent"), "--coordinator",
                           "nohost", "--agent-id", "a", "--region", "eu"},
                          absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("--coordinator 'nohost' must be host:port"),
            std::string::npos)
      << r.err;

  r = testing::RunCommand(
      {BuildPath("agent/propwatch-agent"), "--coordinator", "127.0.0.1:1",
       "--agent-id", "a", "--region", "eu", "--label", "novalue"},
      absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("key=value"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace propwatch
