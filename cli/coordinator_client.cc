#include "cli/coordinator_client.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/host_port.h"
#include "common/token_file.h"

namespace propwatch {
namespace {

class GrpcVerificationStream : public VerificationStream {
 public:
  GrpcVerificationStream(const CoordinatorClient& client,
                         std::unique_ptr<grpc::ClientContext> context,
                         v1::ControlService::Stub& stub, const std::string& id)
      : client_(client), context_(std::move(context)) {
    v1::WatchVerificationRequest request;
    request.set_id(id);
    reader_ = stub.WatchVerification(context_.get(), request);
  }

  bool Read(v1::VerificationEvent* event) override {
    return reader_->Read(event);
  }
  absl::Status Finish() override {
    grpc::Status status = reader_->Finish();
    if (status.ok()) return absl::OkStatus();
    return client_.CallError(status, "WatchVerification");
  }
  void Cancel() override { context_->TryCancel(); }

 private:
  const CoordinatorClient& client_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::VerificationEvent>> reader_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Create(
    const ClientOptions& options) {
  auto hp = ParseHostPort(options.coordinator, 0);
  if (!hp.ok() || hp->port == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--coordinator '", options.coordinator,
                     "' must be host:port, e.g. 127.0.0.1:7411 (or set "
                     "PROPWATCH_COORDINATOR)"));
  }
  // gRPC aborts the process on a metadata value with a CR or another byte
  // it cannot send, printing the value: check the token before any call.
  ClientOptions checked = options;
  if (!options.token_file.empty()) {
    if (!options.token.empty()) {
      return absl::InvalidArgumentError(
          "give the token either directly (--token, PROPWATCH_TOKEN) or in a "
          "file, not both");
    }
    auto token = ReadTokenFile(options.token_file, "token file");
    if (!token.ok()) return token.status();
    checked.token = *std::move(token);
  } else if (!options.token.empty()) {
    auto token = CleanToken(options.token, "--token (PROPWATCH_TOKEN)");
    if (!token.ok()) return token.status();
    checked.token = *std::move(token);
  }
  auto credentials = ClientCredentials(options.tls, options.insecure);
  if (!credentials.ok()) return credentials.status();
  // gRPC's default reconnect backoff grows to minutes: after a coordinator
  // restart, calls kept failing about 10 s after it was back. A gate wants
  // to find it again within a second or two.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  auto channel =
      grpc::CreateCustomChannel(options.coordinator, *credentials, args);
  return std::unique_ptr<CoordinatorClient>(
      new CoordinatorClient(checked, std::move(channel)));
}

void CoordinatorClient::Prepare(grpc::ClientContext& context,
                                bool unary) const {
  if (unary) {
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(options_.timeout));
  }
  // gRPC metadata keys are lowercase; the value follows RFC 6750 2.1.
  if (!options_.token.empty()) {
    context.AddMetadata("authorization", "Bearer " + options_.token);
  }
}

absl::Status CoordinatorClient::CallError(const grpc::Status& status,
                                          absl::string_view rpc) const {
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
          " within ", absl::FormatDuration(options_.timeout),
          "; raise --timeout or check the coordinator's load"));
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::PermissionDeniedError(
          absl::StrCat("the coordinator at ", options_.coordinator, " refused ",
                       rpc, ": ", status.error_message(),
                       "; check --token (PROPWATCH_TOKEN) and the TLS flags"));
    case grpc::StatusCode::NOT_FOUND:
      // The server's message names what is missing (the id, or the round).
      return absl::NotFoundError(absl::StrCat(status.error_message(),
                                              " on the coordinator at ",
                                              options_.coordinator));
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::UnimplementedError(absl::StrCat(
          "the coordinator at ", options_.coordinator, " does not offer ", rpc,
          " (", status.error_message(), "); upgrade the coordinator"));
    default:
      return FromGrpcStatus(status, rpc);
  }
}

absl::StatusOr<v1::Verification> CoordinatorClient::CreateVerification(
    const v1::CreateVerificationRequest& request) {
  grpc::ClientContext context;
  Prepare(context, true);
  v1::Verification response;
  grpc::Status status = stub_->CreateVerification(&context, request, &response);
  if (!status.ok()) return CallError(status, "CreateVerification");
  return response;
}

absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus>
CoordinatorClient::Health(const std::string& service) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options_.timeout));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health_->Check(&context, request, &response);
  if (!status.ok()) return CallError(status, "grpc.health.v1.Health/Check");
  return response.status();
}

absl::StatusOr<v1::Verification> CoordinatorClient::GetVerification(
    const std::string& id) {
  grpc::ClientContext context;
  Prepare(context, true);
  v1::GetVerificationRequest request;
  request.set_id(id);
  v1::Verification response;
  grpc::Status status = stub_->GetVerification(&context, request, &response);
  if (!status.ok()) return CallError(status, "GetVerification");
  return response;
}

absl::StatusOr<v1::ListVerificationsResponse>
CoordinatorClient::ListVerifications(
    const v1::ListVerificationsRequest& request) {
  grpc::ClientContext context;
  Prepare(context, true);
  v1::ListVerificationsResponse response;
  grpc::Status status = stub_->ListVerifications(&context, request, &response);
  if (!status.ok()) return CallError(status, "ListVerifications");
  return response;
}

absl::StatusOr<v1::Verification> CoordinatorClient::CancelVerification(
    const v1::CancelVerificationRequest& request) {
  grpc::ClientContext context;
  Prepare(context, true);
  v1::Verification response;
  grpc::Status status = stub_->CancelVerification(&context, request, &response);
  if (!status.ok()) {
    return CallError(status, "CancelVerification");
  }
  return response;
}

absl::StatusOr<v1::Report> CoordinatorClient::GetReport(
    const v1::GetReportRequest& request) {
  grpc::ClientContext context;
  Prepare(context, true);
  v1::Report response;
  grpc::Status status = stub_->GetReport(&context, request, &response);
  if (!status.ok()) return CallError(status, "GetReport");
  return response;
}

absl::StatusOr<v1::QueryResultsResponse> CoordinatorClient::QueryResults(
    const v1::QueryResultsRequest& request) {
  grpc::ClientContext context;
  Prepare(context, true);
  v1::QueryResultsResponse response;
  grpc::Status status = stub_->QueryResults(&context, request, &response);
  if (!status.ok()) {
    return CallError(status, "QueryResults");
  }
  return response;
}

absl::StatusOr<v1::ListAgentsResponse> CoordinatorClient::ListAgents(
    const v1::ListAgentsRequest& request) {
  grpc::ClientContext context;
  Prepare(context, true);
  v1::ListAgentsResponse response;
  grpc::Status status = stub_->ListAgents(&context, request, &response);
  if (!status.ok()) return CallError(status, "ListAgents");
  return response;
}

absl::StatusOr<v1::ForgetAgentResponse> CoordinatorClient::ForgetAgent(
    const std::string& agent_id) {
  grpc::ClientContext context;
  Prepare(context, false);
  v1::ForgetAgentRequest request;
  request.set_agent_id(agent_id);
  v1::ForgetAgentResponse response;
  grpc::Status status = stub_->ForgetAgent(&context, request, &response);
  if (!status.ok()) return CallError(status, "ForgetAgent");
  return response;
}

std::unique_ptr<VerificationStream> CoordinatorClient::WatchVerification(
    const std::string& id, absl::Time deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  Prepare(*context, false);
  context->set_deadline(absl::ToChronoTime(deadline));
  return std::make_unique<GrpcVerificationStream>(*this, std::move(context),
                                                  *stub_, id);
}

}  // namespace propwatch
