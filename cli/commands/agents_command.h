// `propwatchctl agents`: the agents the coordinator knows, live or not.
#ifndef PROPWATCH_CLI_COMMANDS_AGENTS_COMMAND_H_
#define PROPWATCH_CLI_COMMANDS_AGENTS_COMMAND_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/commands/command_context.h"

namespace propwatch {

struct AgentsCommandOptions {
  std::vector<std::string> regions;
  bool connected_only = false;
};

// Renders the agents table; `now` makes "last seen 3s ago" testable.
std::string RenderAgentsTable(const v1::ListAgentsResponse& response,
                              absl::Time now);

ExitCode RunAgentsCommand(const CommandContext& ctx,
                          const AgentsCommandOptions& options);
// `propwatchctl agents forget ID`: retires a disconnected agent, so new
// verifications no longer expect its region.
ExitCode RunForgetAgentCommand(const CommandContext& ctx,
                               const std::string& agent_id);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COMMANDS_AGENTS_COMMAND_H_
