#include "coordinator/service/agent_session.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/time_convert.h"
#include "coordinator/service/identity_validation.h"

namespace propwatch {

AgentSession::AgentSession(grpc::CallbackServerContext* context,
                           AgentRegistry& registry,
                           absl::Duration heartbeat_interval)
    : context_(context),
      registry_(registry),
      heartbeat_interval_(heartbeat_interval),
      peer_(context->peer()) {
  StartRead(&incoming_);
}

void AgentSession::Send(v1::CoordinatorMessage message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  outgoing_.push_back(std::move(message));
  MaybeStartWriteLocked();
}

void AgentSession::Close(const absl::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  FinishLocked(ToGrpcStatus(status));
}

void AgentSession::MaybeStartWriteLocked() {
  if (write_in_flight_ || finished_ || outgoing_.empty()) return;
  write_in_flight_ = true;
  StartWrite(&outgoing_.front());
}

void AgentSession::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  Finish(status);
}

void AgentSession::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  write_in_flight_ = false;
  if (!ok) {
    // The stream is broken; OnDone follows once the read side fails too.
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
    return;
  }
  outgoing_.pop_front();
  MaybeStartWriteLocked();
}

void AgentSession::OnReadDone(bool ok) {
  if (!ok) {
    // The agent half-closed or the connection died.
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(grpc::Status::OK);
    return;
  }
  bool has_identity;
  {
    std::lock_guard<std::mutex> lock(mu_);
    has_identity = !agent_id_.empty();
  }
  if (!has_identity) {
    if (!incoming_.has_hello()) {
      spdlog::warn("stream from {} did not start with Hello; closing", peer_);
      Close(absl::InvalidArgumentError(
          "the first message on AgentService.Connect must be a Hello"));
      return;
    }
    absl::Status s = HandleHello(incoming_.hello());
    if (!s.ok()) {
      spdlog::warn("refused hello from {}: {}", peer_, s.ToString());
      Close(s);
      return;
    }
  } else {
    HandleMessage(incoming_);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!finished_) StartRead(&incoming_);
}

absl::Status AgentSession::HandleHello(const v1::Hello& hello) {
  absl::Status valid = ValidateIdentity(hello.identity());
  if (!valid.ok()) return valid;
  const std::string& agent_id = hello.identity().agent_id();
  {
    std::lock_guard<std::mutex> lock(mu_);
    agent_id_ = agent_id;
    registered_ = true;
  }
  absl::Status s =
      registry_.Connect(hello.identity(), peer_, hello.dropped_results(), this);
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    registered_ = false;
    return absl::UnavailableError(
        absl::StrCat("coordinator could not record the agent: ", s.message()));
  }
  spdlog::info(
      "agent {} connected from {} (region {}, provider {}, version {})",
      agent_id, peer_, hello.identity().region(), hello.identity().provider(),
      hello.identity().version());
  v1::CoordinatorMessage welcome;
  welcome.mutable_welcome()->set_coordinator_version(PROPWATCH_VERSION);
  *welcome.mutable_welcome()->mutable_heartbeat_interval() =
      ToProtoDuration(heartbeat_interval_);
  Send(std::move(welcome));
  return absl::OkStatus();
}

void AgentSession::HandleMessage(const v1::AgentMessage& message) {
  std::string agent_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    agent_id = agent_id_;
  }
  switch (message.msg_case()) {
    case v1::AgentMessage::kHeartbeat:
      registry_.Touch(agent_id, this, message.heartbeat().dropped_results());
      break;
    case v1::AgentMessage::kHello:
      Close(absl::InvalidArgumentError("Hello sent twice on one stream"));
      break;
    default:
      // Results and command completions are handled by the ingest path once
      // verifications exist; until then any traffic still proves liveness.
      registry_.Touch(agent_id, this, 0);
      break;
  }
}

void AgentSession::OnCancel() {
  std::lock_guard<std::mutex> lock(mu_);
  FinishLocked(grpc::Status::CANCELLED);
}

void AgentSession::OnDone() {
  std::string agent_id;
  bool registered;
  {
    std::lock_guard<std::mutex> lock(mu_);
    agent_id = agent_id_;
    registered = registered_;
  }
  if (registered) registry_.Disconnect(agent_id, this);
  delete this;
}

}  // namespace propwatch
