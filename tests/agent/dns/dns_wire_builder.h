// Builds DNS messages byte by byte for parser tables and fake servers,
// including deliberately broken ones (bad pointers, wrong counts).
#ifndef PROPWATCH_TESTS_AGENT_DNS_DNS_WIRE_BUILDER_H_
#define PROPWATCH_TESTS_AGENT_DNS_DNS_WIRE_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace propwatch::dns::testing {

inline constexpr uint16_t kFlagQr = 0x8000;
inline constexpr uint16_t kFlagAa = 0x0400;
inline constexpr uint16_t kFlagTc = 0x0200;
inline constexpr uint16_t kFlagRd = 0x0100;
inline constexpr uint16_t kFlagRa = 0x0080;

class DnsWireBuilder {
 public:
  DnsWireBuilder& Header(uint16_t id, uint16_t flags, uint16_t qdcount,
                         uint16_t ancount, uint16_t nscount, uint16_t arcount);
  // Uncompressed labels of `dotted` ("." is the root) and the zero octet.
  DnsWireBuilder& Name(absl::string_view dotted);
  // One length-prefixed label, no terminator.
  DnsWireBuilder& Label(absl::string_view label);
  DnsWireBuilder& Pointer(uint16_t offset);
  DnsWireBuilder& U8(uint8_t v);
  DnsWireBuilder& U16(uint16_t v);
  DnsWireBuilder& U32(uint32_t v);
  DnsWireBuilder& Bytes(absl::Span<const uint8_t> bytes);
  DnsWireBuilder& Question(absl::string_view name, uint16_t type,
                           uint16_t qclass = 1);
  // Owner name uncompressed, then TYPE CLASS TTL RDLENGTH RDATA.
  DnsWireBuilder& Record(absl::string_view name, uint16_t type, uint32_t ttl,
                         absl::Span<const uint8_t> rdata, uint16_t rclass = 1);
  DnsWireBuilder& A(absl::string_view name, uint32_t ttl, absl::string_view ip);
  DnsWireBuilder& Aaaa(absl::string_view name, uint32_t ttl,
                       absl::string_view ip);
  // CNAME/NS with an uncompressed target.
  DnsWireBuilder& NameRecord(absl::string_view name, uint16_t type,
                             uint32_t ttl, absl::string_view target);

  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Wire form of a name, uncompressed.
std::vector<uint8_t> EncodeName(absl::string_view dotted);

// The start of a reply to `query` (an OPT-less query as BuildDnsQuery makes):
// its ID, RD bit and question echoed, QR added to `flags`, and the record
// counts given; callers append exactly that many records.
DnsWireBuilder ReplyHeaderFor(absl::Span<const uint8_t> query, uint16_t flags,
                              uint8_t rcode, uint16_t ancount = 0,
                              uint16_t nscount = 0, uint16_t arcount = 0);

}  // namespace propwatch::dns::testing

#endif  // PROPWATCH_TESTS_AGENT_DNS_DNS_WIRE_BUILDER_H_
