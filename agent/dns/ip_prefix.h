// IPv4/IPv6 addresses and CIDR prefixes for answer checks. Addresses compare
// by their bytes, so "2001:db8::1" and "2001:0db8:0:0::1" are the same.
#ifndef PROPWATCH_AGENT_DNS_IP_PREFIX_H_
#define PROPWATCH_AGENT_DNS_IP_PREFIX_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch::dns {

struct IpAddress {
  bool is_v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

  // Canonical text (inet_ntop).
  std::string ToString() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

// A literal IPv4 or IPv6 address, without brackets, port or zone.
absl::StatusOr<IpAddress> ParseIpAddress(absl::string_view text);

struct IpPrefix {
  IpAddress network;  // host bits cleared
  int length = 0;     // 0..32 for IPv4, 0..128 for IPv6

  // "198.51.100.0/24"; a full-length prefix prints as the bare address.
  std::string ToString() const;
  // Same family and the first `length` bits agree. IPv4-mapped IPv6
  // addresses are IPv6 here: an AAAA answer never matches an IPv4 prefix.
  bool Contains(const IpAddress& address) const;
};

// "ip" (a full-length prefix) or "ip/length". Host bits after the length are
// ignored, as most tools do ("198.51.100.7/24" means 198.51.100.0/24).
absl::StatusOr<IpPrefix> ParseIpPrefix(absl::string_view text);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_IP_PREFIX_H_
