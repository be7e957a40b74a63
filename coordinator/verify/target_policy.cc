#include "coordinator/verify/target_policy.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace propwatch {
namespace {

// IANA IPv4 Special-Purpose Address Registry (RFC 6890) entries that are
// not globally reachable, plus multicast (RFC 5771). Ordered so that the
// more specific 255.255.255.255/32 is found before 240.0.0.0/4.
struct Range4 {
  uint32_t network;
  int bits;
  const char* prefix;
  const char* description;
};
constexpr Range4 kRanges4[] = {
    {0x00000000, 8, "0.0.0.0/8", "the \"this network\" block (RFC 791)"},
    {0x0a000000, 8, "10.0.0.0/8", "private (RFC 1918)"},
    {0x64400000, 10, "100.64.0.0/10", "shared CGNAT space (RFC 6598)"},
    {0x7f000000, 8, "127.0.0.0/8", "loopback"},
    {0xa9fe0000, 16, "169.254.0.0/16", "link-local (cloud metadata)"},
    {0xac100000, 12, "172.16.0.0/12", "private (RFC 1918)"},
    {0xc0000000, 24, "192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
    {0xc0000200, 24, "192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"},
    {0xc0586300, 24, "192.88.99.0/24",
     "the deprecated 6to4 relay anycast (RFC 7526)"},
    {0xc0a80000, 16, "192.168.0.0/16", "private (RFC 1918)"},
    {0xc6120000, 15, "198.18.0.0/15", "benchmarking (RFC 2544)"},
    {0xc6336400, 24, "198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"},
    {0xcb007100, 24, "203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"},
    {0xe0000000, 4, "224.0.0.0/4", "multicast"},
    {0xffffffff, 32, "255.255.255.255/32", "limited broadcast"},
    {0xf0000000, 4, "240.0.0.0/4", "reserved (RFC 1112)"},
};

// How an IPv6 range relates to IPv4.
enum class Embeds {
  kNothing,     // refused as a whole
  kLast32Bits,  // judged by the IPv4 address in bits 96-127
  kBits16To47,  // 6to4: judged by the IPv4 address in bits 16-47
};

struct Range6 {
  const char* network;
  int bits;
  const char* prefix;
  const char* description;
  Embeds embeds;
};
// IANA IPv6 Special-Purpose Address Registry entries that are not globally
// reachable, ranges that carry IPv4 (judged by that IPv4 address), and
// everything outside global unicast 2000::/3 (RFC 4291 2.4), checked last.
constexpr Range6 kRanges6[] = {
    {"::", 128, "::/128", "the unspecified address", Embeds::kNothing},
    {"::1", 128, "::1/128", "loopback", Embeds::kNothing},
    {"::ffff:0:0", 96, "::ffff:0:0/96", "IPv4-mapped (RFC 4291 2.5.5.2)",
     Embeds::kLast32Bits},
    {"::", 96, "::/96", "IPv4-compatible (deprecated, RFC 4291 2.5.5.1)",
     Embeds::kNothing},
    {"64:ff9b::", 96, "64:ff9b::/96", "NAT64 well-known prefix (RFC 6052)",
     Embeds::kLast32Bits},
    {"64:ff9b:1::", 48, "64:ff9b:1::/48", "local-use NAT64 (RFC 8215)",
     Embeds::kNothing},
    {"100::", 64, "100::/64", "discard-only (RFC 6666)", Embeds::kNothing},
    {"2001::", 32, "2001::/32", "Teredo (RFC 4380)", Embeds::kNothing},
    {"2001:2::", 48, "2001:2::/48", "benchmarking (RFC 5180)",
     Embeds::kNothing},
    {"2001:10::", 28, "2001:10::/28", "deprecated ORCHID (RFC 4843)",
     Embeds::kNothing},
    {"2001:db8::", 32, "2001:db8::/32", "documentation (RFC 3849)",
     Embeds::kNothing},
    {"2002::", 16, "2002::/16", "6to4 (RFC 3056)", Embeds::kBits16To47},
    {"3fff::", 20, "3fff::/20", "documentation (RFC 9637)", Embeds::kNothing},
    {"5f00::", 16, "5f00::/16", "SRv6 SIDs (RFC 9602)", Embeds::kNothing},
    {"fc00::", 7, "fc00::/7", "unique-local (RFC 4193)", Embeds::kNothing},
    {"fe80::", 10, "fe80::/10", "link-local", Embeds::kNothing},
    {"fec0::", 10, "fec0::/10", "deprecated site-local (RFC 3879)",
     Embeds::kNothing},
    {"ff00::", 8, "ff00::/8", "multicast", Embeds::kNothing},
};

bool InPrefix6(const uint8_t* address, const uint8_t* network, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(address, network, whole) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (address[whole] & mask) == (network[whole] & mask);
}

std::optional<NonGlobalRange> FindRange4(uint32_t a) {
  for (const Range4& r : kRanges4) {
    if ((a >> (32 - r.bits)) == (r.network >> (32 - r.bits))) {
      return NonGlobalRange{r.prefix, r.description};
    }
  }
  return std::nullopt;
}

uint32_t ReadU32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
         (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

std::string FormatIpv4(uint32_t a) {
  return absl::StrCat(a >> 24, ".", (a >> 16) & 0xff, ".", (a >> 8) & 0xff, ".",
                      a & 0xff);
}

std::optional<NonGlobalRange> FindRange6(const uint8_t* b) {
  for (const Range6& r : kRanges6) {
    in6_addr network;
    inet_pton(AF_INET6, r.network, &network);  // constant text, always valid
    if (!InPrefix6(b, network.s6_addr, r.bits)) continue;
    if (r.embeds == Embeds::kNothing) {
      return NonGlobalRange{r.prefix, r.description};
    }
    const uint32_t v4 =
        ReadU32(r.embeds == Embeds::kLast32Bits ? b + 12 : b + 2);
    std::optional<NonGlobalRange> inner = FindRange4(v4);
    if (!inner.has_value()) return std::nullopt;
    return NonGlobalRange{inner->prefix,
                          absl::StrCat(r.description, " for ", FormatIpv4(v4),
                                       ", which is ", inner->description)};
  }
  if ((b[0] & 0xe0) != 0x20) {
    return NonGlobalRange{"2000::/3",
                          "outside IPv6 global unicast (RFC 4291 2.4)"};
  }
  return std::nullopt;
}

}  // namespace

TargetPolicy::TargetPolicy(std::vector<std::string> hostname_patterns,
                           bool allow_private_addresses)
    : allow_private_(allow_private_addresses) {
  for (std::string& p : hostname_patterns) {
    patterns_.push_back(absl::AsciiStrToLower(p));
  }
}

absl::Status TargetPolicy::CheckHostname(absl::string_view hostname) const {
  if (patterns_.empty()) return absl::OkStatus();
  const std::string host = absl::AsciiStrToLower(hostname);
  for (const std::string& p : patterns_) {
    if (absl::StartsWith(p, "*.")) {
      if (absl::EndsWith(host, p.substr(1)) && host.size() > p.size() - 1) {
        return absl::OkStatus();
      }
    } else if (host == p) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "hostname '", hostname,
      "' is not in the coordinator's target allowlist (",
      absl::StrJoin(patterns_, ", "), "); add it with --allow-target"));
}

absl::Status TargetPolicy::CheckAddress(absl::string_view ip) const {
  const std::string text(ip);
  in6_addr v6;
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) != 1 &&
      inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", ip, "' is not an IPv4 or IPv6 address"));
  }
  if (allow_private_) return absl::OkStatus();
  std::optional<NonGlobalRange> range = FindNonGlobalRange(ip);
  if (!range.has_value()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(ip, " is ", range->description, " in ", range->prefix,
                   "; refused unless the coordinator runs with "
                   "--allow-private-targets"));
}

std::optional<NonGlobalRange> FindNonGlobalRange(absl::string_view ip) {
  const std::string text(ip);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return FindRange4(ntohl(v4.s_addr));
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return FindRange6(v6.s6_addr);
  }
  return std::nullopt;
}

bool IsNonGlobalAddress(absl::string_view ip) {
  const std::string text(ip);
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, text.c_str(), &v4) != 1 &&
      inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
    return true;
  }
  return FindNonGlobalRange(ip).has_value();
}

}  // namespace propwatch
