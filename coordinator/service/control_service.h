// ControlService: the API for people and pipelines.
//
// Threading: callback API; handlers run on gRPC threads and never block on
// anything but short RocksDB reads.
#ifndef PROPWATCH_COORDINATOR_SERVICE_CONTROL_SERVICE_H_
#define PROPWATCH_COORDINATOR_SERVICE_CONTROL_SERVICE_H_

#include "coordinator/dispatch/command_dispatcher.h"
#include "coordinator/service/agent_registry.h"
#include "coordinator/service/control_authorizer.h"
#include "coordinator/storage/store.h"
#include "coordinator/storage/verification_store.h"
#include "coordinator/verify/verification_events.h"
#include "coordinator/verify/verification_runner.h"
#include "propwatch/v1/control.grpc.pb.h"

namespace propwatch {

class ControlService final : public v1::ControlService::CallbackService {
 public:
  ControlService(Store& store, AgentRegistry& registry,
                 CommandDispatcher& dispatcher, CommandTracker& tracker,
                 VerificationStore& verifications, VerificationRunner& runner,
                 VerificationEvents& events, const TargetPolicy& policy,
                 ControlAuthorizer authorizer)
      : store_(store),
        registry_(registry),
        dispatcher_(dispatcher),
        tracker_(tracker),
        verifications_(verifications),
        runner_(runner),
        events_(events),
        policy_(policy),
        authorizer_(std::move(authorizer)) {}

  grpc::ServerUnaryReactor* ListAgents(
      grpc::CallbackServerContext* context,
      const v1::ListAgentsRequest* request,
      v1::ListAgentsResponse* response) override;
  grpc::ServerUnaryReactor* ForgetAgent(
      grpc::CallbackServerContext* context,
      const v1::ForgetAgentRequest* request,
      v1::ForgetAgentResponse* response) override;

  grpc::ServerUnaryReactor* CreateVerification(
      grpc::CallbackServerContext* context,
      const v1::CreateVerificationRequest* request,
      v1::Verification* response) override;
  grpc::ServerUnaryReactor* GetVerification(
      grpc::CallbackServerContext* context,
      const v1::GetVerificationRequest* request,
      v1::Verification* response) override;
  grpc::ServerWriteReactor<v1::VerificationEvent>* WatchVerification(
      grpc::CallbackServerContext* context,
      const v1::WatchVerificationRequest* request) override;
  grpc::ServerUnaryReactor* ListVerifications(
      grpc::CallbackServerContext* context,
      const v1::ListVerificationsRequest* request,
      v1::ListVerificationsResponse* response) override;
  grpc::ServerUnaryReactor* CancelVerification(
      grpc::CallbackServerContext* context,
      const v1::CancelVerificationRequest* request,
      v1::Verification* response) override;
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::Report* response) override;
  grpc::ServerUnaryReactor* QueryResults(
      grpc::CallbackServerContext* context,
      const v1::QueryResultsRequest* request,
      v1::QueryResultsResponse* response) override;

  grpc::ServerUnaryReactor* RunProbes(grpc::CallbackServerContext* context,
                                      const v1::RunProbesRequest* request,
                                      v1::RunProbesResponse* response) override;

 private:
  // The caller's name when its token allows `needed`; writes are logged.
  absl::StatusOr<std::string> Caller(grpc::CallbackServerContext* context,
                                     ControlScope needed,
                                     absl::string_view what) const;
  // nullptr when the caller may do `what`; else a reactor finishing with
  // why not.
  grpc::ServerUnaryReactor* Refused(grpc::CallbackServerContext* context,
                                    ControlScope needed,
                                    absl::string_view what) const;

  Store& store_;
  AgentRegistry& registry_;
  CommandDispatcher& dispatcher_;
  CommandTracker& tracker_;
  VerificationStore& verifications_;
  VerificationRunner& runner_;
  VerificationEvents& events_;
  const TargetPolicy& policy_;
  const ControlAuthorizer authorizer_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_CONTROL_SERVICE_H_
