#include "coordinator/service/agent_service.h"

#include "coordinator/service/agent_session.h"

namespace propwatch {

grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>*
AgentService::Connect(grpc::CallbackServerContext* context) {
  return new AgentSession(context, registry_, ingest_, tracker_, authorizer_,
                          heartbeat_interval_);
}

}  // namespace propwatch
