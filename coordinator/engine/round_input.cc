#include "coordinator/engine/round_input.h"

#include "absl/strings/str_cat.h"

namespace propwatch {

absl::string_view RegionOf(
    const v1::ProbeResult& result,
    const std::map<std::string, std::string>& participants) {
  if (!result.region().empty()) return result.region();
  auto it = participants.find(result.agent_id());
  return it != participants.end() ? absl::string_view(it->second)
                                  : absl::string_view("unknown");
}

absl::Status ValidateRoundInput(const RoundInput& input) {
  if (input.verification == nullptr) {
    return absl::InvalidArgumentError("round input has no verification");
  }
  if (!input.result_keys.empty() &&
      input.result_keys.size() != input.results.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "round input has ", input.result_keys.size(), " result keys for ",
        input.results.size(), " results; they must be parallel"));
  }
  for (const v1::ProbeResult& result : input.results) {
    if (result.verification_id() != input.verification->id() ||
        result.round() != input.round) {
      return absl::InvalidArgumentError(
          absl::StrCat("result ", result.agent_id(), "#", result.sequence(),
                       " belongs to verification '", result.verification_id(),
                       "' round ", result.round(), ", not '",
                       input.verification->id(), "' round ", input.round));
    }
  }
  return absl::OkStatus();
}

}  // namespace propwatch
