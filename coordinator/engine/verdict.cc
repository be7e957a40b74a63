#include "coordinator/engine/verdict.h"

namespace propwatch {

bool IsInformational(v1::DiagnosisKind kind) {
  return kind == v1::DIAGNOSIS_KIND_AGENT_NETWORK;
}

v1::Verdict DecideVerdict(
    const google::protobuf::RepeatedPtrField<v1::Diagnosis>& diagnoses,
    const VerdictFacts& facts) {
  bool no_quorum = false;
  bool failing_diagnosis = false;
  for (const v1::Diagnosis& diagnosis : diagnoses) {
    if (diagnosis.kind() == v1::DIAGNOSIS_KIND_NO_QUORUM) {
      no_quorum = true;
    } else if (!IsInformational(diagnosis.kind())) {
      failing_diagnosis = true;
    }
  }
  if (no_quorum) return v1::VERDICT_INCONCLUSIVE;
  if (failing_diagnosis || facts.failing_cell || facts.dns_expectation_failed) {
    return v1::VERDICT_FAIL;
  }
  if (facts.hostname_unmeasured) return v1::VERDICT_INCONCLUSIVE;
  return v1::VERDICT_PASS;
}

}  // namespace propwatch
