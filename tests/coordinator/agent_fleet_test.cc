// Issue 4's load requirement: one coordinator process holds 1,000
// concurrent agent streams. The agents are propwatch-agent-fleet's simulated
// ones (each its own Connect stream, 50 per HTTP/2 connection), against the
// real coordinator binary; the coordinator's own view is checked through the
// real propwatchctl. Heartbeats every 2 s, so the 8 s hold spans more than
// one watchdog timeout (3 missed beats): streams survive only if the fleet's
// heartbeats get through under load.
#include <google/protobuf/util/json_util.h>
#include <sys/wait.h>

#include <fstream>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/control.pb.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

using testing::BuildPath;
using testing::CommandResult;
using testing::RunCommand;
using testing::WaitFor;

constexpr int kAgents = 1000;

// Connected agents as `propwatchctl agents --connected -o json` lists them;
// -1 when the call or its output fails.
int ConnectedAgents(const std::string& address, std::string* error) {
  CommandResult r =
      RunCommand({BuildPath("cli/propwatchctl"), "--insecure", "--coordinator",
                  address, "-o", "json", "agents", "--connected"},
                 absl::Seconds(10));
  if (r.exit_code != 0) {
    *error = r.err;
    return -1;
  }
  v1::ListAgentsResponse listed;
  if (!google::protobuf::util::JsonStringToMessage(r.out, &listed).ok()) {
    *error = "unparseable: " + r.out.substr(0, 200);
    return -1;
  }
  int connected = 0;
  for (const v1::AgentRecord& agent : listed.agents()) {
    if (agent.state() == v1::AGENT_STATE_CONNECTED) ++connected;
  }
  return connected;
}

TEST(AgentFleetTest, CoordinatorHoldsOneThousandAgentStreams) {
  const absl::Time start = absl::Now();
  testing::CoordinatorProcess coordinator({"--heartbeat-interval", "2"});
  testing::TempDir dir;
  const std::string ready = dir.File("ready");
  testing::Subprocess fleet(
      {BuildPath("bench/agent_link/propwatch-agent-fleet"), "--coordinator",
       coordinator.address(), "--agents", std::to_string(kAgents),
       "--streams-per-channel", "50", "--connect-timeout", "30", "--hold", "8",
       "--ready-file", ready},
      dir.File("fleet"));

  int welcomed = -1;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::ifstream in(ready);
        return static_cast<bool>(in >> welcomed);
      },
      absl::Seconds(35)))
      << fleet.Stderr();
  EXPECT_EQ(welcomed, kAgents);

  // The coordinator's registry sees every stream while the fleet holds.
  std::string error;
  int connected = -1;
  EXPECT_TRUE(WaitFor(
      [&] {
        connected = ConnectedAgents(coordinator.address(), &error);
        return connected == kAgents;
      },
      absl::Seconds(6)))
      << "connected: " << connected << " " << error;

  std::optional<int> status = fleet.Wait(absl::Seconds(30));
  ASSERT_TRUE(status.has_value()) << "fleet did not finish its hold";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << fleet.Stdout() << fleet.Stderr();
  const std::string report = fleet.Stdout();
  EXPECT_NE(report.find("\"welcomed\":1000,"), std::string::npos) << report;
  EXPECT_NE(report.find("\"connected_after_hold\":1000,"), std::string::npos)
      << report;

  // The fleet half-closed every stream on exit: all marked disconnected.
  EXPECT_TRUE(WaitFor(
      [&] { return ConnectedAgents(coordinator.address(), &error) == 0; },
      absl::Seconds(10)))
      << error;
  EXPECT_LT(absl::Now() - start, absl::Seconds(60));
}

}  // namespace
}  // namespace propwatch
