// `propwatch-agent probe`: the probe engine as a command-line tool, like
// dig plus curl --connect-to for every IP at once.
#ifndef PROPWATCH_AGENT_PROBE_TOOL_ADHOC_PROBE_H_
#define PROPWATCH_AGENT_PROBE_TOOL_ADHOC_PROBE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "propwatch/v1/agent.pb.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// The probe subcommand's flags, as given.
struct AdHocProbeFlags {
  // DNS: hostname, "A,AAAA" style types, "system" | "ip[:port]" |
  // "authoritative".
  std::string dns_host;
  std::vector<std::string> types;
  std::string resolver = "system";
  // Authoritative mode: resolver that finds the NS set, and the NS port.
  std::string bootstrap;
  uint32_t ns_port = 0;
  std::vector<std::string> expect_addresses;
  std::vector<std::string> expect_within;
  std::string expect_cname;
  std::string expect_rcode;

  // HTTP: URL and the IPs to pin it to, one request per IP.
  std::string http_url;
  std::vector<std::string> pins;
  std::string method;
  std::vector<std::string> headers;
  std::vector<std::string> record_headers;
  bool insecure = false;
  std::string ca_bundle;
  uint64_t body_cap_bytes = 0;
  bool follow_redirects = false;
  std::vector<uint32_t> expect_status;
  // "Name=regex".
  std::vector<std::string> expect_headers;
  std::string expect_body_regex;
  std::string expect_body_sha256;
  uint32_t expect_tls_days = 0;

  // Per-probe deadline.
  absl::Duration timeout = absl::Seconds(5);
};

// Turns the flags into one ProbeCommand. InvalidArgument names the flag to
// fix. Spec-level checks (hostname syntax, CIDRs, regexes) happen when the
// engines start the probes.
absl::StatusOr<v1::ProbeCommand> BuildAdHocCommand(
    const AdHocProbeFlags& flags);

// True when the result is an error (other than NODATA) or failed an
// expectation.
bool ResultFailed(const v1::ProbeResult& result);

// Runs `command` on a fresh event loop and returns every result.
// InvalidArgument when the engines refuse a spec (bad hostname, CIDR, regex).
// `system_resolvers` are "ip[:port]"; empty means /etc/resolv.conf.
absl::StatusOr<v1::ProbeRun> RunAdHocCommand(
    const v1::ProbeCommand& command,
    const std::vector<std::string>& system_resolvers);

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_PROBE_TOOL_ADHOC_PROBE_H_
