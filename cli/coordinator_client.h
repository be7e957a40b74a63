// How propwatchctl reaches the coordinator: address, credentials, deadlines,
// and error messages that say what to fix.
#ifndef PROPWATCH_CLI_COORDINATOR_CLIENT_H_
#define PROPWATCH_CLI_COORDINATOR_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls_credentials.h"
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
};

class CoordinatorClient {
 public:
  static absl::StatusOr<std::unique_ptr<CoordinatorClient>> Create(
      const ClientOptions& options);

  absl::StatusOr<v1::ListAgentsResponse> ListAgents(
      const v1::ListAgentsRequest& request);

  const std::string& address() const { return options_.coordinator; }

 private:
  CoordinatorClient(ClientOptions options,
                    std::unique_ptr<v1::ControlService::Stub> stub)
      : options_(std::move(options)), stub_(std::move(stub)) {}
  // Turns a failed call into a message naming the address and the fix.
  absl::Status CallError(const grpc::Status& status, absl::string_view rpc);
  void Prepare(grpc::ClientContext& context);

  ClientOptions options_;
  std::unique_ptr<v1::ControlService::Stub> stub_;
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COORDINATOR_CLIENT_H_
