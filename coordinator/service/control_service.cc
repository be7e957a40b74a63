#include "coordinator/service/control_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/time_convert.h"
#include "coordinator/service/agent_authorizer.h"
#include "coordinator/service/watch_reactor.h"
#include "coordinator/verify/spec_validation.h"

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

// A watch refused before it started: finishes at once with `status`.
class RefusedWatch : public grpc::ServerWriteReactor<v1::VerificationEvent> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

absl::StatusOr<std::string> ControlService::Caller(
    grpc::CallbackServerContext* context, ControlScope needed,
    absl::string_view what) const {
  std::string token;
  const auto& metadata = context->client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    token =
        BearerToken(absl::string_view(it->second.data(), it->second.size()));
  }
  absl::StatusOr<std::string> caller = authorizer_.Authorize(token, needed);
  if (!caller.ok()) {
    spdlog::warn("control API: {} from {} refused: {}", std::string(what),
                 context->peer(), std::string(caller.status().message()));
  } else if (needed == ControlScope::kWrite) {
    spdlog::info("control API: {} by {} ({})", std::string(what), *caller,
                 context->peer());
  }
  return caller;
}

grpc::ServerUnaryReactor* ControlService::Refused(
    grpc::CallbackServerContext* context, ControlScope needed,
    absl::string_view what) const {
  absl::StatusOr<std::string> caller = Caller(context, needed, what);
  if (caller.ok()) return nullptr;
  return FinishWith(context, ToGrpcStatus(caller.status()));
}

