// The real agent keeps its --status-file while a real coordinator comes
// and goes.
#include <signal.h>

#include "gtest/gtest.h"
#include "tests/agent/link/link_test_util.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

TEST(LinkStatusProcessTest, RealAgentKeepsItWhileTheCoordinatorComesAndGoes) {
  testing::TempDir dir;
  auto coordinator = std::make_unique<testing::CoordinatorProcess>();
  const std::string path = dir.File("agent.status");
  auto agent = testing::StartAgentProcess(
      coordinator->address(), "eu-1", "eu-west", dir.File("agent"),
      {"--insecure", "--status-file", path});
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return testing::ReadFile(path).rfind(
                   "connected " + coordinator->address(), 0) == 0;
      },
      absl::Seconds(15)))
      << testing::ReadFile(path) << agent->Stderr();
  coordinator->process().Signal(SIGKILL);
  coordinator->process().Wait(absl::Seconds(10));
  EXPECT_TRUE(testing::WaitFor(
      [&] { return testing::ReadFile(path).rfind("disconnected ", 0) == 0; },
      absl::Seconds(30)))
      << testing::ReadFile(path) << agent->Stderr();
  agent->Signal(SIGTERM);
  agent->Wait(absl::Seconds(20));
  EXPECT_EQ(testing::ReadFile(path).rfind("disconnected ", 0), 0u)
      << testing::ReadFile(path);
  EXPECT_NE(testing::ReadFile(path).find(" stopped"), std::string::npos)
      << testing::ReadFile(path);
}

}  // namespace
}  // namespace propwatch
