#include "spec/probe_rules.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "spec/field_rules.h"

namespace propwatch::spec {
namespace {

SpecProblem Problem(std::string path, std::string message) {
  return SpecProblem{std::move(path), std::move(message)};
}

// scheme://host[:port][/path]: the parts a verification's spec gives
// separately (VerificationRunner builds its URLs the same way). The host
// must be a hostname, so no userinfo, brackets or other bytes that URL
// parsers could read differently get past the allowlist.
std::optional<SpecProblem> CheckUrl(absl::string_view path,
                                    absl::string_view url,
                                    const TargetRules& rules) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) {
    return Problem(std::string(path),
                   absl::StrCat("'", url,
                                "' is not an absolute http:// or https:// "
                                "URL"));
  }
  if (auto p = CheckScheme(path, url.substr(0, scheme_end))) return p;
  absl::string_view rest = url.substr(scheme_end + 3);
  const size_t authority_end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, authority_end);
  const absl::string_view url_path = authority_end == absl::string_view::npos
                                         ? absl::string_view("/")
                                         : rest.substr(authority_end);
  absl::string_view host = authority;
  std::optional<absl::string_view> port_text;
  // The last ':' starts the port unless it is inside an IPv6 literal
  // ("[::1]", refused below as not a hostname).
  if (const size_t colon = authority.rfind(':');
      colon != absl::string_view::npos &&
      authority.find(']', colon) == absl::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (auto p = CheckHostname(path, host, rules)) return p;
  if (port_text.has_value()) {
    uint64_t port = 0;
    bool digits = !port_text->empty() && port_text->size() <= 5;
    for (char c : *port_text) {
      digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
    }
    if (!digits || !absl::SimpleAtoi(*port_text, &port) || port == 0 ||
        port > 65535) {
      return Problem(std::string(path),
                     absl::StrCat("port '", *port_text, "' must be 1-65535"));
    }
  }
  return CheckUrlPath(path, url_path);
}

}  // namespace

std::optional<SpecProblem> CheckDnsProbe(const v1::DnsProbeSpec& probe,
                                         absl::string_view path,
                                         const TargetRules& rules) {
  if (auto p = CheckHostname(absl::StrCat(path, ".hostname"), probe.hostname(),
                             rules)) {
    return p;
  }
  if (probe.has_resolver()) {
    if (auto p = CheckResolver(probe.resolver(),
                               absl::StrCat(path, ".resolver"), rules)) {
      return p;
    }
  }
  return CheckDnsExpectation(absl::StrCat(path, ".expect"), probe.expect());
}

std::optional<SpecProblem> CheckHttpProbe(const v1::HttpProbeSpec& probe,
                                          absl::string_view path,
                                          const TargetRules& rules) {
  if (auto p = CheckUrl(absl::StrCat(path, ".url"), probe.url(), rules)) {
    return p;
  }
  const std::string pinned = absl::StrCat(path, ".pinned_ip");
  if (probe.pinned_ip().empty()) {
    return Problem(pinned, "give the IP to connect to");
  }
  if (auto p = CheckTargetAddress(pinned, probe.pinned_ip(), rules)) return p;
  if (auto p = CheckPort(absl::StrCat(path, ".port"), probe.port())) return p;
  // Methods are case-sensitive (RFC 9110 9.1): "get" is not GET.
  if (!probe.method().empty() && probe.method() != "GET" &&
      probe.method() != "HEAD") {
    return Problem(absl::StrCat(path, ".method"),
                   absl::StrCat("'", probe.method(),
                                "' is not allowed; probes send GET (the "
                                "default) or HEAD, as verifications do"));
  }
  if (!probe.headers().empty()) {
    return Problem(Indexed(absl::StrCat(path, ".headers"), 0),
                   "extra request headers are not allowed; probes send "
                   "what verifications send (Host comes from the URL)");
  }
  if (!probe.ca_bundle().empty()) {
    return Problem(absl::StrCat(path, ".ca_bundle"),
                   "not allowed in ad-hoc probes (a file read on the agent); "
                   "verifications use the system CA bundle");
  }
  return CheckHttpExpectation(absl::StrCat(path, ".expect"), probe.expect());
}

std::optional<SpecProblem> FindProblem(const v1::RunProbesRequest& request,
                                       const TargetRules& rules) {
  for (int i = 0; i < request.dns_size(); ++i) {
    if (auto p = CheckDnsProbe(request.dns(i), Indexed("dns", i), rules)) {
      return p;
    }
  }
  for (int i = 0; i < request.http_size(); ++i) {
    if (auto p = CheckHttpProbe(request.http(i), Indexed("http", i), rules)) {
      return p;
    }
  }
  return std::nullopt;
}

}  // namespace propwatch::spec
