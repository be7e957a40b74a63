// Which targets agents may be sent to probe.
//
// A coordinator credential lets its holder make every agent send requests.
// The policy keeps that from becoming a scanner of internal networks:
// hostnames must match an allowlist pattern (when one is configured), and
// private, loopback, link-local and other non-global addresses are refused
// unless the operator allows them (labs and tests on loopback do).
//
// Pure; thread-safe for concurrent reads.
#ifndef PROPWATCH_COORDINATOR_VERIFY_TARGET_POLICY_H_
#define PROPWATCH_COORDINATOR_VERIFY_TARGET_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace propwatch {

class TargetPolicy {
 public:
  // `hostname_patterns`: "example.com" (exact) or "*.example.com" (any
  // subdomain); empty allows every hostname.
  TargetPolicy(std::vector<std::string> hostname_patterns,
               bool allow_private_addresses);

  // PermissionDenied naming the hostname and the flag that would allow it.
  absl::Status CheckHostname(absl::string_view hostname) const;
  // PermissionDenied for a non-global address unless allowed; InvalidArgument
  // when `ip` is not an IP literal.
  absl::Status CheckAddress(absl::string_view ip) const;

 private:
  std::vector<std::string> patterns_;
  bool allow_private_;
};

// True for addresses that are not globally routable: RFC 1918, loopback,
// link-local, CGNAT, unique-local, unspecified, multicast, documentation
// ranges are considered global (they are used by labs on purpose).
bool IsNonGlobalAddress(absl::string_view ip);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_TARGET_POLICY_H_
