#include "agent/probe_tool/adhoc_probe.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/loop/event_loop.h"
#include "agent/runner/probe_runner.h"
#include "common/host_port.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

absl::StatusOr<v1::RecordType> ParseRecordType(absl::string_view text) {
  v1::RecordType type;
  const std::string name =
      absl::StrCat("RECORD_TYPE_", absl::AsciiStrToUpper(text));
  if (text.empty() || !v1::RecordType_Parse(name, &type) ||
      type == v1::RECORD_TYPE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--type '", text, "' is not one of A, AAAA, CNAME, NS, SOA"));
  }
  return type;
}

absl::Status AddDns(const AdHocProbeFlags& flags, v1::ProbeCommand& command) {
  v1::DnsProbeSpec& spec = *command.add_dns();
  spec.set_hostname(flags.dns_host);
  for (const std::string& list : flags.types) {
    for (absl::string_view t : absl::StrSplit(list, ',', absl::SkipEmpty())) {
      auto type = ParseRecordType(t);
      if (!type.ok()) return type.status();
      spec.add_types(*type);
    }
  }
  v1::ResolverSpec& resolver = *spec.mutable_resolver();
  if (flags.resolver == "system") {
    resolver.mutable_system();
  } else if (flags.resolver == "authoritative") {
    resolver.mutable_authoritative()->set_bootstrap(flags.bootstrap);
    resolver.mutable_authoritative()->set_port(flags.ns_port);
  } else {
    auto hp = ParseHostPort(flags.resolver, 53);
    if (!hp.ok() || !IsIpLiteral(hp->host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--resolver '", flags.resolver,
          "' must be system, authoritative, or ip[:port] ([v6]:port)"));
    }
    resolver.set_address(flags.resolver);
  }
  if ((!flags.bootstrap.empty() || flags.ns_port != 0) &&
      flags.resolver != "authoritative") {
    return absl::InvalidArgumentError(
        "--bootstrap and --ns-port only apply to --resolver authoritative");
  }
  *spec.mutable_timeout() = ToProtoDuration(flags.timeout);
  v1::DnsExpectation& expect = *spec.mutable_expect();
  for (const std::string& a : flags.expect_addresses) {
    for (absl::string_view ip : absl::StrSplit(a, ',', absl::SkipEmpty())) {
      expect.add_addresses_equal(std::string(ip));
    }
  }
  for (const std::string& a : flags.expect_within) {
    for (absl::string_view p : absl::StrSplit(a, ',', absl::SkipEmpty())) {
      expect.add_addresses_within(std::string(p));
    }
  }
  expect.set_cname_target(flags.expect_cname);
  expect.set_rcode(absl::AsciiStrToUpper(flags.expect_rcode));
  return absl::OkStatus();
}

