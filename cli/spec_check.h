// Checks a verification request on the client, before it is sent, so a bad
// spec fails at once with the field (and, for a YAML file, the line) that is
// wrong. The coordinator validates again; this is the early, precise copy.
//
// Pure.
#ifndef PROPWATCH_CLI_SPEC_CHECK_H_
#define PROPWATCH_CLI_SPEC_CHECK_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// The first problem found: `path` is the proto field path with indexes,
// e.g. "spec.hostnames[1]" or "schedule.deadline".
struct SpecProblem {
  std::string path;
  std::string message;
};

std::optional<SpecProblem> CheckVerificationRequest(
    const v1::CreateVerificationRequest& request);

// RFC 1123 host name (letters, digits, '-', and '_' as in service labels),
// at least two labels, optional trailing dot.
bool IsValidHostname(absl::string_view hostname);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_SPEC_CHECK_H_
