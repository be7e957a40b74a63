// `propwatchctl results ID`: the raw probe results behind a report, filtered
// by round, region, IP, kind or agent; pages are followed up to --limit.
#ifndef PROPWATCH_CLI_COMMANDS_RESULTS_COMMAND_H_
#define PROPWATCH_CLI_COMMANDS_RESULTS_COMMAND_H_

#include <string>

#include "cli/commands/command_context.h"

namespace propwatch {

struct ResultsCommandOptions {
  uint32_t round = 0;
  std::string region;
  std::string ip;
  std::string kind;  // dns | http | ""
  std::string agent_id;
  // Results printed at most; the JSON's nextPageToken resumes after them.
  uint32_t limit = 1000;
  std::string page_token;
};

// One row per result: round, agent, region, kind, target, outcome, error.
std::string RenderResultsTable(const v1::QueryResultsResponse& response);

ExitCode RunResultsCommand(const CommandContext& ctx, const std::string& id,
                           const ResultsCommandOptions& options);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COMMANDS_RESULTS_COMMAND_H_
