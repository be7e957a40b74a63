#include "cli/spec_check.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/host_port.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

std::string Indexed(absl::string_view path, int i) {
  return absl::StrCat(path, "[", i, "]");
}

SpecProblem Problem(std::string path, std::string message) {
  return SpecProblem{std::move(path), std::move(message)};
}

bool IsCidr(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() == 1) return IsIpLiteral(text);
  int bits = 0;
  if (parts.size() != 2 || !IsIpLiteral(parts[0]) ||
      !absl::SimpleAtoi(parts[1], &bits)) {
    return false;
  }
  const int max_bits = parts[0].find(':') == absl::string_view::npos ? 32 : 128;
  return bits >= 0 && bits <= max_bits;
}

// "ip" or "ip:port" ("[v6]:port").
bool IsResolverAddress(absl::string_view text) {
  auto hp = ParseHostPort(text, 53);
  return hp.ok() && hp->port != 0 && IsIpLiteral(hp->host);
}

std::optional<SpecProblem> CheckSpec(const v1::VerificationSpec& spec) {
  if (spec.hostnames().empty()) {
    return Problem("spec.hostnames", "give at least one hostname to verify");
  }
  for (int i = 0; i < spec.hostnames_size(); ++i) {
    if (!IsValidHostname(spec.hostnames(i))) {
      return Problem(Indexed("spec.hostnames", i),
                     absl::StrCat("'", spec.hostnames(i),
                                  "' is not a valid hostname (RFC 1123: "
                                  "letters, digits and '-', two labels or "
                                  "more, e.g. www.example.com)"));
    }
  }
  for (int i = 0; i < spec.resolvers_size(); ++i) {
    const v1::ResolverSpec& r = spec.resolvers(i);
    const std::string path = Indexed("spec.resolvers", i);
    switch (r.kind_case()) {
      case v1::ResolverSpec::KIND_NOT_SET:
        return Problem(path, "give one of system, address or authoritative");
      case v1::ResolverSpec::kAddress:
        if (!IsResolverAddress(r.address())) {
          return Problem(
              path + ".address",
              absl::StrCat("'", r.address(), "' is not ip or ip:port"));
        }
        break;
      case v1::ResolverSpec::kAuthoritative:
        if (!r.authoritative().bootstrap().empty() &&
            !IsResolverAddress(r.authoritative().bootstrap())) {
          return Problem(path + ".authoritative.bootstrap",
                         absl::StrCat("'", r.authoritative().bootstrap(),
                                      "' is not ip or ip:port"));
        }
        if (r.authoritative().port() > 65535) {
          return Problem(path + ".authoritative.port", "must be 0-65535");
        }
        break;
      case v1::ResolverSpec::kSystem:
        break;
    }
  }
  if (!spec.scheme().empty() && spec.scheme() != "http" &&
      spec.scheme() != "https") {
    return Problem("spec.scheme",
                   absl::StrCat("'", spec.scheme(), "' is not http or https"));
  }
  if (spec.port() > 65535) return Problem("spec.port", "must be 1-65535");
  for (int i = 0; i < spec.paths_size(); ++i) {
    const std::string& p = spec.paths(i);
    if (p.empty() || p[0] != '/' ||
        p.find_first_of(" \t\r\n#") != std::string::npos) {
      return Problem(Indexed("spec.paths", i),
                     absl::StrCat("'", p,
                                  "' must start with / and hold no spaces or "
                                  "fragment"));
    }
  }
  if (spec.pin_mode() == v1::PIN_MODE_EXPLICIT && spec.explicit_ips().empty()) {
    return Problem("spec.explicit_ips",
                   "pin_mode explicit needs the IPs to probe");
  }
  if (spec.pin_mode() != v1::PIN_MODE_EXPLICIT &&
      !spec.explicit_ips().empty()) {
    return Problem("spec.explicit_ips", "only used with pin_mode explicit");
  }
  for (int i = 0; i < spec.explicit_ips_size(); ++i) {
    if (!IsIpLiteral(spec.explicit_ips(i))) {
      return Problem(Indexed("spec.explicit_ips", i),
                     absl::StrCat("'", spec.explicit_ips(i),
                                  "' is not an IPv4 or IPv6 address"));
    }
  }
  const v1::DnsExpectation& dns = spec.dns_expect();
  for (int i = 0; i < dns.addresses_equal_size(); ++i) {
    if (!IsIpLiteral(dns.addresses_equal(i))) {
      return Problem(Indexed("spec.dns_expect.addresses_equal", i),
                     absl::StrCat("'", dns.addresses_equal(i),
                                  "' is not an IPv4 or IPv6 address"));
    }
  }
  for (int i = 0; i < dns.addresses_within_size(); ++i) {
    if (!IsCidr(dns.addresses_within(i))) {
      return Problem(
          Indexed("spec.dns_expect.addresses_within", i),
          absl::StrCat("'", dns.addresses_within(i), "' is not an IP or CIDR"));
    }
  }
  if (!dns.cname_target().empty() && !IsValidHostname(dns.cname_target())) {
    return Problem(
        "spec.dns_expect.cname_target",
        absl::StrCat("'", dns.cname_target(), "' is not a valid hostname"));
  }
  const v1::HttpExpectation& http = spec.http_expect();
  for (int i = 0; i < http.status_in_size(); ++i) {
    if (http.status_in(i) < 100 || http.status_in(i) > 599) {
      return Problem(
          Indexed("spec.http_expect.status_in", i),
          absl::StrCat(http.status_in(i), " is not an HTTP status (100-599)"));
    }
  }
  if (!http.body_sha256().empty()) {
    const std::string& h = http.body_sha256();
    bool hex = h.size() == 64;
    for (char c : h)
      hex = hex && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
    if (!hex) {
      return Problem("spec.http_expect.body_sha256",
                     "must be 64 lowercase hex digits");
    }
  }
  return std::nullopt;
}

