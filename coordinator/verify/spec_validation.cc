#include "coordinator/verify/spec_validation.h"

#include "spec/field_rules.h"
#include "spec/probe_rules.h"
#include "spec/spec_rules.h"

namespace propwatch {

absl::Status PolicyTargetRules::CheckHostname(
    absl::string_view hostname) const {
  return policy_.CheckHostname(hostname);
}

absl::Status PolicyTargetRules::CheckAddress(absl::string_view ip) const {
  return policy_.CheckAddress(ip);
}

absl::StatusOr<v1::CreateVerificationRequest> ValidateVerificationRequest(
    const v1::CreateVerificationRequest& request, const TargetPolicy& policy) {
  if (auto problem = spec::FindProblem(request, PolicyTargetRules(policy))) {
    return spec::ToStatus(*problem);
  }
  return spec::WithDefaults(request);
}

absl::Status ValidateRunProbesRequest(const v1::RunProbesRequest& request,
                                      const TargetPolicy& policy) {
  if (auto problem = spec::FindProblem(request, PolicyTargetRules(policy))) {
    return spec::ToStatus(*problem);
  }
  return absl::OkStatus();
}

absl::Status CheckResolver(const v1::ResolverSpec& resolver,
                           absl::string_view field,
                           const TargetPolicy& policy) {
  if (auto problem =
          spec::CheckResolver(resolver, field, PolicyTargetRules(policy))) {
    return spec::ToStatus(*problem);
  }
  return absl::OkStatus();
}

}  // namespace propwatch
