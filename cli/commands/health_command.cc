#include "cli/commands/health_command.h"

#include "absl/strings/str_cat.h"

namespace propwatch {

ExitCode RunHealthCommand(const CommandContext& ctx,
                          const std::string& service) {
  auto status = ctx.client.Health(service);
  if (!status.ok()) return ReportFailure(ctx, status.status());
  const std::string name =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(*status);
  if (ctx.format == OutputFormat::kJson) {
    Print(ctx, absl::StrCat("{\"status\": \"", name, "\"}\n"));
  } else {
    Print(ctx, absl::StrCat(ctx.client.address(), " ", name, "\n"));
  }
  return *status == grpc::health::v1::HealthCheckResponse::SERVING ? kExitPass
                                                                   : kExitFail;
}

}  // namespace propwatch
