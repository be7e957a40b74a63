// Which targets agents may be sent to probe.
//
// A coordinator credential lets its holder make every agent send requests.
// The policy keeps that from becoming a scanner of internal networks:
// hostnames must match an allowlist pattern (when one is configured), and
// addresses in the IANA special-purpose ranges (private, loopback,
// link-local and cloud metadata, CGNAT, documentation, benchmarking,
// multicast, reserved, and IPv6 ranges that embed or tunnel to those) are
// refused unless the operator allows them with --allow-private-targets (labs
// and tests on loopback or documentation addresses do). The same check
// applies to HTTP targets and to the resolvers a spec names.
//
// Pure; thread-safe for concurrent reads.
#ifndef PROPWATCH_COORDINATOR_VERIFY_TARGET_POLICY_H_
#define PROPWATCH_COORDINATOR_VERIFY_TARGET_POLICY_H_

#include <optional>
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
  // PermissionDenied for a non-global address unless allowed, naming the
  // address, the range it falls in and --allow-private-targets;
  // InvalidArgument when `ip` is not an IP literal (no port, brackets or
  // zone).
  absl::Status CheckAddress(absl::string_view ip) const;

 private:
  std::vector<std::string> patterns_;
  bool allow_private_;
};

// The special-purpose range an address falls in.
struct NonGlobalRange {
  // The IANA prefix, e.g. "169.254.0.0/16". For an IPv4 address embedded in
  // IPv6 (IPv4-mapped, 6to4, NAT64 well-known prefix) the IPv4 range the
  // embedded address falls in.
  std::string prefix;
  // What the range is, e.g. "link-local (cloud metadata)"; for embeddings
  // it names the embedding and the embedded address too.
  std::string description;
};

// The range that makes `ip` non-global, or nullopt for a globally routable
// address (or text that is not an IP literal; see IsNonGlobalAddress).
// Covers the IANA IPv4 and IPv6 special-purpose registries (RFC 6890) that
// are not globally reachable, IPv4 multicast and reserved space, and IPv6
// outside global unicast 2000::/3. IPv4-mapped, 6to4 and NAT64 well-known
// prefix addresses are judged by the IPv4 address they embed (RFC 6052 3.1
// forbids non-global IPv4 behind 64:ff9b::/96, but a translator may still
// reach it); IPv4-compatible, Teredo and local-use NAT64 are refused whole.
std::optional<NonGlobalRange> FindNonGlobalRange(absl::string_view ip);

// True for addresses in a range FindNonGlobalRange reports, and for text
// that is not an IP literal.
bool IsNonGlobalAddress(absl::string_view ip);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_TARGET_POLICY_H_
