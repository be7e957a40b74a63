// How propwatchctl reaches the coordinator: address, credentials, the bearer
// token, deadlines, and error messages that say what to fix.
#ifndef PROPWATCH_CLI_COORDINATOR_CLIENT_H_
#define PROPWATCH_CLI_COORDINATOR_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls_credentials.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "propwatch/v1/control.grpc.pb.h"

namespace propwatch {

struct ClientOptions {
  // "host:port"; flag --coordinator or $PROPWATCH_COORDINATOR.
  std::string coordinator = "127.0.0.1:7411";
  // Per-call deadline for unary calls.
  absl::Duration timeout = absl::Seconds(10);
  // TLS to the coordinator (system roots unless tls.ca); plaintext only with
  // --insecure or PROPWATCH_INSECURE=1.
  TlsFiles tls;
  bool insecure = false;
  // Sent as "authorization: Bearer <token>" on every call when not empty;
  // flag --token or $PROPWATCH_TOKEN. Surrounding whitespace (a CR from
  // `$(cat file)` on a CRLF file) is trimmed by Create.
  std::string token;
  // A file holding the token instead (see common/token_file.h); not with
  // `token`.
  std::string token_file;
};

// One server stream of WatchVerification. Read() blocks until the next event
// or the end of the stream.
class VerificationStream {
 public:
  virtual ~VerificationStream() = default;
  // False at the end of the stream; then call Finish().
  virtual bool Read(v1::VerificationEvent* event) = 0;
  // The stream's final status, already turned into a message that says
  // what to fix (see CoordinatorClient).
  virtual absl::Status Finish() = 0;
  // Ends the call from another thread; Read() then returns false.
  virtual void Cancel() = 0;
};

// Threading: the unary calls may run on any thread; one VerificationStream
// belongs to one reader thread (Cancel() excepted).
class CoordinatorClient {
 public:
  // InvalidArgument when the address, the TLS files or the token are
  // unusable; a token error names its source and the offending byte, never
  // the token.
  static absl::StatusOr<std::unique_ptr<CoordinatorClient>> Create(
      const ClientOptions& options);

  absl::StatusOr<v1::Verification> CreateVerification(
      const v1::CreateVerificationRequest& request);
  absl::StatusOr<v1::Verification> GetVerification(const std::string& id);
  absl::StatusOr<v1::ListVerificationsResponse> ListVerifications(
      const v1::ListVerificationsRequest& request);
  absl::StatusOr<v1::Verification> CancelVerification(
      const v1::CancelVerificationRequest& request);
  absl::StatusOr<v1::Report> GetReport(const v1::GetReportRequest& request);
  absl::StatusOr<v1::QueryResultsResponse> QueryResults(
      const v1::QueryResultsRequest& request);
  absl::StatusOr<v1::ListAgentsResponse> ListAgents(
      const v1::ListAgentsRequest& request);
  absl::StatusOr<v1::ForgetAgentResponse> ForgetAgent(
      const std::string& agent_id);
  // grpc.health.v1 Check of `service` ("" is the whole server). Needs no
  // token, so probes and health checks can use it.
  absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> Health(
      const std::string& service);
  // Starts WatchVerification; the stream ends by itself at `deadline`.
  std::unique_ptr<VerificationStream> WatchVerification(const std::string& id,
                                                        absl::Time deadline);

  const std::string& address() const { return options_.coordinator; }

  // Turns a failed call into a message naming the address and the fix.
  absl::Status CallError(const grpc::Status& status,
                         absl::string_view rpc) const;

 private:
  CoordinatorClient(ClientOptions options,
                    std::shared_ptr<grpc::Channel> channel)
      : options_(std::move(options)),
        stub_(v1::ControlService::NewStub(channel)),
        health_(grpc::health::v1::Health::NewStub(channel)) {}
  // Deadline (unary calls only) and the bearer token.
  void Prepare(grpc::ClientContext& context, bool unary) const;

  ClientOptions options_;
  std::unique_ptr<v1::ControlService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COORDINATOR_CLIENT_H_
