#include "cli/names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace propwatch {
namespace {

std::string Strip(const std::string& full, absl::string_view prefix) {
  absl::string_view s = full;
  if (absl::StartsWith(s, prefix)) s.remove_prefix(prefix.size());
  return std::string(s);
}

}  // namespace

std::string StateWord(v1::VerificationState state) {
  if (state == v1::VERIFICATION_STATE_UNSPECIFIED) return "unknown";
  return absl::AsciiStrToLower(
      Strip(v1::VerificationState_Name(state), "VERIFICATION_STATE_"));
}

std::string VerdictWord(v1::Verdict verdict) {
  if (verdict == v1::VERDICT_UNSPECIFIED) return "-";
  return absl::AsciiStrToLower(Strip(v1::Verdict_Name(verdict), "VERDICT_"));
}

std::string CellWord(v1::CellStatus status) {
  if (status == v1::CELL_STATUS_UNSPECIFIED) return "no data";
  return absl::AsciiStrToLower(
      Strip(v1::CellStatus_Name(status), "CELL_STATUS_"));
}

std::string DiagnosisWord(v1::DiagnosisKind kind) {
  if (kind == v1::DIAGNOSIS_KIND_UNSPECIFIED) return "-";
  return Strip(v1::DiagnosisKind_Name(kind), "DIAGNOSIS_KIND_");
}

bool IsFinal(v1::VerificationState state) {
  return state == v1::VERIFICATION_STATE_CONVERGED ||
         state == v1::VERIFICATION_STATE_DIVERGED ||
         state == v1::VERIFICATION_STATE_INCONCLUSIVE ||
         state == v1::VERIFICATION_STATE_CANCELLED;
}

}  // namespace propwatch
