// Checks a verification request on the client, before it is sent, so a bad
// spec fails at once with the field (and, for a YAML file, the line) that is
// wrong. The rules and their texts are the coordinator's own (spec/); only
// the coordinator's target policy (allowlist, refused address ranges) is
// left to the coordinator.
//
// Pure.
#ifndef PROPWATCH_CLI_SPEC_CHECK_H_
#define PROPWATCH_CLI_SPEC_CHECK_H_

#include <optional>

#include "propwatch/v1/control.pb.h"
#include "spec/spec_problem.h"

namespace propwatch {

// The first problem found (spec::FindProblem with no target rules): `path`
// is the proto field path with indexes, e.g. "spec.hostnames[1]" or
// "schedule.deadline", for the caller to map to a line or a flag.
std::optional<spec::SpecProblem> CheckVerificationRequest(
    const v1::CreateVerificationRequest& request);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_SPEC_CHECK_H_
