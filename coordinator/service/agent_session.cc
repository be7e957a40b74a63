#include "coordinator/service/agent_session.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/time_convert.h"
#include "coordinator/service/identity_validation.h"

namespace propwatch {
namespace {

// A batch of 50 results parses into roughly 40 KB; blocks grow to 64 KB so
// it takes three or four allocations. Reset() frees them all, so an idle
// stream holds none.
google::protobuf::ArenaOptions ArenaForResultBatches() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 8 << 10;
  options.max_block_size = 64 << 10;
  return options;
}

}  // namespace

// Forwards the ingest writer's signals to the session while it lives. The
// writer holds it weakly; OnDone detaches it under its mutex so no signal
// reaches a deleted session.
class AgentSession::Sink : public IngestSink {
 public:
  explicit Sink(AgentSession* session) : session_(session) {}
  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    session_ = nullptr;
  }
  void OnDurable(std::vector<uint64_t> sequences) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_ == nullptr) return;
    v1::CoordinatorMessage ack;
    for (uint64_t s : sequences) ack.mutable_ack()->add_sequences(s);
    session_->Send(std::move(ack));
  }
  void OnResume() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_ != nullptr) session_->ReadNext();
  }
  void OnWriteFailed() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_ != nullptr) {
      session_->Close(absl::UnavailableError(
          "coordinator could not store results; reconnect and resend"));
    }
  }

 private:
  std::mutex mu_;
  AgentSession* session_;  // guarded by mu_
};

AgentSession::AgentSession(grpc::CallbackServerContext* context,
                           AgentRegistry& registry, IngestWriter& ingest,
                           CommandTracker& tracker,
                           const AgentAuthorizer& authorizer,
                           absl::Duration heartbeat_interval)
    : context_(context),
      registry_(registry),
      ingest_(ingest),
      tracker_(tracker),
      authorizer_(authorizer),
      heartbeat_interval_(heartbeat_interval),
      sink_(std::make_shared<Sink>(this)),
      peer_(context->peer()),
      arena_(ArenaForResultBatches()) {
  if (absl::Status s = registry_.AddPending(this); !s.ok()) {
    spdlog::warn("refused agent stream from {}: {}", peer_,
                 std::string(s.message()));
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(ToGrpcStatus(s));
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  StartReadLocked();
}

void AgentSession::ReadNext() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!finished_) StartReadLocked();
}

void AgentSession::ReleaseIncoming() {
  std::lock_guard<std::mutex> lock(mu_);
  incoming_ = nullptr;
  arena_.Reset();
}

void AgentSession::StartReadLocked() {
  // The previous message is done with: its results were encoded into
  // records that own their bytes.
  arena_.Reset();
  incoming_ = google::protobuf::Arena::CreateMessage<v1::AgentMessage>(&arena_);
  StartRead(incoming_);
}

bool AgentSession::Send(v1::CoordinatorMessage message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return false;
  outgoing_.push_back(std::move(message));
  MaybeStartWriteLocked();
  return true;
}

PeerCredentials AgentSession::Credentials() const {
  PeerCredentials peer;
  std::shared_ptr<const grpc::AuthContext> auth = context_->auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const char* property :
         {"x509_common_name", "x509_subject_alternative_name"}) {
      for (const grpc::string_ref& name : auth->FindPropertyValues(property)) {
        peer.certificate_names.emplace_back(name.data(), name.size());
      }
    }
  }
  const auto& metadata = context_->client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end()) {
    peer.bearer_token =
        BearerToken(absl::string_view(it->second.data(), it->second.size()));
  }
  return peer;
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
    if (!incoming_->has_hello()) {
      spdlog::warn("stream from {} did not start with Hello; closing", peer_);
      Close(absl::InvalidArgumentError(
          "the first message on AgentService.Connect must be a Hello"));
      return;
    }
    absl::Status s = HandleHello(incoming_->hello());
    if (!s.ok()) {
      spdlog::warn("refused hello from {}: {}", peer_, s.ToString());
      Close(s);
      return;
    }
  } else if (!HandleMessage(*incoming_)) {
    return;  // paused: the ingest sink's OnResume() reads on
  }
  ReadNext();
}

