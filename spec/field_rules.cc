#include "spec/field_rules.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/host_port.h"

namespace propwatch::spec {
namespace {

SpecProblem Problem(absl::string_view path, std::string message) {
  return SpecProblem{std::string(path), std::move(message)};
}

// A TargetRules refusal, reported at `path` with its own code and text.
std::optional<SpecProblem> Refusal(absl::string_view path,
                                   const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  return SpecProblem{std::string(path), std::string(status.message()),
                     status.code()};
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

std::optional<SpecProblem> CheckHostnameSyntax(absl::string_view path,
                                               absl::string_view hostname) {
  if (IsValidHostname(hostname)) return std::nullopt;
  return Problem(path, absl::StrCat("'", hostname,
                                    "' is not a valid hostname (RFC 1123: "
                                    "letters, digits, '-' and '_', two "
                                    "labels or more, e.g. www.example.com)"));
}

// A resolver named by address: "ip", "ip:port" or "[v6]:port".
std::optional<SpecProblem> CheckResolverAddress(absl::string_view path,
                                                absl::string_view address,
                                                const TargetRules& rules) {
  absl::StatusOr<HostPort> parsed = ParseHostPort(address, 53);
  if (!parsed.ok() || parsed->port == 0 || !IsIpLiteral(parsed->host)) {
    return Problem(path, absl::StrCat("'", address,
                                      "' is not ip or ip:port ([v6]:port "
                                      "for IPv6, port 1-65535)"));
  }
  return Refusal(path, rules.CheckAddress(parsed->host));
}

}  // namespace

std::string Indexed(absl::string_view path, int i) {
  return absl::StrCat(path, "[", i, "]");
}

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

std::string CanonicalHostname(absl::string_view hostname) {
  absl::ConsumeSuffix(&hostname, ".");
  return absl::AsciiStrToLower(hostname);
}

std::optional<SpecProblem> CheckHostname(absl::string_view path,
                                         absl::string_view hostname,
                                         const TargetRules& rules) {
  if (auto p = CheckHostnameSyntax(path, hostname)) return p;
  return Refusal(path, rules.CheckHostname(CanonicalHostname(hostname)));
}

std::optional<SpecProblem> CheckTargetAddress(absl::string_view path,
                                              absl::string_view ip,
                                              const TargetRules& rules) {
  if (!IsIpLiteral(ip)) {
    return Problem(path,
                   absl::StrCat("'", ip, "' is not an IPv4 or IPv6 address"));
  }
  return Refusal(path, rules.CheckAddress(ip));
}

std::optional<SpecProblem> CheckResolver(const v1::ResolverSpec& resolver,
                                         absl::string_view path,
                                         const TargetRules& rules) {
  switch (resolver.kind_case()) {
    case v1::ResolverSpec::KIND_NOT_SET:
      return Problem(path, "give one of system, address or authoritative");
    case v1::ResolverSpec::kAddress:
      return CheckResolverAddress(absl::StrCat(path, ".address"),
                                  resolver.address(), rules);
    case v1::ResolverSpec::kAuthoritative: {
      const v1::AuthoritativeResolver& a = resolver.authoritative();
      if (!a.bootstrap().empty()) {
        if (auto p = CheckResolverAddress(
                absl::StrCat(path, ".authoritative.bootstrap"), a.bootstrap(),
                rules)) {
          return p;
        }
      }
      if (a.port() > 65535) {
        return Problem(absl::StrCat(path, ".authoritative.port"),
                       "must be 0-65535");
      }
      return std::nullopt;
    }
    case v1::ResolverSpec::kSystem:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<SpecProblem> CheckScheme(absl::string_view path,
                                       absl::string_view scheme) {
  if (scheme == "http" || scheme == "https") return std::nullopt;
  return Problem(path, absl::StrCat("'", scheme, "' is not http or https"));
}

std::optional<SpecProblem> CheckPort(absl::string_view path, uint64_t port) {
  if (port <= 65535) return std::nullopt;
  return Problem(path, "must be 1-65535");
}

std::optional<SpecProblem> CheckUrlPath(absl::string_view path,
                                        absl::string_view url_path) {
  if (!url_path.empty() && url_path[0] == '/' &&
      url_path.find_first_of(" \t\r\n#") == absl::string_view::npos) {
    return std::nullopt;
  }
  return Problem(path, absl::StrCat("'", url_path,
                                    "' must start with / and contain no "
                                    "spaces or fragment"));
}

std::optional<SpecProblem> CheckDnsExpectation(absl::string_view path,
                                               const v1::DnsExpectation& dns) {
  for (int i = 0; i < dns.addresses_equal_size(); ++i) {
    if (!IsIpLiteral(dns.addresses_equal(i))) {
      return Problem(Indexed(absl::StrCat(path, ".addresses_equal"), i),
                     absl::StrCat("'", dns.addresses_equal(i),
                                  "' is not an IPv4 or IPv6 address"));
    }
  }
  for (int i = 0; i < dns.addresses_within_size(); ++i) {
    if (!IsCidr(dns.addresses_within(i))) {
      return Problem(
          Indexed(absl::StrCat(path, ".addresses_within"), i),
          absl::StrCat("'", dns.addresses_within(i), "' is not an IP or CIDR"));
    }
  }
  if (!dns.cname_target().empty()) {
    return CheckHostnameSyntax(absl::StrCat(path, ".cname_target"),
                               dns.cname_target());
  }
  return std::nullopt;
}

std::optional<SpecProblem> CheckHttpExpectation(
    absl::string_view path, const v1::HttpExpectation& http) {
  for (int i = 0; i < http.status_in_size(); ++i) {
    if (http.status_in(i) < 100 || http.status_in(i) > 599) {
      return Problem(
          Indexed(absl::StrCat(path, ".status_in"), i),
          absl::StrCat(http.status_in(i), " is not an HTTP status (100-599)"));
    }
  }
  if (!http.body_sha256().empty()) {
    const std::string& h = http.body_sha256();
    bool hex = h.size() == 64;
    for (char c : h) {
      hex = hex && (absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                    (c >= 'a' && c <= 'f'));
    }
    if (!hex) {
      return Problem(absl::StrCat(path, ".body_sha256"),
                     "must be 64 lowercase hex digits");
    }
  }
  return std::nullopt;
}

}  // namespace propwatch::spec
