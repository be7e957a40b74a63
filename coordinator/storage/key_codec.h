// The one place that knows how propwatch keys are laid out in RocksDB.
//
// A key is a tag byte followed by fields: big-endian fixed-width integers
// (so bytewise order equals numeric order), length-prefixed strings (a u16
// length, so a shorter string never sorts between a longer one's prefixes in
// a way that breaks range scans of a whole verification), and IPs as 16
// bytes (IPv4 mapped into ::ffff:0:0/96). Keys of one verification share a
// prefix, so retention deletes them with one range.
#ifndef PROPWATCH_COORDINATOR_STORAGE_KEY_CODEC_H_
#define PROPWATCH_COORDINATOR_STORAGE_KEY_CODEC_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// Tag bytes: never reuse or renumber a tag, stored data depends on them.
enum class KeyTag : uint8_t {
  kAgent = 0x01,
  kVerification = 0x02,
  kRound = 0x03,
  kResult = 0x04,
  kReport = 0x05,
  kAgentSequence = 0x06,
  kOpenCommand = 0x07,
};

// Probe phases in result keys: DNS results sort before HTTP ones.
enum class Phase : uint8_t { kDns = 1, kHttp = 2 };

// Appends fields to a key. Strings longer than 65535 bytes cannot be encoded;
// callers validate ids long before they reach storage, so AppendString
// truncates defensively and the result is flagged by ok().
class KeyWriter {
 public:
  explicit KeyWriter(KeyTag tag);
  KeyWriter& U8(uint8_t v);
  KeyWriter& U32(uint32_t v);
  KeyWriter& U64(uint64_t v);
  KeyWriter& String(absl::string_view s);
  // REQUIRES: `ip` is an IPv4 or IPv6 literal; otherwise ok() turns false.
  KeyWriter& Ip(absl::string_view ip);
  bool ok() const { return ok_; }
  const std::string& key() const { return key_; }
  std::string Release() { return std::move(key_); }

 private:
  std::string key_;
  bool ok_ = true;
};

// Reads fields back in the order they were written. Every getter fails with
// InvalidArgument on a short or malformed key instead of reading past it.
class KeyReader {
 public:
  explicit KeyReader(absl::string_view key) : rest_(key) {}
  absl::StatusOr<KeyTag> Tag();
  absl::StatusOr<uint8_t> U8();
  absl::StatusOr<uint32_t> U32();
  absl::StatusOr<uint64_t> U64();
  absl::StatusOr<std::string> String();
  // Returns the textual IP ("203.0.113.7" for mapped v4, "2001:db8::1").
  absl::StatusOr<std::string> Ip();
  bool done() const { return rest_.empty(); }

 private:
  absl::StatusOr<absl::string_view> Take(size_t n, absl::string_view what);
  absl::string_view rest_;
};

// Typed keys used by the store.
std::string AgentKey(absl::string_view agent_id);
std::string VerificationKey(absl::string_view verification_id);
std::string RoundKey(absl::string_view verification_id, uint32_t round);
std::string ResultKey(absl::string_view verification_id, uint32_t round,
                      Phase phase, absl::string_view agent_id,
                      uint64_t sequence);
std::string ReportKey(absl::string_view verification_id, uint32_t round);
// Highest durable sequence per agent.
std::string AgentSequenceKey(absl::string_view agent_id);
// A command sent and not yet closed (meta family), by its id.
std::string OpenCommandKey(uint64_t command_id);

// The fields of a result key.
struct ResultKeyFields {
  std::string verification_id;
  uint32_t round = 0;
  Phase phase = Phase::kDns;
  std::string agent_id;
  uint64_t sequence = 0;
};
absl::StatusOr<ResultKeyFields> DecodeResultKey(absl::string_view key);

// [begin, end) covering every key of `tag` for one verification.
struct KeyRange {
  std::string begin;
  std::string end;
};
KeyRange VerificationPrefixRange(KeyTag tag, absl::string_view verification_id);

// The smallest key greater than every key starting with `prefix`.
std::string PrefixSuccessor(absl::string_view prefix);

// Lowercase hex, for showing keys as evidence to people.
std::string KeyToHex(absl::string_view key);
absl::StatusOr<std::string> KeyFromHex(absl::string_view hex);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_STORAGE_KEY_CODEC_H_
