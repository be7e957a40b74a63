#include "cli/commands/agents_command.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/table.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

std::string StateName(v1::AgentState state) {
  switch (state) {
    case v1::AGENT_STATE_CONNECTED:
      return "connected";
    case v1::AGENT_STATE_DISCONNECTED:
      return "disconnected";
    default:
      return "unknown";
  }
}

std::string Ago(const google::protobuf::Timestamp& t, absl::Time now) {
  if (t.seconds() == 0) return "-";
  const absl::Duration d =
      absl::Trunc(now - FromProtoTime(t), absl::Seconds(1));
  if (d <= absl::ZeroDuration()) return "just now";
  return absl::StrCat(absl::FormatDuration(d), " ago");
}

}  // namespace

std::string RenderAgentsTable(const v1::ListAgentsResponse& response,
                              absl::Time now) {
  Table table({"AGENT", "REGION", "PROVIDER", "STATE", "LAST SEEN", "LABELS",
               "VERSION", "REFUSED"});
  for (const v1::AgentRecord& agent : response.agents()) {
    std::vector<std::string> labels;
    for (const auto& [k, v] : agent.identity().labels()) {
      labels.push_back(absl::StrCat(k, "=", v));
    }
    std::sort(labels.begin(), labels.end());
    table.AddRow({agent.identity().agent_id(), agent.identity().region(),
                  agent.identity().provider(), StateName(agent.state()),
                  Ago(agent.last_seen(), now),
                  labels.empty() ? "-" : absl::StrJoin(labels, ","),
                  agent.identity().version(),
                  absl::StrCat(agent.refused_results())});
  }
  return table.Render();
}

ExitCode RunAgentsCommand(const CommandContext& ctx,
                          const AgentsCommandOptions& options) {
  v1::ListAgentsRequest request;
  for (const std::string& r : options.regions) request.add_regions(r);
  request.set_connected_only(options.connected_only);
  auto response = ctx.client.ListAgents(request);
  if (!response.ok()) return ReportFailure(ctx, response.status());
  Print(ctx, ctx.format == OutputFormat::kJson
                 ? ToJson(*response)
                 : RenderAgentsTable(*response, absl::Now()));
  return kExitPass;
}

ExitCode RunForgetAgentCommand(const CommandContext& ctx,
                               const std::string& agent_id) {
  auto response = ctx.client.ForgetAgent(agent_id);
  if (!response.ok()) return ReportFailure(ctx, response.status());
  Print(ctx, ctx.format == OutputFormat::kJson
                 ? ToJson(*response)
                 : absl::StrCat("forgot agent ", agent_id, " (region ",
                                response->agent().identity().region(),
                                "); new verifications no longer expect it\n"));
  return kExitPass;
}

}  // namespace propwatch
