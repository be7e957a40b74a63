// AgentService: accepts agents' Connect streams.
#ifndef PROPWATCH_COORDINATOR_SERVICE_AGENT_SERVICE_H_
#define PROPWATCH_COORDINATOR_SERVICE_AGENT_SERVICE_H_

#include "coordinator/dispatch/command_tracker.h"
#include "coordinator/ingest/ingest_writer.h"
#include "coordinator/service/agent_authorizer.h"
#include "coordinator/service/agent_registry.h"
#include "propwatch/v1/agent.grpc.pb.h"

namespace propwatch {

class AgentService final : public v1::AgentService::CallbackService {
 public:
  AgentService(AgentRegistry& registry, IngestWriter& ingest,
               CommandTracker& tracker, AgentAuthorizer authorizer,
               absl::Duration heartbeat_interval)
      : registry_(registry),
        ingest_(ingest),
        tracker_(tracker),
        authorizer_(std::move(authorizer)),
        heartbeat_interval_(heartbeat_interval) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* Connect(
      grpc::CallbackServerContext* context) override;

 private:
  AgentRegistry& registry_;
  IngestWriter& ingest_;
  CommandTracker& tracker_;
  const AgentAuthorizer authorizer_;
  const absl::Duration heartbeat_interval_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_AGENT_SERVICE_H_
