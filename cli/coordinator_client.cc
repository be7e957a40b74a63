#include "cli/coordinator_client.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/host_port.h"

namespace propwatch {

absl::StatusOr<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Create(
    const ClientOptions& options) {
  auto hp = ParseHostPort(options.coordinator, 0);
  if (!hp.ok() || hp->port == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--coordinator '", options.coordinator,
                     "' must be host:port, e.g. 127.0.0.1:7411 (or set "
                     "PROPWATCH_COORDINATOR)"));
  }
  auto credentials = ClientCredentials(options.tls, options.insecure);
  if (!credentials.ok()) return credentials.status();
  auto channel = grpc::CreateChannel(options.coordinator, *credentials);
  return std::unique_ptr<CoordinatorClient>(
      new CoordinatorClient(options, v1::ControlService::NewStub(channel)));
}

void CoordinatorClient::Prepare(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options_.timeout));
}

absl::Status CoordinatorClient::CallError(const grpc::Status& status,
                                          absl::string_view rpc) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::UnavailableError(absl::StrCat(
          "cannot reach the coordinator at ", options_.coordinator, " (",
          status.error_message(),
          "); is it running? Point --coordinator or PROPWATCH_COORDINATOR at "
          "it"));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError(absl::StrCat(
          "the coordinator at ", options_.coordinator, " did not answer ", rpc,
          " within ", absl::FormatDuration(options_.timeout)));
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::PermissionDeniedError(absl::StrCat(
          "the coordinator at ", options_.coordinator, " refused ", rpc, ": ",
          status.error_message(), "; check --token and the TLS flags"));
    default:
      return FromGrpcStatus(status, rpc);
  }
}

absl::StatusOr<v1::ListAgentsResponse> CoordinatorClient::ListAgents(
    const v1::ListAgentsRequest& request) {
  grpc::ClientContext context;
  Prepare(context);
  v1::ListAgentsResponse response;
  grpc::Status status = stub_->ListAgents(&context, request, &response);
  if (!status.ok()) return CallError(status, "ListAgents");
  return response;
}

}  // namespace propwatch
