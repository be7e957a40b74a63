#include "cli/commands/verify_command.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/commands/watch_command.h"
#include "cli/spec_check.h"
#include "cli/spec_yaml.h"
#include "common/proto_json.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

absl::Status FlagError(absl::string_view flag, absl::string_view value,
                       absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(flag, " '", value, "': ", problem));
}

absl::StatusOr<google::protobuf::Duration> ParseDurationFlag(
    absl::string_view flag, const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
    return FlagError(flag, text,
                     "not a positive duration; write it like 800ms, 10s, 2m");
  }
  return ToProtoDuration(d);
}

// The flag that sets a spec field, so a problem found in flag-built
// requests names what the user typed.
std::string FlagFor(absl::string_view path) {
  static const std::pair<absl::string_view, absl::string_view> kFlags[] = {
      {"spec.hostnames", "--host"},
      {"spec.paths", "--path"},
      {"spec.resolvers", "--resolver"},
      {"spec.scheme", "--scheme"},
      {"spec.port", "--port"},
      {"spec.explicit_ips", "--pin-ip"},
      {"spec.http_expect.status_in", "--expect-status"},
      {"spec.dns_expect.addresses_within", "--expect-address"},
      {"selector.regions", "--regions"},
      {"selector.min_agents_per_region", "--min-agents"},
      {"schedule.round_interval", "--interval"},
      {"schedule.deadline", "--deadline"},
      {"schedule.phase_timeout", "--phase-timeout"},
      {"schedule.stable_rounds", "--stable-rounds"},
  };
  for (const auto& [prefix, flag] : kFlags) {
    if (absl::StartsWith(path, prefix)) return std::string(flag);
  }
  return "";
}

absl::StatusOr<v1::RecordType> ParseRecordType(const std::string& text) {
  v1::RecordType type;
  if (!v1::RecordType_Parse("RECORD_TYPE_" + absl::AsciiStrToUpper(text),
                            &type) ||
      type == v1::RECORD_TYPE_UNSPECIFIED) {
    return FlagError("--record-type", text,
                     "not one of A, AAAA, CNAME, NS, SOA");
  }
  return type;
}

absl::StatusOr<v1::PinMode> ParsePinMode(const std::string& text) {
  v1::PinMode mode;
  if (!v1::PinMode_Parse("PIN_MODE_" + absl::AsciiStrToUpper(text), &mode) ||
      mode == v1::PIN_MODE_UNSPECIFIED) {
    return FlagError("--pin", text,
                     "not one of all_observed, resolved, explicit");
  }
  return mode;
}

absl::StatusOr<v1::DnsConsistency> ParseDnsConsistency(
    const std::string& text) {
  v1::DnsConsistency mode;
  if (!v1::DnsConsistency_Parse(
          "DNS_CONSISTENCY_" + absl::AsciiStrToUpper(text), &mode) ||
      mode == v1::DNS_CONSISTENCY_UNSPECIFIED) {
    return FlagError("--dns-consistency", text, "not one of geo, strict");
  }
  return mode;
}

}  // namespace

