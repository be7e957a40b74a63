#include "agent/link/outbox_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/base/internal/endian.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace propwatch {
namespace {

// Records carry a CRC-32 of their kind and payload. The upper-case kinds
// are the unchecked records of journals written before checksums; they are
// still read, and the rewrite at Open() turns them into checked ones.
constexpr char kResult = 'r';
constexpr char kAcks = 'k';
constexpr char kCounters = 'c';
constexpr char kOldResult = 'R';
constexpr char kOldAcks = 'K';
constexpr char kOldCounters = 'C';
constexpr size_t kOldHeader = 5;  // kind, u32 length
constexpr size_t kHeader = 9;     // kind, u32 length, u32 crc
// A record larger than this is corruption, not data.
constexpr uint32_t kMaxRecord = 64 << 20;

absl::Status ErrnoStatus(const std::string& what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", strerror(errno),
                   " (check --state-dir exists and is writable)"));
}

std::string U64s(const std::vector<uint64_t>& values) {
  std::string out(values.size() * 8, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    absl::little_endian::Store64(&out[i * 8], values[i]);
  }
  return out;
}

absl::Status WriteAll(int fd, const std::string& data,
                      const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot write outbox journal", path);
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// CRC-32 (IEEE 802.3, reflected), table-driven.
uint32_t Crc32(uint32_t crc, const char* data, size_t size) {
  static const auto* const kTable = [] {
    auto* table = new uint32_t[256];
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return table;
  }();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) {
    crc = kTable[(crc ^ static_cast<uint8_t>(data[i])) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

uint32_t RecordCrc(char kind, absl::string_view payload) {
  return Crc32(Crc32(0, &kind, 1), payload.data(), payload.size());
}

std::string Record(char kind, const std::string& payload) {
  std::string out(kHeader, '\0');
  out[0] = kind;
  absl::little_endian::Store32(&out[1], static_cast<uint32_t>(payload.size()));
  absl::little_endian::Store32(&out[5], RecordCrc(kind, payload));
  out += payload;
  return out;
}

void Replay(const std::string& data, OutboxState& state) {
  uint64_t corrupt_results = 0;
  size_t at = 0;
  while (data.size() - at >= kOldHeader) {
    char kind = data[at];
    const bool checked = kind == kResult || kind == kAcks || kind == kCounters;
    const size_t header = checked ? kHeader : kOldHeader;
    if (data.size() - at < header) break;  // torn header
    const uint32_t length = absl::little_endian::Load32(&data[at + 1]);
    if (length > kMaxRecord || data.size() - at - header < length) break;
    const absl::string_view payload(&data[at + header], length);
    const size_t record_at = at;
    at += header + length;
    if (checked) {
      if (absl::little_endian::Load32(&data[record_at + 5]) !=
          RecordCrc(kind, payload)) {
        // A damaged record is never replayed. Its length was intact (the
        // next record follows it), so only this one is lost: a result is
        // counted as dropped, acks and counters are taken as not written.
        ++state.corrupt;
        if (kind == kResult) ++corrupt_results;
        continue;
      }
    } else {
      kind = kind == kOldResult     ? kResult
             : kind == kOldAcks     ? kAcks
             : kind == kOldCounters ? kCounters
                                    : '\0';
    }
    if (kind == kResult) {
      v1::ProbeResult result;
      if (!result.ParseFromArray(payload.data(),
                                 static_cast<int>(payload.size()))) {
        break;
      }
      state.last_sequence = std::max(state.last_sequence, result.sequence());
      state.pending[result.sequence()] = std::move(result);
    } else if (kind == kAcks && length % 8 == 0) {
      for (size_t i = 0; i < length; i += 8) {
        state.pending.erase(absl::little_endian::Load64(&payload[i]));
      }
    } else if (kind == kCounters && length == 16) {
      state.last_sequence = std::max(state.last_sequence,
                                     absl::little_endian::Load64(&payload[0]));
      state.dropped =
          std::max(state.dropped, absl::little_endian::Load64(&payload[8]));
    } else {
      break;  // unknown or torn: everything after it is unreadable
    }
  }
  // Added once, after the counters records (which hold running maxima).
  state.dropped += corrupt_results;
}

}  // namespace

absl::StatusOr<std::unique_ptr<OutboxJournal>> OutboxJournal::Open(
    const std::string& path, OutboxState& state) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    Replay(buffer.str(), state);
  }
  std::unique_ptr<OutboxJournal> journal(
      new OutboxJournal(path, UniqueFd(), 0));
  if (absl::Status s = journal->Rewrite(state); !s.ok()) return s;
  return journal;
}

absl::Status OutboxJournal::Append(char kind, const std::string& payload) {
  const std::string record = Record(kind, payload);
  if (absl::Status s = WriteAll(fd_.get(), record, path_); !s.ok()) return s;
  bytes_ += record.size();
  ++records_since_compaction_;
  return absl::OkStatus();
}

absl::Status OutboxJournal::AppendResult(const v1::ProbeResult& result) {
  return Append(kResult, result.SerializeAsString());
}

absl::Status OutboxJournal::AppendAcks(const std::vector<uint64_t>& sequences) {
  if (sequences.empty()) return absl::OkStatus();
  return Append(kAcks, U64s(sequences));
}

absl::Status OutboxJournal::AppendCounters(uint64_t last_sequence,
                                           uint64_t dropped) {
  return Append(kCounters, U64s({last_sequence, dropped}));
}

bool OutboxJournal::NeedsCompaction(size_t live) const {
  // Amortized: a rewrite costs O(live results) and happens only after at
  // least four times that many appends.
  return records_since_compaction_ >= 4 * std::max<size_t>(live, 1024);
}

absl::Status OutboxJournal::Rewrite(const OutboxState& state) {
  const std::string tmp = path_ + ".tmp";
  UniqueFd fd(
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus("cannot create outbox journal", tmp);
  std::string data =
      Record(kCounters, U64s({state.last_sequence, state.dropped}));
  for (const auto& [sequence, result] : state.pending) {
    data += Record(kResult, result.SerializeAsString());
  }
  if (absl::Status s = WriteAll(fd.get(), data, tmp); !s.ok()) return s;
  // The rename must never expose a file whose contents are not on disk.
  if (::fsync(fd.get()) != 0) return ErrnoStatus("cannot sync", tmp);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    return ErrnoStatus("cannot replace outbox journal", path_);
  }
  UniqueFd append(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!append.valid()) return ErrnoStatus("cannot open outbox journal", path_);
  fd_ = std::move(append);
  bytes_ = data.size();
  records_since_compaction_ = 0;
  return absl::OkStatus();
}

}  // namespace propwatch
