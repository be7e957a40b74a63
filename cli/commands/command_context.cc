#include "cli/commands/command_context.h"

#include <string>

namespace propwatch {

ExitCode ReportFailure(const CommandContext& ctx, const absl::Status& status) {
  std::fprintf(ctx.err, "propwatchctl: %s\n",
               std::string(status.message()).c_str());
  return ExitCodeForStatus(status);
}

void Print(const CommandContext& ctx, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), ctx.out);
  std::fflush(ctx.out);
}

}  // namespace propwatch