std::optional<SpecProblem> CheckSchedule(const v1::Schedule& schedule) {
  const absl::Duration interval =
      schedule.has_round_interval()
          ? FromProtoDuration(schedule.round_interval())
          : absl::Seconds(10);
  if (interval < absl::Seconds(1) || interval > absl::Hours(1)) {
    return Problem("schedule.round_interval", "must be between 1s and 1h");
  }
  if (schedule.has_deadline()) {
    const absl::Duration deadline = FromProtoDuration(schedule.deadline());
    if (deadline < interval) {
      return Problem("schedule.deadline",
                     absl::StrCat("deadline ", absl::FormatDuration(deadline),
                                  " is shorter than the round interval ",
                                  absl::FormatDuration(interval)));
    }
    if (deadline > absl::Hours(24 * 7)) {
      return Problem("schedule.deadline", "at most 7 days (168h)");
    }
  }
  if (schedule.stable_rounds() > 100) {
    return Problem("schedule.stable_rounds", "at most 100");
  }
  if (schedule.has_phase_timeout()) {
    const absl::Duration phase = FromProtoDuration(schedule.phase_timeout());
    if (phase < absl::Milliseconds(200) || phase > interval) {
      return Problem("schedule.phase_timeout",
                     "must be between 200ms and the round interval");
    }
  }
  return std::nullopt;
}

}  // namespace

bool IsValidHostname(absl::string_view hostname) {
  absl::ConsumeSuffix(&hostname, ".");
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

std::optional<SpecProblem> CheckVerificationRequest(
    const v1::CreateVerificationRequest& request) {
  if (auto p = CheckSpec(request.spec())) return p;
  if (auto p = CheckSchedule(request.schedule())) return p;
  for (int i = 0; i < request.selector().regions_size(); ++i) {
    if (request.selector().regions(i).empty()) {
      return Problem(Indexed("selector.regions", i), "empty region name");
    }
  }
  if (request.selector().min_agents_per_region() > 1000) {
    return Problem("selector.min_agents_per_region", "at most 1000");
  }
  return std::nullopt;
}

}  // namespace propwatch
