// One simulated agent: a real AgentService.Connect stream driven by the
// async callback client API, without probe engine or outbox. It says Hello,
// answers every ProbeCommand with one result and CommandDone (as a real
// agent would, minus running the probe), sends heartbeats when told, and in
// ingest mode streams synthetic results with a bounded window of unacked
// ones.
//
// Threading: reactions run on gRPC's threads; Start(), SendHeartbeat(),
// StartIngest() and Stop() may be called from any thread. Writes started
// outside a reaction are covered by a hold (grpc::ClientBidiReactor::
// AddHold), released once the stream is closing, so the call cannot finish
// under them. One write in flight at most; later ones wait in a queue whose
// length is bounded by the ingest window. The owner keeps the object alive
// until AwaitDone() returned true.
#ifndef PROPWATCH_BENCH_AGENT_LINK_FAKE_AGENT_H_
#define PROPWATCH_BENCH_AGENT_LINK_FAKE_AGENT_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "bench/agent_link/synthetic_results.h"
#include "propwatch/v1/agent.grpc.pb.h"

namespace propwatch::bench {

// Fleet-wide progress, bumped by every agent; the fleet polls it.
struct FleetCounters {
  std::atomic<int> welcomed{0};
  std::atomic<int> ended{0};
  std::atomic<int> ingest_done{0};
  std::atomic<uint64_t> results_acked{0};
  std::atomic<uint64_t> commands_received{0};
};

// The stream carries raw bytes (a generic call to AgentService/Connect) so
// that result batches can go out pre-encoded; every other message is a
// v1::AgentMessage / v1::CoordinatorMessage encoded and parsed here.
class FakeAgent
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // `stub`, `results` and `counters` must outlive the agent.
  FakeAgent(grpc::GenericStub& stub, v1::AgentIdentity identity,
            const ResultFactory& results, FleetCounters& counters);

  // Starts the call with Hello as its first message.
  void Start();
  void SendHeartbeat();
  // Streams `total` results in ResultBatches of up to `batch`, keeping at
  // most `window` sent but unacked; counters.ingest_done is bumped once all
  // are acked.
  void StartIngest(uint64_t total, size_t batch, size_t window);
  // Half-closes the stream after what is queued; the coordinator then ends
  // it. Cancel() ends it at once.
  void Stop();
  void Cancel() { context_.TryCancel(); }
  // Waits up to `timeout` for OnDone.
  bool AwaitDone(absl::Duration timeout);

  bool welcomed() const { return welcomed_.load(std::memory_order_acquire); }
  bool ended() const { return ended_.load(std::memory_order_acquire); }
  absl::Duration heartbeat_interval() const;
  // The last ProbeCommand received and when (steady clock, ns).
  uint64_t last_command_id() const {
    return last_command_id_.load(std::memory_order_acquire);
  }
  int64_t last_command_at_ns() const {
    return last_command_at_ns_.load(std::memory_order_acquire);
  }
  // Results sent and not yet acked.
  uint64_t unacked();
  const std::string& agent_id() const { return identity_.agent_id(); }
  grpc::Status status();

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  void HandleCommand(const v1::ProbeCommand& command);
  void HandleAck(const v1::Ack& ack);
  // REQUIRES: mu_ held. Queues result batches up to the window.
  void RefillLocked();
  // REQUIRES: mu_ held. False once the stream is closing.
  bool EnqueueLocked(const v1::AgentMessage& message);
  bool EnqueueBytesLocked(grpc::ByteBuffer bytes);
  void MaybeStartWriteLocked();
  // REQUIRES: mu_ held. Drops the hold once; returns whether it did, so the
  // caller calls RemoveHold() after unlocking.
  bool ReleaseHoldLocked();

  grpc::ClientContext context_;
  grpc::GenericStub& stub_;
  const v1::AgentIdentity identity_;
  const ResultFactory& results_;
  FleetCounters& counters_;
  grpc::ByteBuffer incoming_bytes_;
  v1::CoordinatorMessage incoming_;  // parsed from incoming_bytes_

  std::atomic<bool> welcomed_{false};
  std::atomic<bool> ended_{false};
  std::atomic<uint64_t> last_command_id_{0};
  std::atomic<int64_t> last_command_at_ns_{0};

  mutable std::mutex mu_;
  std::condition_variable done_cv_;
  std::deque<grpc::ByteBuffer> outgoing_;                 // guarded by mu_
  bool write_in_flight_ = false;                          // guarded by mu_
  bool closing_ = false;                                  // guarded by mu_
  bool hold_released_ = false;                            // guarded by mu_
  bool stop_requested_ = false;                           // guarded by mu_
  bool writes_done_sent_ = false;                         // guarded by mu_
  bool done_ = false;                                     // guarded by mu_
  grpc::Status status_;                                   // guarded by mu_
  absl::Duration heartbeat_interval_ = absl::Seconds(5);  // guarded by mu_
  uint64_t next_sequence_ = 1;                            // guarded by mu_
  uint64_t sent_ = 0;                                     // guarded by mu_
  uint64_t acked_ = 0;                                    // guarded by mu_
  uint64_t ingest_left_ = 0;                              // guarded by mu_
  size_t ingest_batch_ = 0;                               // guarded by mu_
  size_t ingest_window_ = 0;                              // guarded by mu_
  bool ingesting_ = false;                                // guarded by mu_
};

}  // namespace propwatch::bench

#endif  // PROPWATCH_BENCH_AGENT_LINK_FAKE_AGENT_H_
