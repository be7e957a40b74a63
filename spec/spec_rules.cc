#include "spec/spec_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "spec/field_rules.h"

namespace propwatch::spec {
namespace {

constexpr int kMaxHostnames = 20;
constexpr int kMaxPaths = 50;
constexpr uint32_t kMaxStableRounds = 100;
constexpr uint32_t kMaxMinAgentsPerRegion = 1000;

SpecProblem Problem(std::string path, std::string message) {
  return SpecProblem{std::move(path), std::move(message)};
}

absl::Duration Interval(const v1::Schedule& schedule) {
  return schedule.has_round_interval()
             ? FromProtoDuration(schedule.round_interval())
             : DefaultRoundInterval();
}

absl::Duration Deadline(const v1::Schedule& schedule) {
  return schedule.has_deadline() ? FromProtoDuration(schedule.deadline())
                                 : DefaultDeadline();
}

absl::Duration PhaseTimeout(const v1::Schedule& schedule) {
  return schedule.has_phase_timeout()
             ? FromProtoDuration(schedule.phase_timeout())
             : Interval(schedule) / 2;
}

std::optional<SpecProblem> CheckSpec(const v1::VerificationSpec& spec,
                                     const TargetRules& rules) {
  if (spec.hostnames().empty()) {
    return Problem("spec.hostnames", "give at least one hostname to verify");
  }
  if (spec.hostnames_size() > kMaxHostnames) {
    return Problem(
        "spec.hostnames",
        absl::StrCat("at most ", kMaxHostnames, " hostnames per verification"));
  }
  for (int i = 0; i < spec.hostnames_size(); ++i) {
    if (auto p = CheckHostname(Indexed("spec.hostnames", i), spec.hostnames(i),
                               rules)) {
      return p;
    }
  }
  for (int i = 0; i < spec.resolvers_size(); ++i) {
    if (auto p = CheckResolver(spec.resolvers(i), Indexed("spec.resolvers", i),
                               rules)) {
      return p;
    }
  }
  if (!spec.scheme().empty()) {
    if (auto p = CheckScheme("spec.scheme", spec.scheme())) return p;
  }
  if (auto p = CheckPort("spec.port", spec.port())) return p;
  if (spec.paths_size() > kMaxPaths) {
    return Problem("spec.paths", absl::StrCat("at most ", kMaxPaths, " paths"));
  }
  for (int i = 0; i < spec.paths_size(); ++i) {
    if (auto p = CheckUrlPath(Indexed("spec.paths", i), spec.paths(i))) {
      return p;
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
    if (auto p = CheckTargetAddress(Indexed("spec.explicit_ips", i),
                                    spec.explicit_ips(i), rules)) {
      return p;
    }
  }
  if (auto p = CheckDnsExpectation("spec.dns_expect", spec.dns_expect())) {
    return p;
  }
  return CheckHttpExpectation("spec.http_expect", spec.http_expect());
}

std::optional<SpecProblem> CheckSchedule(const v1::Schedule& schedule) {
  const absl::Duration interval = Interval(schedule);
  if (interval < absl::Seconds(1) || interval > absl::Hours(1)) {
    return Problem("schedule.round_interval", "must be between 1s and 1h");
  }
  const absl::Duration deadline = Deadline(schedule);
  if (deadline < interval) {
    return Problem("schedule.deadline",
                   absl::StrCat("deadline ", absl::FormatDuration(deadline),
                                schedule.has_deadline() ? "" : " (the default)",
                                " is shorter than the round interval ",
                                absl::FormatDuration(interval)));
  }
  if (deadline > absl::Hours(24 * 7)) {
    return Problem("schedule.deadline", "at most 7 days (168h)");
  }
  if (schedule.stable_rounds() > kMaxStableRounds) {
    return Problem("schedule.stable_rounds",
                   absl::StrCat("at most ", kMaxStableRounds));
  }
  const absl::Duration phase = PhaseTimeout(schedule);
  if (phase < absl::Milliseconds(200) || phase > interval) {
    return Problem("schedule.phase_timeout",
                   "must be between 200ms and the round interval");
  }
  return std::nullopt;
}

std::optional<SpecProblem> CheckSelector(const v1::AgentSelector& selector) {
  for (int i = 0; i < selector.regions_size(); ++i) {
    if (selector.regions(i).empty()) {
      return Problem(Indexed("selector.regions", i), "empty region name");
    }
  }
  if (selector.min_agents_per_region() > kMaxMinAgentsPerRegion) {
    return Problem("selector.min_agents_per_region",
                   absl::StrCat("at most ", kMaxMinAgentsPerRegion));
  }
  return std::nullopt;
}

}  // namespace

absl::Duration DefaultRoundInterval() { return absl::Seconds(10); }
absl::Duration DefaultDeadline() { return absl::Minutes(10); }

std::optional<SpecProblem> FindProblem(
    const v1::CreateVerificationRequest& request, const TargetRules& rules) {
  if (auto p = CheckSpec(request.spec(), rules)) return p;
  if (auto p = CheckSchedule(request.schedule())) return p;
  return CheckSelector(request.selector());
}

v1::CreateVerificationRequest WithDefaults(
    v1::CreateVerificationRequest request) {
  v1::VerificationSpec& spec = *request.mutable_spec();
  for (std::string& h : *spec.mutable_hostnames()) h = CanonicalHostname(h);
  if (spec.record_types().empty()) {
    spec.add_record_types(v1::RECORD_TYPE_A);
    spec.add_record_types(v1::RECORD_TYPE_AAAA);
    spec.add_record_types(v1::RECORD_TYPE_CNAME);
  }
  if (spec.resolvers().empty()) spec.add_resolvers()->mutable_system();
  if (spec.scheme().empty()) spec.set_scheme("https");
  // Not add_paths("/"): GCC 12's -Wrestrict misreads that copy.
  if (spec.paths().empty()) *spec.add_paths() = std::string(1, '/');

  v1::Schedule& schedule = *request.mutable_schedule();
  const absl::Duration interval = Interval(schedule);
  const absl::Duration deadline = Deadline(schedule);
  const absl::Duration phase = PhaseTimeout(schedule);
  *schedule.mutable_round_interval() = ToProtoDuration(interval);
  *schedule.mutable_deadline() = ToProtoDuration(deadline);
  *schedule.mutable_phase_timeout() = ToProtoDuration(phase);
  if (schedule.stable_rounds() == 0) schedule.set_stable_rounds(2);
  return request;
}

}  // namespace propwatch::spec
