// Results waiting for the coordinator's ack.
//
// Every result gets the agent's next sequence number and stays here until
// the coordinator says it is durable. After a reconnect everything unacked
// is sent again, with the same numbers, so the coordinator stores each
// result exactly once. The outbox is bounded: when full, the oldest result
// is dropped and counted; the count travels in Hello and heartbeats, so a
// loss is never silent.
//
// With a journal file, results, acks and the sequence counter survive a
// crash or kill -9 of the agent (writes reach the kernel before Add()
// returns; they are not fsynced, so a power loss of the host may lose the
// last ones, which the coordinator then sees as a sequence gap).
//
// Threading: every method is thread-safe.
#ifndef PROPWATCH_AGENT_LINK_OUTBOX_H_
#define PROPWATCH_AGENT_LINK_OUTBOX_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/link/outbox_journal.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

struct OutboxStats {
  size_t size = 0;
  uint64_t last_sequence = 0;
  uint64_t dropped = 0;
};

// How far a coordinator's acked_through may lead this agent's own
// numbering (a lost journal restarts it at 1) before it is not believed.
inline constexpr uint64_t kMaxSequenceLead = uint64_t{1} << 40;

class Outbox {
 public:
  // In memory only.
  explicit Outbox(size_t capacity);
  // Journaled in `path` (created if missing; replayed if present).
  static absl::StatusOr<std::unique_ptr<Outbox>> Open(size_t capacity,
                                                      const std::string& path);
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Numbers and keeps `result`; returns its sequence.
  uint64_t Add(v1::ProbeResult result);
  // The coordinator stored these.
  void Ack(const std::vector<uint64_t>& sequences);
  // A new stream was welcomed: the coordinator holds everything up to
  // `acked_through`. Drops those, makes sure new numbers are above it (an
  // agent that lost its journal must not reuse stored numbers), and marks
  // the rest unsent so they go out again. An `acked_through` more than
  // kMaxSequenceLead beyond the last number this agent gave is ignored (a
  // forged or corrupt value must not drop unacked results or wrap the
  // numbering).
  void OnWelcome(uint64_t acked_through);
  // Up to `max` results not yet sent on the current stream, oldest first;
  // they count as sent from now on.
  std::vector<v1::ProbeResult> TakeUnsent(size_t max);
  bool HasUnsent();
  // True when no result numbered `sequence` or lower waits to be sent on
  // the current stream (each was taken, acked or dropped).
  bool SentThrough(uint64_t sequence);

  OutboxStats stats();

 private:
  Outbox(size_t capacity, std::unique_ptr<OutboxJournal> journal);
  // REQUIRES: mu_ held.
  void JournalLocked(const absl::Status& status);

  const size_t capacity_;
  std::mutex mu_;
  std::unique_ptr<OutboxJournal> journal_;       // guarded by mu_; may be null
  std::map<uint64_t, v1::ProbeResult> pending_;  // guarded by mu_
  uint64_t next_unsent_ = 0;                     // guarded by mu_
  uint64_t last_sequence_ = 0;                   // guarded by mu_
  uint64_t dropped_ = 0;                         // guarded by mu_
  bool journal_failed_ = false;                  // guarded by mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_LINK_OUTBOX_H_
