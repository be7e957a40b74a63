// The coordinator process's parts wired together: store, registry, gRPC
// services, health and reflection.
//
// Threading: Start() and Shutdown() from one thread; everything else runs on
// gRPC's threads.
#ifndef PROPWATCH_COORDINATOR_SERVICE_COORDINATOR_SERVER_H_
#define PROPWATCH_COORDINATOR_SERVICE_COORDINATOR_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls_credentials.h"
#include "coordinator/dispatch/stored_command_log.h"
#include "coordinator/ingest/ingest_writer.h"
#include "coordinator/service/agent_registry.h"
#include "coordinator/service/agent_service.h"
#include "coordinator/service/control_service.h"
#include "coordinator/storage/store.h"

namespace propwatch {

struct CoordinatorOptions {
  // "host:port"; port 0 picks a free port (see CoordinatorServer::port()).
  std::string listen = "127.0.0.1:7411";
  std::string data_dir;
  // What agents are told; they are dropped after 3 missed intervals.
  absl::Duration heartbeat_interval = absl::Seconds(5);
  // Agents' keepalive pings arrive at most this often.
  absl::Duration min_agent_ping_interval = absl::Seconds(10);
  // Queued results above which agent streams stop being read.
  size_t ingest_capacity = 10000;
  // TLS: certificate and key of the coordinator; `tls.ca` verifies agents'
  // client certificates (mutual TLS). Plaintext only with `insecure`.
  TlsFiles tls;
  bool insecure = false;
  // "agent_id token" lines; empty: no token authentication.
  std::string agent_tokens_file;
  // "name token [read|write]" lines for the control API; empty: open.
  std::string control_tokens_file;
  // Hostname patterns verifications may target ("*.example.com"); empty
  // allows any hostname.
  std::vector<std::string> allowed_targets;
  // Let agents probe private, loopback and link-local addresses.
  bool allow_private_targets = false;
  // Finished verifications older than this are deleted; zero keeps all.
  absl::Duration retention = absl::Hours(24 * 30);
  // A verification without selector.regions expects every region of an
  // agent that matches its selector and was connected within this window.
  absl::Duration expected_region_window = absl::Hours(24);
  // Largest message a client may send (agents' result batches, control
  // calls).
  size_t max_message_bytes = 4 << 20;
};

class CoordinatorServer {
 public:
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(
      const CoordinatorOptions& options);
  ~CoordinatorServer();

  int port() const { return port_; }
  // Stops accepting, closes agent streams, waits up to `grace` for calls to
  // end, then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  CoordinatorServer() = default;

  std::unique_ptr<Store> store_;
  std::unique_ptr<IngestWriter> ingest_;
  std::unique_ptr<AgentRegistry> registry_;
  std::unique_ptr<AgentService> agent_service_;
  std::unique_ptr<VerificationStore> verifications_;
  std::unique_ptr<StoredCommandLog> command_log_;
  std::unique_ptr<CommandTracker> tracker_;
  std::unique_ptr<CommandDispatcher> dispatcher_;
  std::unique_ptr<VerificationEvents> events_;
  std::unique_ptr<TargetPolicy> policy_;
  std::unique_ptr<VerificationRunner> runner_;
  std::unique_ptr<ControlService> control_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_COORDINATOR_SERVER_H_
