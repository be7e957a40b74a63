// The outbox's append-only file: result, ack and counter records, replayed
// at start and compacted when mostly dead.
//
// Record: [u8 kind][u32 little-endian length][u32 CRC-32 of kind and
// payload][payload]. A torn last record (a crash mid-write) is ignored on
// replay; a record whose checksum does not match is never replayed (a result
// is counted as dropped) and replay goes on with the next one. Journals
// written before checksums ([kind][length][payload], upper-case kinds) are
// still read and rewritten with checksums.
//
// Threading: not thread-safe; the Outbox serializes access.
#ifndef PROPWATCH_AGENT_LINK_OUTBOX_JOURNAL_H_
#define PROPWATCH_AGENT_LINK_OUTBOX_JOURNAL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// What a journal held when it was opened.
struct OutboxState {
  std::map<uint64_t, v1::ProbeResult> pending;
  uint64_t last_sequence = 0;
  uint64_t dropped = 0;
  // Records skipped on replay because their checksum did not match.
  uint64_t corrupt = 0;
};

class OutboxJournal {
 public:
  // Opens `path`, replaying it into `state`, and compacts it.
  static absl::StatusOr<std::unique_ptr<OutboxJournal>> Open(
      const std::string& path, OutboxState& state);

  absl::Status AppendResult(const v1::ProbeResult& result);
  absl::Status AppendAcks(const std::vector<uint64_t>& sequences);
  absl::Status AppendCounters(uint64_t last_sequence, uint64_t dropped);
  // True when dead records dominate a file holding `live` results.
  bool NeedsCompaction(size_t live) const;
  // Replaces the file with one holding only `state` (atomically).
  absl::Status Rewrite(const OutboxState& state);

 private:
  OutboxJournal(std::string path, UniqueFd fd, uint64_t bytes)
      : path_(std::move(path)), fd_(std::move(fd)), bytes_(bytes) {}
  absl::Status Append(char kind, const std::string& payload);

  const std::string path_;
  UniqueFd fd_;
  uint64_t bytes_ = 0;
  uint64_t records_since_compaction_ = 0;
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_LINK_OUTBOX_JOURNAL_H_
