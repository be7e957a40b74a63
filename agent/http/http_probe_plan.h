// A validated HttpProbeSpec with every default applied: what a transfer needs
// and nothing it must re-check.
#ifndef PROPWATCH_AGENT_HTTP_HTTP_PROBE_PLAN_H_
#define PROPWATCH_AGENT_HTTP_HTTP_PROBE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// Upper bounds the agent enforces whatever a spec asks for.
struct HttpProbeLimits {
  absl::Duration max_total_timeout = absl::Minutes(5);
  // Largest body_cap_bytes a spec may ask for.
  uint64_t max_body_cap_bytes = 64ull << 20;
  // Body bytes kept in memory for body_regex; the regex sees at most these.
  uint64_t max_regex_body_bytes = 1ull << 20;
  // Total bytes of response header lines per response.
  uint64_t max_header_bytes = 64 << 10;
};

inline constexpr absl::Duration kDefaultConnectTimeout = absl::Seconds(5);
inline constexpr absl::Duration kDefaultTotalTimeout = absl::Seconds(10);
inline constexpr uint64_t kDefaultBodyCapBytes = 1ull << 20;
// Followed redirects at most, with REDIRECT_POLICY_FOLLOW_SAME_HOST.
inline constexpr int kMaxRedirects = 5;

struct HttpProbePlan {
  v1::HttpProbeSpec spec;  // as given, for the result's echo fields
  std::string url;
  std::string scheme;     // "http" or "https"
  std::string host;       // URL host, IPv6 without brackets
  uint16_t url_port = 0;  // explicit or the scheme's default
  std::string pinned_ip;  // canonical text form (inet_ntop)
  bool pinned_ipv6 = false;
  uint16_t dial_port = 0;
  std::string method;  // "GET" when the spec leaves it empty
  absl::Duration connect_timeout;
  absl::Duration total_timeout;
  uint64_t body_cap = 0;
  uint64_t keep_body_bytes = 0;  // > 0 only when body_regex is set
  uint64_t max_header_bytes = 0;
  // Lowercase names to record: record_headers plus header_matches keys.
  std::vector<std::string> capture_headers;
};

// Validates `spec` and applies defaults. InvalidArgument names the field and
// the offending value: a non-http(s) URL, a pinned_ip that is not an IP
// literal, header lines with CR/LF or a Host header (the URL decides Host),
// a method that is not an RFC 9110 token, timeouts out of range, regexes that
// do not compile, a body_sha256 that is not 64 hex digits, or
// tls_min_days_left on a plain-HTTP URL.
absl::StatusOr<HttpProbePlan> PlanHttpProbe(const v1::HttpProbeSpec& spec,
                                            const HttpProbeLimits& limits);

// The CURLOPT_CONNECT_TO entry pinning every connection of the transfer to
// the plan's IP and port: "::IP:PORT", IPv6 bracketed. The empty host and
// port match whatever libcurl makes of the URL (case, IDN, default port), so
// no spelling difference can send the probe to a resolved address instead.
std::string ConnectToEntry(const HttpProbePlan& plan);

// True when `url` has the plan's scheme, host (case-insensitive) and port:
// the only redirects FOLLOW_SAME_HOST follows.
bool IsSameOrigin(const HttpProbePlan& plan, absl::string_view url);

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_HTTP_PROBE_PLAN_H_
