#include "coordinator/verify/report_recompute.h"

#include "common/time_convert.h"
#include "coordinator/engine/engine.h"

namespace propwatch {

absl::StatusOr<v1::RoundReport> RecomputeRoundReport(
    VerificationStore& store, const v1::Verification& verification,
    uint32_t round) {
  auto record = store.GetRound(verification.id(), round);
  if (!record.ok()) return record.status();
  auto results = store.RoundResults(verification.id(), round);
  if (!results.ok()) return results.status();
  RoundInput input;
  input.verification = &verification;
  input.round = round;
  input.started_at = FromProtoTime(record->started_at());
  input.finished_at = FromProtoTime(record->finished_at());
  input.participants.insert(record->participants().begin(),
                            record->participants().end());
  input.results = std::move(results->results);
  input.result_keys = std::move(results->keys);
  return EvaluateRound(input);
}

}  // namespace propwatch
