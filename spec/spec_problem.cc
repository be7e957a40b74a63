#include "spec/spec_problem.h"

#include "absl/strings/str_cat.h"

namespace propwatch::spec {
namespace {

class AcceptEverything : public TargetRules {
 public:
  absl::Status CheckHostname(absl::string_view) const override {
    return absl::OkStatus();
  }
  absl::Status CheckAddress(absl::string_view) const override {
    return absl::OkStatus();
  }
};

}  // namespace

absl::Status ToStatus(const SpecProblem& problem) {
  return absl::Status(problem.code,
                      absl::StrCat(problem.path, ": ", problem.message));
}

const TargetRules& NoTargetRules() {
  static const AcceptEverything* const kRules = new AcceptEverything();
  return *kRules;
}

}  // namespace propwatch::spec
