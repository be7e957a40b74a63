// What every spec rule reports, and the seam through which the coordinator
// adds the rules that depend on its configuration.
//
// Pure.
#ifndef PROPWATCH_SPEC_SPEC_PROBLEM_H_
#define PROPWATCH_SPEC_SPEC_PROBLEM_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace propwatch::spec {

// The first problem a check found.
struct SpecProblem {
  // The proto field path with indexes: "spec.hostnames[1]",
  // "schedule.deadline", "dns[0].resolver.address", "http[2].url".
  // propwatchctl maps it to a spec file's line or to a flag.
  std::string path;
  // What is wrong, without the path. One rule has one text, wherever the
  // rule runs (propwatchctl --dry-run, CreateVerification, RunProbes).
  std::string message;
  // kInvalidArgument for a malformed field; a TargetRules refusal keeps its
  // own code (kPermissionDenied for the target policy).
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
};

// absl::Status(problem.code, "<path>: <message>").
absl::Status ToStatus(const SpecProblem& problem);

// The rules that depend on where a spec is checked: the coordinator's
// target policy (allowlisted hostnames, refused address ranges). The rule
// functions call these after a field passed its syntax rule, in the same
// order everywhere, and report a refusal as a SpecProblem with the field's
// path, the refusal's code and its message.
//
// Implementations must be thread-safe for concurrent calls.
class TargetRules {
 public:
  virtual ~TargetRules() = default;
  // `hostname` passed IsValidHostname and is canonical (CanonicalHostname).
  virtual absl::Status CheckHostname(absl::string_view hostname) const = 0;
  // `ip` is an IP literal agents will send packets to: an explicit or
  // pinned HTTP target, or a resolver's address.
  virtual absl::Status CheckAddress(absl::string_view ip) const = 0;
};

// Accepts every target. For offline checks (propwatchctl --dry-run), which
// know no coordinator's policy.
const TargetRules& NoTargetRules();

}  // namespace propwatch::spec

#endif  // PROPWATCH_SPEC_SPEC_PROBLEM_H_
