// `propwatchctl health`: is the coordinator serving? grpc.health.v1, so it
// needs no token: for container health checks, Kubernetes exec probes over
// TLS, and scripts that wait for a coordinator to come up.
#ifndef PROPWATCH_CLI_COMMANDS_HEALTH_COMMAND_H_
#define PROPWATCH_CLI_COMMANDS_HEALTH_COMMAND_H_

#include <string>

#include "cli/commands/command_context.h"

namespace propwatch {

// Exit 0 when SERVING, 1 when the coordinator answers anything else (e.g.
// NOT_SERVING while it shuts down), 4 when it cannot be reached, 3 for a
// service it does not know.
ExitCode RunHealthCommand(const CommandContext& ctx,
                          const std::string& service);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COMMANDS_HEALTH_COMMAND_H_
