// A small, strict RFC 1035 message parser: pure code, no I/O, no allocation
// beyond the returned message. It decodes the header, the question section
// and every resource record, with rdata in presentation form for the types a
// probe reports (A, AAAA, CNAME, NS, SOA) and in the RFC 3597 generic form
// ("\# <length> <hex>") for everything else.
//
// Every input is treated as hostile: the parser never reads past the buffer,
// never follows a compression pointer forwards or into a loop, and bounds the
// bytes and records it will look at (DnsParseLimits).
#ifndef PROPWATCH_AGENT_DNS_DNS_MESSAGE_H_
#define PROPWATCH_AGENT_DNS_DNS_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace propwatch::dns {

// RFC 1035 section 3.2.2 / RFC 3596 section 2.1 TYPE values used here.
inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeNs = 2;
inline constexpr uint16_t kTypeCname = 5;
inline constexpr uint16_t kTypeSoa = 6;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kTypeOpt = 41;  // RFC 6891 section 6.1.1
inline constexpr uint16_t kClassIn = 1;

// RFC 1035 section 4.1.1 (RCODE) and RFC 6895 section 2.3.
inline constexpr int kRcodeNoError = 0;
inline constexpr int kRcodeFormErr = 1;
inline constexpr int kRcodeServFail = 2;
inline constexpr int kRcodeNxDomain = 3;
inline constexpr int kRcodeNotImp = 4;
inline constexpr int kRcodeRefused = 5;

// RFC 1035 section 4.1.1.
struct DnsHeader {
  uint16_t id = 0;
  bool qr = false;  // response
  uint8_t opcode = 0;
  bool aa = false;    // authoritative answer
  bool tc = false;    // truncated
  bool rd = false;    // recursion desired
  bool ra = false;    // recursion available
  uint8_t rcode = 0;  // the 4 header bits only; see DnsMessage::rcode
  uint16_t qdcount = 0;
  uint16_t ancount = 0;
  uint16_t nscount = 0;
  uint16_t arcount = 0;
};

// RFC 1035 section 4.1.2.
struct DnsQuestion {
  std::string name;  // presentation form, no trailing dot; "." for the root
  uint16_t type = 0;
  uint16_t qclass = 0;
};

// RFC 1035 section 4.1.3.
struct DnsRecord {
  std::string name;
  uint16_t type = 0;
  uint16_t rclass = 0;
  // Seconds. Values with the top bit set read as 0 (RFC 2181 section 8),
  // except in OPT records, where the field holds the extended RCODE, the
  // EDNS version and flags and is kept as sent (RFC 6891 section 6.1.3).
  uint32_t ttl = 0;
  // A/AAAA: the address; CNAME/NS: the target name; SOA: "mname rname
  // serial"; anything else: "\# <length> <lowercase hex>" (RFC 3597 sec. 5).
  std::string data;
};

struct DnsMessage {
  DnsHeader header;
  // Full response code: the header bits extended by an OPT record's upper
  // eight bits when one is present (RFC 6891 section 6.1.3).
  int rcode = 0;
  std::vector<DnsQuestion> questions;
  std::vector<DnsRecord> answers;
  std::vector<DnsRecord> authority;
  std::vector<DnsRecord> additional;
};

struct DnsParseLimits {
  // Replies longer than this are rejected unread. 65535 is the most a DNS
  // message can be over TCP (RFC 1035 section 4.2.2).
  size_t max_message_bytes = 65535;
  // Questions plus records over all sections; bounds time and memory for a
  // reply that claims (or holds) thousands of tiny records.
  size_t max_records = 512;
};

// Parses one complete DNS message. Errors are InvalidArgument (malformed:
// truncated data, bad label, pointer loop, counts that do not match the
// bytes, trailing bytes) or ResourceExhausted (over a limit), each with a
// message naming the section and byte offset.
absl::StatusOr<DnsMessage> ParseDnsMessage(absl::Span<const uint8_t> wire,
                                           const DnsParseLimits& limits = {});

// "NOERROR", "NXDOMAIN", ... (RFC 6895 section 2.3); "RCODE<n>" otherwise.
std::string RcodeName(int rcode);
// The inverse of RcodeName for the names it produces; -1 when unknown.
// Case-insensitive.
int RcodeFromName(absl::string_view name);

// "A", "AAAA", "CNAME", "NS", "SOA", "OPT"; "TYPE<n>" otherwise (RFC 3597).
std::string TypeName(uint16_t type);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_DNS_MESSAGE_H_