absl::Status AgentSession::HandleHello(const v1::Hello& hello) {
  registry_.RemovePending(this);
  absl::Status valid = ValidateIdentity(hello.identity());
  if (!valid.ok()) return valid;
  const std::string& agent_id = hello.identity().agent_id();
  if (absl::Status s = authorizer_.Authorize(
          agent_id, hello.identity().region(), Credentials());
      !s.ok()) {
    return s;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    agent_id_ = agent_id;
    region_ = hello.identity().region();
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
  auto acked = ingest_.AckedThrough(agent_id);
  if (!acked.ok()) return acked.status();
  sequence_floor_ = *acked;
  v1::CoordinatorMessage welcome;
  welcome.mutable_welcome()->set_coordinator_version(PROPWATCH_VERSION);
  welcome.mutable_welcome()->set_acked_through(*acked);
  *welcome.mutable_welcome()->mutable_heartbeat_interval() =
      ToProtoDuration(heartbeat_interval_);
  Send(std::move(welcome));
  return absl::OkStatus();
}

absl::Status AgentSession::AcceptSequence(uint64_t sequence) {
  // Only the reading reaction calls this; no lock needed for the counters.
  if (sequence == 0 || (sequence > sequence_floor_ &&
                        sequence - sequence_floor_ > kMaxSequenceJump)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "result with sequence ", sequence, ", more than ", kMaxSequenceJump,
        " away from the agent's numbering (", sequence_floor_, ")"));
  }
  sequence_floor_ = std::max(sequence_floor_, sequence);
  return absl::OkStatus();
}

bool AgentSession::HandleMessage(v1::AgentMessage& message) {
  std::string agent_id, region;
  {
    std::lock_guard<std::mutex> lock(mu_);
    agent_id = agent_id_;
    region = region_;
  }
  switch (message.msg_case()) {
    case v1::AgentMessage::kHeartbeat:
      registry_.Touch(agent_id, this, message.heartbeat().dropped_results());
      return true;
    case v1::AgentMessage::kHello:
      Close(absl::InvalidArgumentError("Hello sent twice on one stream"));
      return true;
    case v1::AgentMessage::kResults: {
      // Encoded here, on this gRPC thread, so the writer only writes and the
      // arena holding `message` can be reset for the next read.
      std::vector<IngestRecord> records;
      records.reserve(message.results().results_size());
      v1::CoordinatorMessage refused;
      for (v1::ProbeResult& r : *message.mutable_results()->mutable_results()) {
        // Only answers to an open command sent to this agent count; the
        // engine never sees anything else. A sequence far beyond what the
        // agent numbered so far is forged or corrupt: stored, it would
        // become the agent's acked_through and make it drop and renumber.
        absl::Status s = AcceptSequence(r.sequence());
        if (s.ok()) s = tracker_.Accept(agent_id, r);
        if (!s.ok()) {
          refused.mutable_ack()->add_sequences(r.sequence());
          if (!warned_refused_) {
            warned_refused_ = true;
            spdlog::warn(
                "agent {} ({}): refused {} (logged once per stream; "
                "propwatchctl agents counts them)",
                agent_id, peer_, std::string(s.message()));
          }
          continue;
        }
        // The stream's identity is authoritative: an agent cannot file
        // results under another agent's name or region.
        r.set_agent_id(agent_id);
        r.set_region(region);
        records.push_back(IngestWriter::Encode(r));
      }
      // A paused stream must not hold its parsed batch until it resumes:
      // with a thousand agents that is tens of MB.
      ReleaseIncoming();
      if (refused.has_ack()) {
        // Refused for good: acked so the agent's outbox lets go of them
        // instead of resending them on every reconnect.
        registry_.CountRefused(agent_id, refused.ack().sequences_size());
        Send(std::move(refused));
      }
      if (records.empty()) return true;
      return ingest_.Submit(agent_id, std::move(records), sink_);
    }
    case v1::AgentMessage::kDone: {
      // Reported once the results sent before it are durable.
      const uint64_t command_id = message.done().command_id();
      CommandTracker& tracker = tracker_;
      ingest_.SubmitMarker([&tracker, agent_id, command_id] {
        tracker.Done(agent_id, command_id);
      });
      return true;
    }
    default:
      return true;
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
  sink_->Detach();
  registry_.RemovePending(this);
  if (registered) registry_.Disconnect(agent_id, this);
  delete this;
}

}  // namespace propwatch
