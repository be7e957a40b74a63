#include "cli/spec_check.h"

#include "spec/spec_rules.h"

namespace propwatch {

std::optional<spec::SpecProblem> CheckVerificationRequest(
    const v1::CreateVerificationRequest& request) {
  return spec::FindProblem(request, spec::NoTargetRules());
}

}  // namespace propwatch
