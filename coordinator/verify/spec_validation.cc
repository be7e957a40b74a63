#include "coordinator/verify/spec_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/host_port.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// A resolver named by address ("ip", "ip:port", "[v6]:port") must be an IP
// literal that passes the same address policy as HTTP targets: otherwise a
// spec could make every agent send DNS queries to cloud metadata or to
// loopback ports, and REFUSED-versus-timeout would map which ports listen.
absl::Status CheckResolverAddress(absl::string_view field,
                                  absl::string_view address,
                                  const TargetPolicy& policy) {
  absl::StatusOr<HostPort> parsed = ParseHostPort(address, 53);
  if (!parsed.ok()) return Invalid(field, parsed.status().message());
  if (!IsIpLiteral(parsed->host) || parsed->port == 0) {
    return Invalid(field, absl::StrCat("'", address,
                                       "' is not ip[:port] ([v6]:port for "
                                       "IPv6) with a port from 1 to 65535"));
  }
  absl::Status s = policy.CheckAddress(parsed->host);
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(field, ": ", s.message()));
}

}  // namespace

bool IsValidHostname(absl::string_view hostname) {
  if (hostname.empty() || hostname.size() > 253) return false;
  std::vector<absl::string_view> labels = absl::StrSplit(hostname, '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
          c != '_') {
        return false;
      }
    }
  }
  return true;
}

absl::Status CheckResolver(const v1::ResolverSpec& resolver,
                           absl::string_view field,
                           const TargetPolicy& policy) {
  switch (resolver.kind_case()) {
    case v1::ResolverSpec::KIND_NOT_SET:
      return Invalid(field,
                     "each resolver must be system, address or authoritative");
    case v1::ResolverSpec::kAddress:
      return CheckResolverAddress(absl::StrCat(field, ".address"),
                                  resolver.address(), policy);
    case v1::ResolverSpec::kAuthoritative:
      if (resolver.authoritative().bootstrap().empty()) break;
      return CheckResolverAddress(
          absl::StrCat(field, ".authoritative.bootstrap"),
          resolver.authoritative().bootstrap(), policy);
    case v1::ResolverSpec::kSystem:
      break;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::CreateVerificationRequest> ValidateVerificationRequest(
    const v1::CreateVerificationRequest& request, const TargetPolicy& policy) {
  v1::CreateVerificationRequest out = request;
  v1::VerificationSpec& spec = *out.mutable_spec();

  if (spec.hostnames().empty()) {
    return Invalid("spec.hostnames", "give at least one hostname to verify");
  }
  if (spec.hostnames_size() > 20) {
    return Invalid("spec.hostnames", "at most 20 hostnames per verification");
  }
  for (std::string& h : *spec.mutable_hostnames()) {
    absl::string_view raw = h;
    absl::ConsumeSuffix(&raw, ".");
    h = absl::AsciiStrToLower(raw);
    if (!IsValidHostname(h)) {
      return Invalid("spec.hostnames",
                     absl::StrCat("'", h, "' is not a valid hostname"));
    }
    if (absl::Status s = policy.CheckHostname(h); !s.ok()) return s;
  }
  if (spec.record_types().empty()) {
    spec.add_record_types(v1::RECORD_TYPE_A);
    spec.add_record_types(v1::RECORD_TYPE_AAAA);
    spec.add_record_types(v1::RECORD_TYPE_CNAME);
  }
  if (spec.resolvers().empty()) spec.add_resolvers()->mutable_system();
  for (int i = 0; i < spec.resolvers_size(); ++i) {
    const v1::ResolverSpec& r = spec.resolvers(i);
    if (r.kind_case() == v1::ResolverSpec::KIND_NOT_SET) {
      return Invalid("spec.resolvers",
                     "each resolver must be system, address or authoritative");
    }
    absl::Status s =
        CheckResolver(r, absl::StrCat("spec.resolvers[", i, "]"), policy);
    if (!s.ok()) return s;
  }
  if (spec.scheme().empty()) spec.set_scheme("https");
  if (spec.scheme() != "https" && spec.scheme() != "http") {
    return Invalid("spec.scheme",
                   absl::StrCat("'", spec.scheme(), "' is not http or https"));
  }
  if (spec.port() > 65535) return Invalid("spec.port", "must be 1-65535");
  if (spec.paths().empty()) *spec.add_paths() = std::string(1, '/');
  if (spec.paths_size() > 50) return Invalid("spec.paths", "at most 50 paths");
  for (const std::string& p : spec.paths()) {
    if (p.empty() || p[0] != '/' ||
        p.find_first_of(" \t\r\n#") != std::string::npos) {
      return Invalid("spec.paths",
                     absl::StrCat("'", p,
                                  "' must start with / and contain no "
                                  "spaces or fragment"));
    }
  }
  if (spec.pin_mode() == v1::PIN_MODE_EXPLICIT) {
    if (spec.explicit_ips().empty()) {
      return Invalid("spec.explicit_ips", "PIN_MODE_EXPLICIT needs the IPs");
    }
  } else if (!spec.explicit_ips().empty()) {
    return Invalid("spec.explicit_ips", "only used with PIN_MODE_EXPLICIT");
  }
  for (const std::string& ip : spec.explicit_ips()) {
    absl::Status s = policy.CheckAddress(ip);
    if (s.code() == absl::StatusCode::kInvalidArgument) {
      return Invalid("spec.explicit_ips", s.message());
    }
    if (!s.ok()) return s;
  }

  v1::Schedule& schedule = *out.mutable_schedule();
  const absl::Duration interval =
      schedule.has_round_interval()
          ? FromProtoDuration(schedule.round_interval())
          : absl::Seconds(10);
  const absl::Duration deadline = schedule.has_deadline()
                                      ? FromProtoDuration(schedule.deadline())
                                      : absl::Minutes(10);
  if (interval < absl::Seconds(1) || interval > absl::Hours(1)) {
    return Invalid("schedule.round_interval", "must be between 1 s and 1 h");
  }
  if (deadline < interval) {
    return Invalid("schedule.deadline",
                   absl::StrCat("deadline ", absl::FormatDuration(deadline),
                                " is shorter than the round interval ",
                                absl::FormatDuration(interval)));
  }
  if (deadline > absl::Hours(24 * 7)) {
    return Invalid("schedule.deadline", "at most 7 days");
  }
  if (schedule.stable_rounds() == 0) schedule.set_stable_rounds(2);
  if (schedule.stable_rounds() > 100) {
    return Invalid("schedule.stable_rounds", "at most 100");
  }
  const absl::Duration phase = schedule.has_phase_timeout()
                                   ? FromProtoDuration(schedule.phase_timeout())
                                   : interval / 2;
  if (phase < absl::Milliseconds(200) || phase > interval) {
    return Invalid("schedule.phase_timeout",
                   "must be between 200 ms and the round interval");
  }
  *schedule.mutable_round_interval() = ToProtoDuration(interval);
  *schedule.mutable_deadline() = ToProtoDuration(deadline);
  *schedule.mutable_phase_timeout() = ToProtoDuration(phase);

  for (const std::string& region : out.selector().regions()) {
    if (region.empty()) return Invalid("selector.regions", "empty region name");
  }
  if (out.selector().min_agents_per_region() > 1000) {
    return Invalid("selector.min_agents_per_region", "at most 1000");
  }
  return out;
}

}  // namespace propwatch
