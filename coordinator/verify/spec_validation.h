// The coordinator's checks of what it is asked to run: the shared spec
// rules (spec/, the same rules and texts propwatchctl applies offline) with
// the coordinator's target policy plugged in as their TargetRules. Every
// error starts with the field path ("spec.hostnames[1]: ...").
//
// Pure.
#ifndef PROPWATCH_COORDINATOR_VERIFY_SPEC_VALIDATION_H_
#define PROPWATCH_COORDINATOR_VERIFY_SPEC_VALIDATION_H_

#include "absl/status/statusor.h"
#include "coordinator/verify/target_policy.h"
#include "propwatch/v1/control.pb.h"
#include "spec/spec_problem.h"

namespace propwatch {

// `policy` as the spec rules' TargetRules: hostnames against the allowlist,
// addresses against the refused ranges. Holds a reference to `policy`.
class PolicyTargetRules : public spec::TargetRules {
 public:
  explicit PolicyTargetRules(const TargetPolicy& policy) : policy_(policy) {}
  absl::Status CheckHostname(absl::string_view hostname) const override;
  absl::Status CheckAddress(absl::string_view ip) const override;

 private:
  const TargetPolicy& policy_;
};

// The request with defaults made explicit and hostnames canonical (see
// spec::WithDefaults), or the first problem (spec::FindProblem):
// InvalidArgument for a malformed field, PermissionDenied (naming
// --allow-target or --allow-private-targets) for a target the policy
// refuses.
absl::StatusOr<v1::CreateVerificationRequest> ValidateVerificationRequest(
    const v1::CreateVerificationRequest& request, const TargetPolicy& policy);

// OK, or the first problem of `request`'s probes under the same rules and
// policy as a verification (spec/probe_rules.h): hostnames of DNS probes and
// of HTTP URLs against the allowlist, every resolver and pinned IP against
// the address policy, GET/HEAD only, no extra headers. Errors start with
// the field path ("http[0].method: ...").
absl::Status ValidateRunProbesRequest(const v1::RunProbesRequest& request,
                                      const TargetPolicy& policy);

// OK for a system resolver; for one named by address (and for an
// authoritative resolver's bootstrap) the address must be ip[:port] and pass
// policy.CheckAddress. Errors start with `field` ("spec.resolvers[1]") and
// the subfield: InvalidArgument for a malformed address, PermissionDenied
// (naming the range and --allow-private-targets) for a refused one.
absl::Status CheckResolver(const v1::ResolverSpec& resolver,
                           absl::string_view field, const TargetPolicy& policy);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_SPEC_VALIDATION_H_
