#include "coordinator/service/control_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

// One command's probes; a round of a verification stays far below.
constexpr int kMaxProbesPerCommand = 1000;

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

grpc::ServerUnaryReactor* ControlService::RunProbes(
    grpc::CallbackServerContext* context, const v1::RunProbesRequest* request,
    v1::RunProbesResponse* response) {
  const int probes = request->dns_size() + request->http_size();
  if (probes == 0) {
    return FinishWith(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                            "give at least one dns or http "
                                            "probe"));
  }
  if (probes > kMaxProbesPerCommand) {
    return FinishWith(
        context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              absl::StrCat("at most ", kMaxProbesPerCommand,
                                           " probes per run; got ", probes)));
  }
  absl::Duration timeout = absl::Seconds(30);
  if (request->has_timeout()) timeout = FromProtoDuration(request->timeout());
  if (timeout <= absl::ZeroDuration() || timeout > absl::Minutes(10)) {
    return FinishWith(context,
                      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "timeout must be between 0 and 10 minutes"));
  }
  std::vector<std::string> ids;
  for (const v1::AgentIdentity& agent :
       SelectAgents(request->agents(), registry_.Connected())) {
    ids.push_back(agent.agent_id());
  }
  if (ids.empty()) {
    return FinishWith(context,
                      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                   "no connected agent matches the selector"));
  }
  v1::ProbeCommand command;
  command.set_command_id(dispatcher_.NextCommandId());
  command.set_verification_id(absl::StrCat("run-", command.command_id()));
  command.set_round(1);
  *command.mutable_dns() = request->dns();
  *command.mutable_http() = request->http();
  *command.mutable_deadline() = ToProtoTime(absl::Now() + timeout);
  DispatchOutcome outcome = dispatcher_.Send(ids, command);
  response->set_run_id(command.verification_id());
  response->set_command_id(command.command_id());
  for (std::string& id : outcome.delivered) response->add_delivered(id);
  for (std::string& id : outcome.undelivered) response->add_undelivered(id);
  return FinishWith(context, grpc::Status::OK);
}

}  // namespace propwatch
