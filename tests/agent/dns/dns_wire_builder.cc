#include "tests/agent/dns/dns_wire_builder.h"

#include <arpa/inet.h>

#include "absl/strings/str_split.h"

namespace propwatch::dns::testing {

std::vector<uint8_t> EncodeName(absl::string_view dotted) {
  std::vector<uint8_t> out;
  if (dotted != "." && !dotted.empty()) {
    for (absl::string_view label : absl::StrSplit(dotted, '.')) {
      if (label.empty()) continue;
      out.push_back(static_cast<uint8_t>(label.size()));
      out.insert(out.end(), label.begin(), label.end());
    }
  }
  out.push_back(0);
  return out;
}

DnsWireBuilder& DnsWireBuilder::Header(uint16_t id, uint16_t flags,
                                       uint16_t qdcount, uint16_t ancount,
                                       uint16_t nscount, uint16_t arcount) {
  return U16(id).U16(flags).U16(qdcount).U16(ancount).U16(nscount).U16(arcount);
}

DnsWireBuilder& DnsWireBuilder::Name(absl::string_view dotted) {
  const std::vector<uint8_t> name = EncodeName(dotted);
  return Bytes(name);
}

DnsWireBuilder& DnsWireBuilder::Label(absl::string_view label) {
  U8(static_cast<uint8_t>(label.size()));
  bytes_.insert(bytes_.end(), label.begin(), label.end());
  return *this;
}

DnsWireBuilder& DnsWireBuilder::Pointer(uint16_t offset) {
  return U16(static_cast<uint16_t>(0xC000 | offset));
}

DnsWireBuilder& DnsWireBuilder::U8(uint8_t v) {
  bytes_.push_back(v);
  return *this;
}

DnsWireBuilder& DnsWireBuilder::U16(uint16_t v) {
  bytes_.push_back(static_cast<uint8_t>(v >> 8));
  bytes_.push_back(static_cast<uint8_t>(v));
  return *this;
}

DnsWireBuilder& DnsWireBuilder::U32(uint32_t v) {
  return U16(static_cast<uint16_t>(v >> 16)).U16(static_cast<uint16_t>(v));
}

DnsWireBuilder& DnsWireBuilder::Bytes(absl::Span<const uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return *this;
}

DnsWireBuilder& DnsWireBuilder::Question(absl::string_view name, uint16_t type,
                                         uint16_t qclass) {
  return Name(name).U16(type).U16(qclass);
}

DnsWireBuilder& DnsWireBuilder::Record(absl::string_view name, uint16_t type,
                                       uint32_t ttl,
                                       absl::Span<const uint8_t> rdata,
                                       uint16_t rclass) {
  return Name(name)
      .U16(type)
      .U16(rclass)
      .U32(ttl)
      .U16(static_cast<uint16_t>(rdata.size()))
      .Bytes(rdata);
}

DnsWireBuilder& DnsWireBuilder::A(absl::string_view name, uint32_t ttl,
                                  absl::string_view ip) {
  uint8_t addr[4] = {};
  inet_pton(AF_INET, std::string(ip).c_str(), addr);
  return Record(name, 1, ttl, addr);
}

DnsWireBuilder& DnsWireBuilder::Aaaa(absl::string_view name, uint32_t ttl,
                                     absl::string_view ip) {
  uint8_t addr[16] = {};
  inet_pton(AF_INET6, std::string(ip).c_str(), addr);
  return Record(name, 28, ttl, addr);
}

DnsWireBuilder& DnsWireBuilder::NameRecord(absl::string_view name,
                                           uint16_t type, uint32_t ttl,
                                           absl::string_view target) {
  return Record(name, type, ttl, EncodeName(target));
}

DnsWireBuilder ReplyHeaderFor(absl::Span<const uint8_t> query, uint16_t flags,
                              uint8_t rcode, uint16_t ancount, uint16_t nscount,
                              uint16_t arcount) {
  DnsWireBuilder reply;
  const uint16_t id =
      query.size() >= 2 ? static_cast<uint16_t>(query[0] << 8 | query[1]) : 0;
  const uint16_t rd = query.size() >= 3 ? (query[2] & 0x01) << 8 : 0;
  reply.Header(id, static_cast<uint16_t>(kFlagQr | flags | rd | rcode), 1,
               ancount, nscount, arcount);
  // The question runs from byte 12 to the end of an OPT-less query.
  if (query.size() > 12) reply.Bytes(query.subspan(12));
  return reply;
}

}  // namespace propwatch::dns::testing
