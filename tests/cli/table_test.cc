#include "cli/table.h"

#include "cli/commands/agents_command.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "common/time_convert.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

TEST(TableTest, ColumnsAlignToTheWidestCell) {
  Table t({"A", "LONGER"});
  t.AddRow({"wide-cell", "x"});
  t.AddRow({"b", ""});
  EXPECT_EQ(t.Render(),
            "A          LONGER\n"
            "wide-cell  x\n"
            "b\n");
}

TEST(AgentsTableTest, ShowsStateLabelsAndAge) {
  v1::ListAgentsResponse response;
  v1::AgentRecord* a = response.add_agents();
  a->mutable_identity()->set_agent_id("agent-eu-1");
  a->mutable_identity()->set_region("eu-west");
  a->mutable_identity()->set_provider("aws");
  a->mutable_identity()->set_version("0.1.0");
  // insert(), not operator[]= "...": GCC 12 -O3 reports a false -Wrestrict
  // on assigning a literal to the map's new std::string.
  a->mutable_identity()->mutable_labels()->insert({"tier", "edge"});
  a->mutable_identity()->mutable_labels()->insert({"az", "b"});
  a->set_state(v1::AGENT_STATE_DISCONNECTED);
  const absl::Time now = absl::FromUnixSeconds(1000);
  *a->mutable_last_seen() = ToProtoTime(now - absl::Seconds(42));
  const std::string out = RenderAgentsTable(response, now);
  EXPECT_NE(out.find("agent-eu-1  eu-west  aws       disconnected  42s ago"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("az=b,tier=edge"), std::string::npos) << out;
}

TEST(OutputTest, JsonUsesTheProtoMapping) {
  v1::ListAgentsResponse response;
  response.add_agents()->mutable_identity()->set_agent_id("a");
  response.mutable_agents(0)->set_state(v1::AGENT_STATE_CONNECTED);
  const std::string json = ToJson(response);
  EXPECT_NE(json.find("\"agentId\": \"a\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"AGENT_STATE_CONNECTED\""), std::string::npos);
  EXPECT_FALSE(ParseOutputFormat("yaml").ok());
}

TEST(ExitCodesTest, PipelineContract) {
  EXPECT_EQ(ExitCodeForStatus(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeForStatus(absl::InvalidArgumentError("")), 3);
  EXPECT_EQ(ExitCodeForStatus(absl::UnavailableError("")), 4);
  EXPECT_EQ(ExitCodeForStatus(absl::PermissionDeniedError("")), 4);
  EXPECT_EQ(ExitCodeForStatus(absl::UnauthenticatedError("")), 4);
  EXPECT_EQ(ExitCodeForStatus(absl::NotFoundError("")), 3);
  // A coordinator that cannot answer is never a verdict.
  EXPECT_EQ(ExitCodeForStatus(absl::UnimplementedError("")), 4);
  EXPECT_EQ(ExitCodeForStatus(absl::InternalError("")), 4);
  EXPECT_EQ(ExitCodeForState(v1::VERIFICATION_STATE_CONVERGED), 0);
  EXPECT_EQ(ExitCodeForState(v1::VERIFICATION_STATE_DIVERGED), 1);
  EXPECT_EQ(ExitCodeForState(v1::VERIFICATION_STATE_INCONCLUSIVE), 2);
  EXPECT_EQ(ExitCodeForState(v1::VERIFICATION_STATE_CANCELLED), 2);
}

}  // namespace
}  // namespace propwatch
