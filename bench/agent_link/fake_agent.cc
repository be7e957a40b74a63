#include "bench/agent_link/fake_agent.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time_convert.h"

namespace propwatch::bench {
namespace {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Wire tags (field number << 3 | length-delimited) of the fields an encoded
// batch is made of.
constexpr char kAgentMessageResultsTag = (2 << 3) | 2;  // AgentMessage.results
constexpr char kResultBatchResultsTag = (1 << 3) | 2;   // ResultBatch.results

}  // namespace

FakeAgent::FakeAgent(grpc::GenericStub& stub, v1::AgentIdentity identity,
                     const ResultFactory& results, FleetCounters& counters)
    : stub_(stub),
      identity_(std::move(identity)),
      results_(results),
      counters_(counters) {}

void FakeAgent::Start() {
  stub_.PrepareBidiStreamingCall(
      &context_,
      absl::StrCat("/", v1::AgentService::service_full_name(), "/Connect"),
      grpc::StubOptions(), this);
  // Heartbeats and ingest start writes from the fleet's threads, outside
  // any reaction: the hold keeps the call from finishing under them.
  AddHold();
  {
    std::lock_guard<std::mutex> lock(mu_);
    v1::AgentMessage hello;
    *hello.mutable_hello()->mutable_identity() = identity_;
    EnqueueLocked(hello);
  }
  StartRead(&incoming_bytes_);
  StartCall();
}

bool FakeAgent::EnqueueLocked(const v1::AgentMessage& message) {
  grpc::ByteBuffer bytes;
  bool own_buffer = false;
  grpc::Status s = grpc::SerializationTraits<v1::AgentMessage>::Serialize(
      message, &bytes, &own_buffer);
  if (!s.ok()) return false;
  return EnqueueBytesLocked(std::move(bytes));
}

bool FakeAgent::EnqueueBytesLocked(grpc::ByteBuffer bytes) {
  if (closing_) return false;
  outgoing_.push_back(std::move(bytes));
  MaybeStartWriteLocked();
  return true;
}

void FakeAgent::MaybeStartWriteLocked() {
  if (write_in_flight_ || done_) return;
  if (!outgoing_.empty()) {
    write_in_flight_ = true;
    StartWrite(&outgoing_.front());
    return;
  }
  if (stop_requested_ && !writes_done_sent_) {
    writes_done_sent_ = true;
    write_in_flight_ = true;
    StartWritesDone();
  }
}

bool FakeAgent::ReleaseHoldLocked() {
  closing_ = true;
  if (hold_released_) return false;
  hold_released_ = true;
  return true;
}

void FakeAgent::SendHeartbeat() {
  if (!welcomed()) return;
  std::lock_guard<std::mutex> lock(mu_);
  v1::AgentMessage message;
  v1::Heartbeat* heartbeat = message.mutable_heartbeat();
  *heartbeat->mutable_sent_at() = ToProtoTime(absl::Now());
  heartbeat->set_outbox_size(static_cast<uint32_t>(sent_ - acked_));
  EnqueueLocked(message);
}

void FakeAgent::StartIngest(uint64_t total, size_t batch, size_t window) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closing_ || total == 0) {
    counters_.ingest_done.fetch_add(1);
    return;
  }
  ingest_left_ = total;
  ingest_batch_ = std::max<size_t>(batch, 1);
  ingest_window_ = std::max<size_t>(window, 1);
  ingesting_ = true;
  RefillLocked();
}

void FakeAgent::RefillLocked() {
  // Each pass sends at least one result, so the loop ends after at most
  // ingest_window_ passes.
  while (ingest_left_ > 0 && sent_ - acked_ < ingest_window_) {
    const uint64_t room = ingest_window_ - (sent_ - acked_);
    const uint64_t n = std::min<uint64_t>(
        {static_cast<uint64_t>(ingest_batch_), room, ingest_left_});
    std::string batch;  // ResultBatch: n encoded ProbeResults
    for (uint64_t i = 0; i < n; ++i) {
      const std::string result = results_.Encoded(next_sequence_++);
      batch.push_back(kResultBatchResultsTag);
      AppendVarint(result.size(), batch);
      batch += result;
    }
    std::string wire(1, kAgentMessageResultsTag);
    AppendVarint(batch.size(), wire);
    wire += batch;
    grpc::Slice slice(wire);
    if (!EnqueueBytesLocked(grpc::ByteBuffer(&slice, 1))) {
      ingest_left_ = 0;  // the stream is closing; ingest ends short
      return;
    }
    sent_ += n;
    ingest_left_ -= n;
  }
}