absl::Status AddHttp(const AdHocProbeFlags& flags, v1::ProbeCommand& command) {
  std::vector<std::string> pins;
  for (const std::string& list : flags.pins) {
    for (absl::string_view ip : absl::StrSplit(list, ',', absl::SkipEmpty())) {
      if (!IsIpLiteral(ip)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--pin '", ip, "' is not an IPv4 or IPv6 address"));
      }
      pins.emplace_back(ip);
    }
  }
  if (pins.empty()) {
    return absl::InvalidArgumentError(
        "--http needs --pin IP[,IP...]: the IPs to send the request to");
  }
  v1::HttpProbeSpec base;
  base.set_url(flags.http_url);
  base.set_method(flags.method);
  for (const std::string& h : flags.headers) base.add_headers(h);
  for (const std::string& h : flags.record_headers) base.add_record_headers(h);
  base.set_insecure_skip_verify(flags.insecure);
  base.set_ca_bundle(flags.ca_bundle);
  base.set_body_cap_bytes(flags.body_cap_bytes);
  base.set_redirects(flags.follow_redirects
                         ? v1::REDIRECT_POLICY_FOLLOW_SAME_HOST
                         : v1::REDIRECT_POLICY_DO_NOT_FOLLOW);
  *base.mutable_total_timeout() = ToProtoDuration(flags.timeout);
  v1::HttpExpectation& expect = *base.mutable_expect();
  for (uint32_t status : flags.expect_status) expect.add_status_in(status);
  for (const std::string& h : flags.expect_headers) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(h, absl::MaxSplits('=', 1));
    if (kv.first.empty() || h.find('=') == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--expect-header '", h, "' must be Name=regex, e.g. Server=nginx.*"));
    }
    (*expect.mutable_header_matches())[kv.first] = kv.second;
  }
  expect.set_body_regex(flags.expect_body_regex);
  expect.set_body_sha256(flags.expect_body_sha256);
  expect.set_tls_min_days_left(flags.expect_tls_days);
  for (const std::string& ip : pins) {
    v1::HttpProbeSpec& spec = *command.add_http();
    spec = base;
    spec.set_pinned_ip(ip);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ProbeCommand> BuildAdHocCommand(
    const AdHocProbeFlags& flags) {
  if (flags.dns_host.empty() && flags.http_url.empty()) {
    return absl::InvalidArgumentError(
        "say what to probe: --dns HOST and/or --http URL --pin IP[,IP...]");
  }
  if (flags.timeout <= absl::ZeroDuration() ||
      flags.timeout > absl::Minutes(5)) {
    return absl::InvalidArgumentError(
        "--timeout must be between 0 and 300 seconds");
  }
  v1::ProbeCommand command;
  command.set_command_id(1);
  if (!flags.dns_host.empty()) {
    if (absl::Status s = AddDns(flags, command); !s.ok()) return s;
  } else if (!flags.types.empty() || !flags.expect_addresses.empty() ||
             !flags.expect_within.empty() || !flags.expect_cname.empty() ||
             !flags.expect_rcode.empty()) {
    return absl::InvalidArgumentError(
        "DNS flags (--type, --expect-addresses, ...) need --dns HOST");
  }
  if (!flags.http_url.empty()) {
    if (absl::Status s = AddHttp(flags, command); !s.ok()) return s;
  } else if (!flags.pins.empty() || !flags.expect_status.empty()) {
    return absl::InvalidArgumentError(
        "--pin and --expect-status need --http URL");
  }
  return command;
}

bool ResultFailed(const v1::ProbeResult& result) {
  if (result.has_dns()) {
    // NODATA is an answer ("no record of that type"), not a failure: most
    // names have no AAAA or no CNAME. Expectations still judge it.
    const v1::ErrorClass error = result.dns().error_class();
    return (error != v1::ERROR_CLASS_UNSPECIFIED &&
            error != v1::ERROR_CLASS_NODATA) ||
           result.dns().failures_size() > 0;
  }
  if (result.has_http()) {
    return result.http().error_class() != v1::ERROR_CLASS_UNSPECIFIED ||
           result.http().failures_size() > 0;
  }
  return true;
}

absl::StatusOr<v1::ProbeRun> RunAdHocCommand(
    const v1::ProbeCommand& command,
    const std::vector<std::string>& system_resolvers) {
  auto loop = EventLoop::Create();
  if (!loop.ok()) return loop.status();
  ProbeRunnerOptions options;
  options.system_resolvers = system_resolvers;
  auto runner = ProbeRunner::Create(loop->get(), options);
  if (!runner.ok()) return runner.status();

  v1::ProbeRun run;
  absl::Status status = (*runner)->Execute(
      command,
      [&run](v1::ProbeResult result) {
        if (ResultFailed(result)) run.set_failed(run.failed() + 1);
        *run.add_results() = std::move(result);
      },
      [&loop](uint32_t) { (*loop)->Stop(); });
  if (!status.ok()) return status;
  (*loop)->Run();
  for (const v1::ProbeResult& r : run.results()) {
    const bool invalid =
        r.has_dns() ? r.dns().error_class() == v1::ERROR_CLASS_INVALID_SPEC
                    : r.http().error_class() == v1::ERROR_CLASS_INVALID_SPEC;
    if (invalid) {
      return absl::InvalidArgumentError(r.has_dns() ? r.dns().error_message()
                                                    : r.http().error_message());
    }
  }
  return run;
}

}  // namespace propwatch
