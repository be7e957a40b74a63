// Checks a CreateVerificationRequest before anything runs, and fills in
// the documented defaults. Every error names the field and the problem.
//
// Pure.
#ifndef PROPWATCH_COORDINATOR_VERIFY_SPEC_VALIDATION_H_
#define PROPWATCH_COORDINATOR_VERIFY_SPEC_VALIDATION_H_

#include "absl/status/statusor.h"
#include "coordinator/verify/target_policy.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// The request with defaults made explicit (scheme "https", paths ["/"],
// record types A/AAAA/CNAME, resolvers [system], interval 10 s, deadline
// 10 min, stable rounds 2, phase timeout half the interval), or
// InvalidArgument / PermissionDenied naming the field.
absl::StatusOr<v1::CreateVerificationRequest> ValidateVerificationRequest(
    const v1::CreateVerificationRequest& request, const TargetPolicy& policy);

// OK for a system resolver; for one named by address (and for an
// authoritative resolver's bootstrap) the address must be ip[:port] and pass
// policy.CheckAddress. Errors start with `field` ("spec.resolvers[1]") and
// the subfield: InvalidArgument for a malformed address, PermissionDenied
// (naming the range and --allow-private-targets) for a refused one. For
// every place a ResolverSpec arrives, e.g. ad-hoc DNS probes.
absl::Status CheckResolver(const v1::ResolverSpec& resolver,
                           absl::string_view field, const TargetPolicy& policy);

// RFC 1123 hostname without a trailing dot; at least two labels.
bool IsValidHostname(absl::string_view hostname);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_SPEC_VALIDATION_H_