void FakeAgent::Stop() {
  bool release;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_requested_ = true;
    MaybeStartWriteLocked();
    release = ReleaseHoldLocked();
  }
  if (release) RemoveHold();
}

void FakeAgent::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  write_in_flight_ = false;
  if (!ok) return;  // the call is failing; the read side ends it
  outgoing_.pop_front();
  MaybeStartWriteLocked();
}

void FakeAgent::OnWritesDoneDone(bool) {
  std::lock_guard<std::mutex> lock(mu_);
  write_in_flight_ = false;
}

void FakeAgent::OnReadDone(bool ok) {
  if (!ok) {
    // The coordinator ended the stream (or it broke): no more writes from
    // outside; OnDone follows once the outstanding operations finish.
    bool release;
    {
      std::lock_guard<std::mutex> lock(mu_);
      release = ReleaseHoldLocked();
    }
    if (release) RemoveHold();
    return;
  }
  if (!grpc::SerializationTraits<v1::CoordinatorMessage>::Deserialize(
           &incoming_bytes_, &incoming_)
           .ok()) {
    context_.TryCancel();  // OnDone reports the call's end
    return;
  }
  switch (incoming_.msg_case()) {
    case v1::CoordinatorMessage::kWelcome: {
      {
        std::lock_guard<std::mutex> lock(mu_);
        const v1::Welcome& welcome = incoming_.welcome();
        const absl::Duration interval =
            FromProtoDuration(welcome.heartbeat_interval());
        if (interval > absl::ZeroDuration()) heartbeat_interval_ = interval;
        // Resume numbering after what a previous run stored, like a real
        // agent's outbox does.
        next_sequence_ = std::max(next_sequence_, welcome.acked_through() + 1);
      }
      welcomed_.store(true, std::memory_order_release);
      counters_.welcomed.fetch_add(1);
      break;
    }
    case v1::CoordinatorMessage::kCommand:
      HandleCommand(incoming_.command());
      break;
    case v1::CoordinatorMessage::kAck:
      HandleAck(incoming_.ack());
      break;
    default:
      break;
  }
  StartRead(&incoming_bytes_);
}

void FakeAgent::HandleCommand(const v1::ProbeCommand& command) {
  // Receipt time first, then the id that publishes it.
  last_command_at_ns_.store(SteadyNowNs(), std::memory_order_release);
  last_command_id_.store(command.command_id(), std::memory_order_release);
  counters_.commands_received.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  v1::AgentMessage results;
  v1::ProbeResult* r = results.mutable_results()->add_results();
  *r = results_.MakeDns(next_sequence_++);
  r->set_verification_id(command.verification_id());
  r->set_round(command.round());
  r->set_command_id(command.command_id());
  if (!EnqueueLocked(results)) return;
  ++sent_;
  v1::AgentMessage done;
  done.mutable_done()->set_command_id(command.command_id());
  done.mutable_done()->set_results(1);
  EnqueueLocked(done);
}

void FakeAgent::HandleAck(const v1::Ack& ack) {
  counters_.results_acked.fetch_add(ack.sequences_size());
  std::lock_guard<std::mutex> lock(mu_);
  acked_ += ack.sequences_size();
  if (!ingesting_) return;
  RefillLocked();
  if (ingest_left_ == 0 && acked_ >= sent_) {
    ingesting_ = false;
    counters_.ingest_done.fetch_add(1);
  }
}

void FakeAgent::OnDone(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  status_ = status;
  if (ingesting_) {
    // Unblocks the fleet's wait; the report counts acks, not agents.
    ingesting_ = false;
    counters_.ingest_done.fetch_add(1);
  }
  ended_.store(true, std::memory_order_release);
  counters_.ended.fetch_add(1);
  done_cv_.notify_all();
}

bool FakeAgent::AwaitDone(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return done_cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                           [this] { return done_; });
}

absl::Duration FakeAgent::heartbeat_interval() const {
  std::lock_guard<std::mutex> lock(mu_);
  return heartbeat_interval_;
}

uint64_t FakeAgent::unacked() {
  std::lock_guard<std::mutex> lock(mu_);
  return sent_ - acked_;
}

grpc::Status FakeAgent::status() {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

}  // namespace propwatch::bench