grpc::ServerUnaryReactor* ControlService::ListAgents(
    grpc::CallbackServerContext* context, const v1::ListAgentsRequest* request,
    v1::ListAgentsResponse* response) {
  if (auto* refused = Refused(context, ControlScope::kRead, "ListAgents")) {
    return refused;
  }
  auto agents = registry_.Records();
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

grpc::ServerUnaryReactor* ControlService::ForgetAgent(
    grpc::CallbackServerContext* context, const v1::ForgetAgentRequest* request,
    v1::ForgetAgentResponse* response) {
  if (auto* refused = Refused(context, ControlScope::kWrite, "ForgetAgent")) {
    return refused;
  }
  auto forgotten = registry_.Forget(request->agent_id());
  if (!forgotten.ok()) {
    return FinishWith(context, ToGrpcStatus(forgotten.status()));
  }
  *response->mutable_agent() = std::move(*forgotten);
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::CreateVerification(
    grpc::CallbackServerContext* context,
    const v1::CreateVerificationRequest* request, v1::Verification* response) {
  if (auto* refused =
          Refused(context, ControlScope::kWrite, "CreateVerification")) {
    return refused;
  }
  auto created = runner_.Create(*request);
  if (!created.ok()) return FinishWith(context, ToGrpcStatus(created.status()));
  *response = std::move(*created);
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::GetVerification(
    grpc::CallbackServerContext* context,
    const v1::GetVerificationRequest* request, v1::Verification* response) {
  if (auto* refused =
          Refused(context, ControlScope::kRead, "GetVerification")) {
    return refused;
  }
  auto v = verifications_.Get(request->id());
  if (!v.ok()) return FinishWith(context, ToGrpcStatus(v.status()));
  *response = std::move(*v);
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerWriteReactor<v1::VerificationEvent>*
ControlService::WatchVerification(grpc::CallbackServerContext* context,
                                  const v1::WatchVerificationRequest* request) {
  if (auto caller = Caller(context, ControlScope::kRead, "WatchVerification");
      !caller.ok()) {
    return new RefusedWatch(ToGrpcStatus(caller.status()));
  }
  return new WatchReactor(events_, verifications_, request->id());
}

grpc::ServerUnaryReactor* ControlService::ListVerifications(
    grpc::CallbackServerContext* context,
    const v1::ListVerificationsRequest* request,
    v1::ListVerificationsResponse* response) {
  if (auto* refused =
          Refused(context, ControlScope::kRead, "ListVerifications")) {
    return refused;
  }
  const size_t limit =
      request->limit() == 0 ? 100 : std::min<size_t>(request->limit(), 1000);
  auto list = verifications_.List(request->before_id(), limit, request->state(),
                                  request->hostname());
  if (!list.ok()) return FinishWith(context, ToGrpcStatus(list.status()));
  for (v1::Verification& v : *list)
    *response->add_verifications() = std::move(v);
  if (response->verifications_size() == static_cast<int>(limit)) {
    response->set_next_before_id(
        response->verifications(response->verifications_size() - 1).id());
  }
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::CancelVerification(
    grpc::CallbackServerContext* context,
    const v1::CancelVerificationRequest* request, v1::Verification* response) {
  if (auto* refused =
          Refused(context, ControlScope::kWrite, "CancelVerification")) {
    return refused;
  }
  auto v = runner_.Cancel(request->id(), request->reason());
  if (!v.ok()) return FinishWith(context, ToGrpcStatus(v.status()));
  *response = std::move(*v);
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::Report* response) {
  if (auto* refused = Refused(context, ControlScope::kRead, "GetReport")) {
    return refused;
  }
  auto v = verifications_.Get(request->id());
  if (!v.ok()) return FinishWith(context, ToGrpcStatus(v.status()));
  auto rounds = verifications_.RoundReports(request->id(), request->round());
  if (!rounds.ok()) return FinishWith(context, ToGrpcStatus(rounds.status()));
  if (request->round() != 0 && rounds->empty()) {
    return FinishWith(context,
                      grpc::Status(grpc::StatusCode::NOT_FOUND,
                                   absl::StrCat("verification ", request->id(),
                                                " has no report for round ",
                                                request->round())));
  }
  *response->mutable_verification() = std::move(*v);
  for (v1::RoundReport& r : *rounds) *response->add_rounds() = std::move(r);
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::QueryResults(
    grpc::CallbackServerContext* context,
    const v1::QueryResultsRequest* request,
    v1::QueryResultsResponse* response) {
  if (auto* refused = Refused(context, ControlScope::kRead, "QueryResults")) {
    return refused;
  }
  if (request->verification_id().empty()) {
    return FinishWith(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                            "verification_id is required"));
  }
  if (!request->kind().empty() && request->kind() != "dns" &&
      request->kind() != "http") {
    return FinishWith(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                            "kind must be dns, http or empty"));
  }
  ResultFilter filter;
  filter.round = request->round();
  filter.region = request->region();
  filter.agent_id = request->agent_id();
  filter.ip = request->ip();
  filter.kind = request->kind();
  const size_t limit =
      request->limit() == 0 ? 1000 : std::min<size_t>(request->limit(), 10000);
  auto page = verifications_.QueryResults(request->verification_id(), filter,
                                          limit, request->page_token());
  if (!page.ok()) return FinishWith(context, ToGrpcStatus(page.status()));
  for (v1::ProbeResult& r : page->results)
    *response->add_results() = std::move(r);
  response->set_next_page_token(page->next_token);
  return FinishWith(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::RunProbes(
    grpc::CallbackServerContext* context, const v1::RunProbesRequest* request,
    v1::RunProbesResponse* response) {
  if (auto* refused = Refused(context, ControlScope::kWrite, "RunProbes")) {
    return refused;
  }
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
  // The rules and target policy of a verification's spec (issue 15): the
  // allowlist for DNS hostnames and URL hosts, the address policy for every
  // resolver and pinned IP, GET/HEAD and no extra headers.
  if (absl::Status st = ValidateRunProbesRequest(*request, policy_); !st.ok()) {
    return FinishWith(context, ToGrpcStatus(st));
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
  const absl::Time deadline = absl::Now() + timeout;
  *command.mutable_deadline() = ToProtoTime(deadline);
  // Results are accepted until the deadline plus a little for the last ones
  // in flight; nobody waits on the command.
  tracker_.Open(command, {ids.begin(), ids.end()}, deadline + absl::Seconds(5));
  DispatchOutcome outcome = dispatcher_.Send(ids, command);
  response->set_run_id(command.verification_id());
  response->set_command_id(command.command_id());
  for (std::string& id : outcome.delivered) response->add_delivered(id);
  for (std::string& id : outcome.undelivered) response->add_undelivered(id);
  return FinishWith(context, grpc::Status::OK);
}

}  // namespace propwatch
