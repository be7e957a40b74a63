// The rules for single fields that verifications and ad-hoc probes share:
// hostnames, addresses, resolvers, URL parts and expectations. Each returns
// the first problem with `path` (the caller's field path) in it, or
// nullopt; rules that name a target then ask the TargetRules.
//
// Pure.
#ifndef PROPWATCH_SPEC_FIELD_RULES_H_
#define PROPWATCH_SPEC_FIELD_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "propwatch/v1/probe.pb.h"
#include "spec/spec_problem.h"

namespace propwatch::spec {

// A host name agents can resolve and send as Host/SNI: RFC 1123 labels
// (letters, digits and '-', not at either end of a label; '_' too, as in
// service labels like _dmarc) of 1-63 characters, at least two labels, at
// most 253 characters. One trailing dot is accepted: "example.com." names
// the same node as "example.com" (RFC 1034 3.1). Case does not matter.
bool IsValidHostname(absl::string_view hostname);

// The one spelling the coordinator stores and compares: lowercase, without
// the trailing dot (RFC 4343, RFC 1034 3.1). Equals the engine's
// NormalizeHostname (coordinator/engine/url_parts.h); tests/spec checks it.
std::string CanonicalHostname(absl::string_view hostname);

// `hostname` must be valid; then its canonical form must pass
// rules.CheckHostname.
std::optional<SpecProblem> CheckHostname(absl::string_view path,
                                         absl::string_view hostname,
                                         const TargetRules& rules);

// `ip` must be an IPv4 or IPv6 literal; then it must pass
// rules.CheckAddress.
std::optional<SpecProblem> CheckTargetAddress(absl::string_view path,
                                              absl::string_view ip,
                                              const TargetRules& rules);

// System, an address ("ip", "ip:port", "[v6]:port", port 1-65535) or
// authoritative (bootstrap an address, or empty for the system resolvers;
// port 0-65535). Addresses must pass rules.CheckAddress: otherwise a spec
// could make every agent send DNS queries to cloud metadata or loopback
// ports, and REFUSED-versus-timeout would map which ports listen. Problems
// name the subfield ("<path>.address", "<path>.authoritative.bootstrap").
std::optional<SpecProblem> CheckResolver(const v1::ResolverSpec& resolver,
                                         absl::string_view path,
                                         const TargetRules& rules);

// "http" or "https".
std::optional<SpecProblem> CheckScheme(absl::string_view path,
                                       absl::string_view scheme);

// 0 (the scheme's default) or a TCP port.
std::optional<SpecProblem> CheckPort(absl::string_view path, uint64_t port);

// An HTTP request path: starts with '/', no whitespace, no fragment.
std::optional<SpecProblem> CheckUrlPath(absl::string_view path,
                                        absl::string_view url_path);

// addresses_equal are IPs, addresses_within IPs or CIDRs, cname_target a
// valid hostname.
std::optional<SpecProblem> CheckDnsExpectation(absl::string_view path,
                                               const v1::DnsExpectation& dns);

// status_in are HTTP status codes (100-599), body_sha256 is 64 lowercase
// hex digits.
std::optional<SpecProblem> CheckHttpExpectation(
    absl::string_view path, const v1::HttpExpectation& http);

// "<path>[<i>]".
std::string Indexed(absl::string_view path, int i);

}  // namespace propwatch::spec

#endif  // PROPWATCH_SPEC_FIELD_RULES_H_
