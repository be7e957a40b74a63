#include "agent/link/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace propwatch {

Outbox::Outbox(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

Outbox::Outbox(size_t capacity, std::unique_ptr<OutboxJournal> journal)
    : capacity_(std::max<size_t>(capacity, 1)), journal_(std::move(journal)) {}

absl::StatusOr<std::unique_ptr<Outbox>> Outbox::Open(size_t capacity,
                                                     const std::string& path) {
  OutboxState state;
  auto journal = OutboxJournal::Open(path, state);
  if (!journal.ok()) return journal.status();
  std::unique_ptr<Outbox> outbox(new Outbox(capacity, std::move(*journal)));
  outbox->pending_ = std::move(state.pending);
  outbox->last_sequence_ = state.last_sequence;
  outbox->dropped_ = state.dropped;
  if (state.corrupt > 0) {
    spdlog::error(
        "outbox journal {}: {} damaged records failed their checksum and were "
        "not replayed; damaged results are counted as dropped",
        path, state.corrupt);
  }
  // A smaller capacity than last run: the excess is dropped, and counted.
  while (outbox->pending_.size() > outbox->capacity_) {
    outbox->pending_.erase(outbox->pending_.begin());
    ++outbox->dropped_;
  }
  return outbox;
}

void Outbox::JournalLocked(const absl::Status& status) {
  if (status.ok() || journal_failed_) return;
  // Keep probing and sending from memory; only crash safety is lost.
  journal_failed_ = true;
  spdlog::error("outbox journal failed, continuing in memory only: {}",
                status.ToString());
}

uint64_t Outbox::Add(v1::ProbeResult result) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t sequence = ++last_sequence_;
  result.set_sequence(sequence);
  uint64_t dropped_sequence = 0;
  if (pending_.size() >= capacity_) {
    dropped_sequence = pending_.begin()->first;
    pending_.erase(pending_.begin());
    ++dropped_;
  }
  if (journal_ != nullptr && !journal_failed_) {
    JournalLocked(journal_->AppendResult(result));
    if (dropped_sequence != 0) {
      // Journaled like an ack (gone) plus the counter (why).
      JournalLocked(journal_->AppendAcks({dropped_sequence}));
      JournalLocked(journal_->AppendCounters(last_sequence_, dropped_));
    }
  }
  pending_.emplace(sequence, std::move(result));
  return sequence;
}

void Outbox::Ack(const std::vector<uint64_t>& sequences) {
  std::lock_guard<std::mutex> lock(mu_);
  for (uint64_t s : sequences) pending_.erase(s);
  if (journal_ != nullptr && !journal_failed_) {
    JournalLocked(journal_->AppendAcks(sequences));
    if (journal_->NeedsCompaction(pending_.size())) {
      OutboxState state;
      state.last_sequence = last_sequence_;
      state.dropped = dropped_;
      state.pending = pending_;
      JournalLocked(journal_->Rewrite(state));
    }
  }
}

void Outbox::OnWelcome(uint64_t acked_through) {
  std::lock_guard<std::mutex> lock(mu_);
  if (acked_through > kMaxSequenceLead &&
      acked_through - kMaxSequenceLead > last_sequence_) {
    // A coordinator's word must not make this agent drop results it never
    // had acked, nor wrap its numbering: a forged or corrupt acked_through
    // far beyond anything this agent numbered is ignored, and everything
    // unacked is sent again.
    spdlog::error(
        "coordinator claims results up to sequence {} but this agent has "
        "numbered only {}; ignored (nothing dropped, numbering kept)",
        acked_through, last_sequence_);
    acked_through = 0;
  }
  std::vector<uint64_t> acked;
  for (auto it = pending_.begin();
       it != pending_.end() && it->first <= acked_through;) {
    acked.push_back(it->first);
    it = pending_.erase(it);
  }
  if (acked_through > last_sequence_) {
    spdlog::warn(
        "coordinator holds results up to sequence {} but this agent has only "
        "numbered {}: its journal was lost; numbering continues above {}",
        acked_through, last_sequence_, acked_through);
    last_sequence_ = acked_through;
  }
  next_unsent_ = 0;
  if (journal_ != nullptr && !journal_failed_) {
    JournalLocked(journal_->AppendAcks(acked));
    JournalLocked(journal_->AppendCounters(last_sequence_, dropped_));
  }
}

std::vector<v1::ProbeResult> Outbox::TakeUnsent(size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::ProbeResult> out;
  for (auto it = pending_.lower_bound(next_unsent_);
       it != pending_.end() && out.size() < max; ++it) {
    out.push_back(it->second);
    next_unsent_ = it->first + 1;
  }
  return out;
}

bool Outbox::HasUnsent() {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.lower_bound(next_unsent_) != pending_.end();
}

bool Outbox::SentThrough(uint64_t sequence) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = pending_.lower_bound(next_unsent_);
  return next == pending_.end() || next->first > sequence;
}

OutboxStats Outbox::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return OutboxStats{pending_.size(), last_sequence_, dropped_};
}

}  // namespace propwatch
