#include "cli/commands/watch_command.h"

#include <signal.h>

#include "absl/strings/str_cat.h"
#include "cli/interrupt_watch.h"
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

// After SIGINT/SIGTERM: says what is left behind, cancelling first when
// this command started the verification.
ExitCode ReportInterrupt(const CommandContext& ctx,
                         const v1::Verification& start, int signal_number,
                         OnInterrupt on_interrupt) {
  const char* signal_name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
  const std::string& id = start.id();
  if (on_interrupt == OnInterrupt::kLeaveRunning) {
    std::fprintf(ctx.err,
                 "propwatchctl: interrupted (%s); verification %s keeps "
                 "running (propwatchctl watch %s)\n",
                 signal_name, id.c_str(), id.c_str());
  } else {
    v1::CancelVerificationRequest request;
    request.set_id(id);
    request.set_reason(absl::StrCat(
        "propwatchctl verify --wait was interrupted (", signal_name, ")"));
    auto cancelled = ctx.client.CancelVerification(request);
    if (cancelled.ok()) {
      std::fprintf(ctx.err,
                   "propwatchctl: interrupted (%s); cancelled verification "
                   "%s\n",
                   signal_name, id.c_str());
    } else {
      std::fprintf(ctx.err,
                   "propwatchctl: interrupted (%s); could not cancel "
                   "verification %s: %s; it runs until its deadline "
                   "(propwatchctl cancel %s)\n",
                   signal_name, id.c_str(),
                   std::string(cancelled.status().message()).c_str(),
                   id.c_str());
    }
  }
  return signal_number == SIGINT ? kExitInterrupted : kExitTerminated;
}

}  // namespace

ExitCode FollowVerification(const CommandContext& ctx,
                            const v1::Verification& start,
                            OnInterrupt on_interrupt,
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
  // Without it (another watch active) Ctrl-C simply ends the process.
  absl::StatusOr<std::unique_ptr<InterruptWatch>> interrupts =
      InterruptWatch::Start(
          [&follower](int /*signal_number*/) { follower.Interrupt(); });
  auto final_event = follower.Follow(
      start,
      [&](const v1::VerificationEvent& event) { display.OnEvent(event); },
      [&](int attempt, const absl::Status& why) {
        display.OnReconnect(attempt, why);
      });
  display.Finish();
  const int signal_number =
      interrupts.ok() ? (*interrupts)->signal_number() : 0;
  // A signal that lands after the final state changes nothing: the verdict
  // stands.
  if (signal_number != 0 && !final_event.ok() &&
      final_event.status().code() == absl::StatusCode::kCancelled) {
    return ReportInterrupt(ctx, start, signal_number, on_interrupt);
  }
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
  return FollowVerification(ctx, *v, OnInterrupt::kLeaveRunning);
}

}  // namespace propwatch
