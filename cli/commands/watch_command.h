// `propwatchctl watch ID`, and the waiting half of `verify --wait`: follow a
// verification to its final state and exit with the pipeline's code.
#ifndef PROPWATCH_CLI_COMMANDS_WATCH_COMMAND_H_
#define PROPWATCH_CLI_COMMANDS_WATCH_COMMAND_H_

#include <string>

#include "cli/commands/command_context.h"
#include "cli/verification_follower.h"

namespace propwatch {

// Follows `start` (just created or fetched). Table output: the live view on
// a terminal, plain lines otherwise, then a closing line with the outcome.
// JSON output: progress lines go to stderr and stdout gets one
// VerificationEvent document (the final verification and its last round).
// Exit: ExitCodeForState of the final state; 2 when no final state arrived
// in time; 3 unknown id; 4 coordinator gone for good or refusing.
// SIGINT or SIGTERM while following ends the wait with 130 or 143 and says
// what became of the verification: `verify --wait`, which started it,
// cancels it (its agents stop probing for a change nobody waits for);
// `watch` leaves it running.
enum class OnInterrupt { kLeaveRunning, kCancelVerification };
ExitCode FollowVerification(const CommandContext& ctx,
                            const v1::Verification& start,
                            OnInterrupt on_interrupt,
                            const FollowOptions& options = {});

ExitCode RunWatchCommand(const CommandContext& ctx, const std::string& id);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COMMANDS_WATCH_COMMAND_H_
