#include "coordinator/verify/target_policy.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace propwatch {

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
  std::string text(ip);
  in6_addr v6;
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) != 1 &&
      inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", ip, "' is not an IPv4 or IPv6 address"));
  }
  if (allow_private_ || !IsNonGlobalAddress(ip)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "address ", ip,
      " is private, loopback or link-local; the coordinator refuses to send "
      "agents there unless started with --allow-private-targets"));
}

bool IsNonGlobalAddress(absl::string_view ip) {
  std::string text(ip);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    auto in = [a](uint32_t net, int bits) {
      return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits));
    };
    return in(0x00000000, 8) ||   // "this" network
           in(0x0a000000, 8) ||   // 10/8
           in(0x64400000, 10) ||  // 100.64/10 CGNAT
           in(0x7f000000, 8) ||   // loopback
           in(0xa9fe0000, 16) ||  // link-local
           in(0xac100000, 12) ||  // 172.16/12
           in(0xc0a80000, 16) ||  // 192.168/16
           in(0xe0000000, 4) ||   // multicast
           in(0xf0000000, 4);     // reserved, broadcast
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return true;
  const uint8_t* b = v6.s6_addr;
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) {
    return true;  // :: and ::1
  }
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7
  if (b[0] == 0xff) return true;                           // multicast
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0) {
    char v4text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, b + 12, v4text, sizeof(v4text));
    return IsNonGlobalAddress(v4text);
  }
  return false;
}

}  // namespace propwatch