absl::StatusOr<v1::CreateVerificationRequest> BuildVerifyRequest(
    const VerifyFlags& flags, v1::CreateVerificationRequest request) {
  v1::VerificationSpec& spec = *request.mutable_spec();
  if (!flags.hosts.empty()) {
    spec.clear_hostnames();
    for (const std::string& h : flags.hosts) spec.add_hostnames(h);
  }
  if (!flags.paths.empty()) {
    spec.clear_paths();
    for (const std::string& p : flags.paths) spec.add_paths(p);
  }
  if (!flags.record_types.empty()) {
    spec.clear_record_types();
    for (const std::string& t : flags.record_types) {
      auto type = ParseRecordType(t);
      if (!type.ok()) return type.status();
      spec.add_record_types(*type);
    }
  }
  if (!flags.resolvers.empty()) {
    spec.clear_resolvers();
    for (const std::string& r : flags.resolvers) {
      v1::ResolverSpec& resolver = *spec.add_resolvers();
      if (r == "system") {
        resolver.mutable_system();
      } else if (r == "authoritative") {
        resolver.mutable_authoritative();
      } else {
        resolver.set_address(r);
      }
    }
  }
  if (!flags.scheme.empty()) spec.set_scheme(flags.scheme);
  if (flags.port != 0) spec.set_port(flags.port);
  if (!flags.pin.empty()) {
    auto mode = ParsePinMode(flags.pin);
    if (!mode.ok()) return mode.status();
    spec.set_pin_mode(*mode);
  }
  if (!flags.dns_consistency.empty()) {
    auto mode = ParseDnsConsistency(flags.dns_consistency);
    if (!mode.ok()) return mode.status();
    spec.set_dns_consistency(*mode);
  }
  if (!flags.pin_ips.empty()) {
    spec.clear_explicit_ips();
    for (const std::string& ip : flags.pin_ips) spec.add_explicit_ips(ip);
    // --pin-ip alone means explicit pinning.
    if (flags.pin.empty()) spec.set_pin_mode(v1::PIN_MODE_EXPLICIT);
  }
  if (!flags.expect_status.empty()) {
    spec.mutable_http_expect()->clear_status_in();
    for (uint32_t s : flags.expect_status) {
      spec.mutable_http_expect()->add_status_in(s);
    }
  }
  if (!flags.expect_addresses.empty()) {
    spec.mutable_dns_expect()->clear_addresses_within();
    for (const std::string& a : flags.expect_addresses) {
      spec.mutable_dns_expect()->add_addresses_within(a);
    }
  }
  if (!flags.fingerprint_headers.empty()) {
    spec.clear_fingerprint_headers();
    for (const std::string& h : flags.fingerprint_headers) {
      spec.add_fingerprint_headers(h);
    }
  }
  if (flags.fingerprint_body) spec.set_fingerprint_body(true);
  if (flags.insecure_skip_verify) spec.set_insecure_skip_verify(true);

  v1::AgentSelector& selector = *request.mutable_selector();
  if (!flags.regions.empty()) {
    selector.clear_regions();
    for (const std::string& r : flags.regions) selector.add_regions(r);
  }
  for (const std::string& label : flags.labels) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(label, absl::MaxSplits('=', 1));
    if (kv.first.empty() || label.find('=') == std::string::npos) {
      return FlagError("--label", label, "write it as key=value");
    }
    (*selector.mutable_labels())[kv.first] = kv.second;
  }
  if (flags.min_agents != 0)
    selector.set_min_agents_per_region(flags.min_agents);

  v1::Schedule& schedule = *request.mutable_schedule();
  const std::pair<const std::string*, google::protobuf::Duration*> durations[] =
      {{&flags.interval, schedule.mutable_round_interval()},
       {&flags.deadline, schedule.mutable_deadline()},
       {&flags.phase_timeout, schedule.mutable_phase_timeout()}};
  const char* names[] = {"--interval", "--deadline", "--phase-timeout"};
  for (size_t i = 0; i < 3; ++i) {
    if (durations[i].first->empty()) continue;
    auto d = ParseDurationFlag(names[i], *durations[i].first);
    if (!d.ok()) return d.status();
    *durations[i].second = *d;
  }
  // mutable_*() above created empty durations; unset ones must stay unset
  // so the coordinator's defaults apply.
  if (!schedule.round_interval().seconds() &&
      !schedule.round_interval().nanos())
    schedule.clear_round_interval();
  if (!schedule.deadline().seconds() && !schedule.deadline().nanos())
    schedule.clear_deadline();
  if (!schedule.phase_timeout().seconds() && !schedule.phase_timeout().nanos())
    schedule.clear_phase_timeout();
  if (flags.stable_rounds != 0) schedule.set_stable_rounds(flags.stable_rounds);

  v1::Source& source = *request.mutable_source();
  if (!flags.source.empty()) source.set_description(flags.source);
  if (!flags.pipeline.empty()) source.set_pipeline(flags.pipeline);
  if (!flags.release.empty()) source.set_release(flags.release);
  if (!flags.commit.empty()) source.set_commit(flags.commit);

  if (auto problem = CheckVerificationRequest(request)) {
    const std::string flag = FlagFor(problem->path);
    return absl::InvalidArgumentError(absl::StrCat(
        "bad spec: ", problem->path, flag.empty() ? "" : " (" + flag + ")",
        ": ", problem->message));
  }
  return request;
}

ExitCode RunVerifyCommand(const CommandContext& ctx, const VerifyFlags& flags) {
  v1::CreateVerificationRequest base;
  SpecLocations locations;
  if (!flags.spec_file.empty()) {
    auto loaded = LoadSpecFile(flags.spec_file);
    if (!loaded.ok()) return ReportFailure(ctx, loaded.status());
    base = std::move(loaded->request);
    locations = std::move(loaded->locations);
  } else if (flags.hosts.empty()) {
    return ReportFailure(
        ctx, absl::InvalidArgumentError(
                 "nothing to verify: give --host NAME or -f spec.yaml"));
  }
  auto request = BuildVerifyRequest(flags, std::move(base));
  if (!request.ok()) return ReportFailure(ctx, request.status());
  if (flags.dry_run) {
    Print(ctx, ToJson(*request));
    return kExitPass;
  }
  auto created = ctx.client.CreateVerification(*request);
  if (!created.ok()) {
    absl::Status s = created.status();
    if (s.code() == absl::StatusCode::kInvalidArgument) {
      // The coordinator names the field ("spec.paths: ..."); point at the
      // spec file's line for it when there is one.
      const std::string message(s.message());
      const size_t colon = message.find(':');
      const int line = flags.spec_file.empty() || colon == std::string::npos
                           ? 0
                           : locations.LineOf(message.substr(0, colon));
      s = absl::InvalidArgumentError(absl::StrCat(
          "the coordinator refused the spec",
          line > 0 ? absl::StrCat(" (", flags.spec_file, ":", line, ")") : "",
          ": ", message));
    } else if (s.code() == absl::StatusCode::kFailedPrecondition) {
      // No connected agent matches the selector: nothing can be proven.
      std::fprintf(ctx.err, "propwatchctl: %s\n",
                   std::string(s.message()).c_str());
      return kExitInconclusive;
    }
    return ReportFailure(ctx, s);
  }
  if (!flags.wait) {
    Print(ctx, ctx.format == OutputFormat::kJson ? ToJson(*created)
                                                 : created->id() + "\n");
    return kExitPass;
  }
  if (ctx.format != OutputFormat::kJson) {
    Print(ctx, absl::StrCat("created verification ", created->id(), "\n"));
  }
  return FollowVerification(ctx, *created, OnInterrupt::kCancelVerification);
}

}  // namespace propwatch
