// `propwatchctl agents`: the agents the coordinator knows, live or not.
#ifndef PROPWATCH_CLI_AGENTS_COMMAND_H_
#define PROPWATCH_CLI_AGENTS_COMMAND_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/coordinator_client.h"
#include "cli/exit_codes.h"
#include "cli/output.h"

namespace propwatch {

struct AgentsCommandOptions {
  std::vector<std::string> regions;
  bool connected_only = false;
};

// Renders the agents table; `now` makes "last seen 3s ago" testable.
std::string RenderAgentsTable(const v1::ListAgentsResponse& response,
                              absl::Time now);

ExitCode RunAgentsCommand(CoordinatorClient& client,
                          const AgentsCommandOptions& options,
                          OutputFormat format);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_AGENTS_COMMAND_H_
