// Recomputes a stored round's report from its stored results and round
// record: the check that reports are a pure function of what was measured.
#ifndef PROPWATCH_COORDINATOR_VERIFY_REPORT_RECOMPUTE_H_
#define PROPWATCH_COORDINATOR_VERIFY_REPORT_RECOMPUTE_H_

#include "absl/status/statusor.h"
#include "coordinator/storage/verification_store.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

absl::StatusOr<v1::RoundReport> RecomputeRoundReport(
    VerificationStore& store, const v1::Verification& verification,
    uint32_t round);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_REPORT_RECOMPUTE_H_
