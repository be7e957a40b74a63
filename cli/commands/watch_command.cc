#include "cli/commands/watch_command.h"

#include "absl/strings/str_cat.h"
#include "cli/names.h"
#include "cli/watch_display.h"
#include "common/proto_json.h"

namespace propwatch {
namespace {

// Agent id -> region of the connected agents, for "agents answered" in the
// live view. Only a nicety: on failure the view shows "-".
std::map<std::string, std::string> AgentRegions(CoordinatorClient& client) {
  std::map<std::string, std::string> regions;
  v1::ListAgentsRequest request;
  request.set_connected_only(true);
  auto agents = client.ListAgents(request);
  if (!agents.ok()) return regions;
  for (const v1::AgentRecord& a : agents->agents()) {
    regions[a.identity().agent_id()] = a.identity().region();
  }
  return regions;
}

}  // namespace

ExitCode FollowVerification(const CommandContext& ctx,
                            const v1::Verification& start,
                            const FollowOptions& options) {
  const bool json = ctx.format == OutputFormat::kJson;
  // With JSON on stdout, progress goes to stderr so stdout stays one
  // parseable document.
  FILE* progress = json ? ctx.err : ctx.out;
  const bool ansi = json ? ctx.stderr_ansi : ctx.stdout_ansi;
  WatchDisplay display(
      progress, /*live=*/ansi, ansi, ctx.columns,
      ansi ? AgentRegions(ctx.client) : std::map<std::string, std::string>{});
  VerificationFollower follower(ctx.client, options);
  auto final_event = follower.Follow(
      start,
      [&](const v1::VerificationEvent& event) { display.OnEvent(event); },
      [&](int attempt, const absl::Status& why) {
        display.OnReconnect(attempt, why);
      });
  display.Finish();
  if (!final_event.ok()) {
    if (final_event.status().code() == absl::StatusCode::kDeadlineExceeded) {
      std::fprintf(ctx.err, "propwatchctl: %s\n",
                   std::string(final_event.status().message()).c_str());
      return kExitInconclusive;
    }
    return ReportFailure(ctx, final_event.status());
  }
  v1::VerificationEvent event = *final_event;
  if (!event.has_round()) {
    if (auto last = display.last_round()) *event.mutable_round() = *last;
  }
  const v1::Verification& v = event.verification();
  if (json) {
    Print(ctx, ToJson(event));
  } else {
    Print(ctx, absl::StrCat(StateWord(v.state()), ": ",
                            v.state_reason().empty() ? "-" : v.state_reason(),
                            "\nDetails: propwatchctl report ", v.id(), "\n"));
  }
  return ExitCodeForState(v.state());
}

ExitCode RunWatchCommand(const CommandContext& ctx, const std::string& id) {
  auto v = ctx.client.GetVerification(id);
  if (!v.ok()) return ReportFailure(ctx, v.status());
  return FollowVerification(ctx, *v);
}

}  // namespace propwatch
