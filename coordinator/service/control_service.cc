#include "coordinator/service/control_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace propwatch {
namespace {

grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* context,
                                     const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

grpc::Status NotBuiltYet(absl::string_view rpc) {
  return grpc::Status(
      grpc::StatusCode::UNIMPLEMENTED,
      absl::StrCat(rpc,
                   " is not available yet: it arrives with the verifications "
                   "capability (rounds, history and the consistency engine)"));
}

// A server-streaming reactor that ends at once with a status.
class FinishedWriter : public grpc::ServerWriteReactor<v1::VerificationEvent> {
 public:
  explicit FinishedWriter(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* ControlService::ListAgents(
    grpc::CallbackServerContext* context, const v1::ListAgentsRequest* request,
    v1::ListAgentsResponse* response) {
  auto agents = store_.ListAgents();
  if (!agents.ok()) return FinishWith(context, ToGrpcStatus(agents.status()));
  for (v1::AgentRecord& agent : *agents) {
    if (request->connected_only() &&
        agent.state() != v1::AGENT_STATE_CONNECTED) {
      continue;
    }
    if (!request->regions().empty() &&
        std::find(request->regions().begin(), request->regions().end(),
                  agent.identity().region()) == request->regions().end()) {
      continue;
    }
    *response->add_agents() = std::move(agent);
  }
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::CreateVerification(
    grpc::CallbackServerContext* context, const v1::CreateVerificationRequest*,
    v1::Verification*) {
  return FinishWith(context, NotBuiltYet("CreateVerification"));
}

grpc::ServerUnaryReactor* ControlService::GetVerification(
    grpc::CallbackServerContext* context, const v1::GetVerificationRequest*,
    v1::Verification*) {
  return FinishWith(context, NotBuiltYet("GetVerification"));
}

grpc::ServerWriteReactor<v1::VerificationEvent>*
ControlService::WatchVerification(grpc::CallbackServerContext*,
                                  const v1::WatchVerificationRequest*) {
  return new FinishedWriter(NotBuiltYet("WatchVerification"));
}

grpc::ServerUnaryReactor* ControlService::ListVerifications(
    grpc::CallbackServerContext* context, const v1::ListVerificationsRequest*,
    v1::ListVerificationsResponse*) {
  return FinishWith(context, NotBuiltYet("ListVerifications"));
}

grpc::ServerUnaryReactor* ControlService::CancelVerification(
    grpc::CallbackServerContext* context, const v1::CancelVerificationRequest*,
    v1::Verification*) {
  return FinishWith(context, NotBuiltYet("CancelVerification"));
}

grpc::ServerUnaryReactor* ControlService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest*,
    v1::Report*) {
  return FinishWith(context, NotBuiltYet("GetReport"));
}

grpc::ServerUnaryReactor* ControlService::QueryResults(
    grpc::CallbackServerContext* context, const v1::QueryResultsRequest*,
    v1::QueryResultsResponse*) {
  return FinishWith(context, NotBuiltYet("QueryResults"));
}

}  // namespace propwatch
