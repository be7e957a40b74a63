// The small read/modify commands on verifications: get, list, cancel and
// report. Each prints a table (or one JSON document) and exits 0, or the
// failure's code (3 unknown id, 4 coordinator unreachable).
#ifndef PROPWATCH_CLI_COMMANDS_VERIFICATION_COMMANDS_H_
#define PROPWATCH_CLI_COMMANDS_VERIFICATION_COMMANDS_H_

#include <string>

#include "absl/time/time.h"
#include "cli/commands/command_context.h"

namespace propwatch {

struct ListCommandOptions {
  uint32_t limit = 0;
  std::string before_id;
  std::string state;  // running | converged | diverged | ... | "" for all
  std::string hostname;
};

// The `list` table; `now` makes the AGE column testable.
std::string RenderVerificationList(const v1::ListVerificationsResponse& list,
                                   absl::Time now);
// The `get` / `cancel` view of one verification.
std::string RenderVerification(const v1::Verification& v);

ExitCode RunGetCommand(const CommandContext& ctx, const std::string& id);
ExitCode RunListCommand(const CommandContext& ctx,
                        const ListCommandOptions& options);
ExitCode RunCancelCommand(const CommandContext& ctx, const std::string& id,
                          const std::string& reason);
ExitCode RunReportCommand(const CommandContext& ctx, const std::string& id,
                          uint32_t round);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COMMANDS_VERIFICATION_COMMANDS_H_
