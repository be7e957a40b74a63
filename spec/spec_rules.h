// The rules of a CreateVerificationRequest, for propwatchctl (offline, before
// anything is sent) and the coordinator (the authority, with its target
// policy as TargetRules), so both refuse the same specs with the same text.
//
// Pure.
#ifndef PROPWATCH_SPEC_SPEC_RULES_H_
#define PROPWATCH_SPEC_SPEC_RULES_H_

#include <optional>

#include "absl/time/time.h"
#include "propwatch/v1/control.pb.h"
#include "spec/spec_problem.h"

namespace propwatch::spec {

// Documented defaults of an unset schedule.
absl::Duration DefaultRoundInterval();  // 10 s
absl::Duration DefaultDeadline();       // 10 min

// The first problem of `request` as written (hostnames quoted as given), or
// nullopt. Rules run in a fixed order: spec (hostnames, resolvers, scheme,
// port, paths, pinning, DNS and HTTP expectations), schedule, selector;
// each target (hostname, explicit IP, resolver address) is given to `rules`
// right after its own syntax rule. Schedule rules judge the values in
// effect, defaults included: an unset deadline (10 min) must not be shorter
// than a 30 min round interval either.
std::optional<SpecProblem> FindProblem(
    const v1::CreateVerificationRequest& request, const TargetRules& rules);

// `request` with the documented defaults made explicit (scheme "https",
// paths ["/"], record types A/AAAA/CNAME, resolvers [system], interval 10 s,
// deadline 10 min, stable rounds 2, phase timeout half the interval) and
// hostnames canonical (CanonicalHostname). REQUIRES: FindProblem found
// nothing.
v1::CreateVerificationRequest WithDefaults(
    v1::CreateVerificationRequest request);

}  // namespace propwatch::spec

#endif  // PROPWATCH_SPEC_SPEC_RULES_H_
