// What every propwatchctl command gets: the client, the output format and
// where to write, plus the one way commands report a failure.
#ifndef PROPWATCH_CLI_COMMANDS_COMMAND_CONTEXT_H_
#define PROPWATCH_CLI_COMMANDS_COMMAND_CONTEXT_H_

#include <cstdio>

#include "absl/status/status.h"
#include "cli/coordinator_client.h"
#include "cli/exit_codes.h"
#include "cli/output.h"

namespace propwatch {

struct CommandContext {
  CoordinatorClient& client;
  OutputFormat format = OutputFormat::kTable;
  // stdout is a terminal that takes escape codes (AnsiAllowed(1)).
  bool stdout_ansi = false;
  // Same for stderr, where progress goes when stdout carries JSON.
  bool stderr_ansi = false;
  // Terminal width for the live view (0 when unknown).
  int columns = 0;
  FILE* out = stdout;
  FILE* err = stderr;
};

// Prints "propwatchctl: <message>" to ctx.err and returns the exit code
// for the status (see exit_codes.h).
ExitCode ReportFailure(const CommandContext& ctx, const absl::Status& status);

// Writes `text` to ctx.out.
void Print(const CommandContext& ctx, const std::string& text);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COMMANDS_COMMAND_CONTEXT_H_
