// What one round of a verification produced: the input of EvaluateRound().
#ifndef PROPWATCH_COORDINATOR_ENGINE_ROUND_INPUT_H_
#define PROPWATCH_COORDINATOR_ENGINE_ROUND_INPUT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "propwatch/v1/control.pb.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// What one round produced.
struct RoundInput {
  // Spec, selector, schedule. Not owned; must outlive the EvaluateRound()
  // call. nullptr is treated as a default (empty) verification.
  const v1::Verification* verification = nullptr;
  uint32_t round = 0;
  absl::Time started_at, finished_at;
  // Agents that were sent work in this round: agent_id -> region.
  std::map<std::string, std::string> participants;
  // Every result the round collected (DNS phase and HTTP phase), each with
  // agent_id, region, sequence, verification_id, round set. REQUIRES: one
  // entry per stored result (a resent result appears once), as reading the
  // round's results back from storage gives them.
  std::vector<v1::ProbeResult> results;
  // The storage key of each result, raw bytes exactly as
  // ResultKey(verification_id, round, phase, agent_id, sequence) from
  // coordinator/storage/key_codec.h returns them: result_keys[i] belongs to
  // results[i]. Diagnoses cite them hex-encoded (the same text as
  // KeyToHex()) as evidence. Empty means "no evidence": diagnoses are still
  // made, with empty evidence lists.
  //
  // Why the caller passes keys instead of the engine computing them: the key
  // codec is compiled into propwatch_coordinator, which links this library,
  // so depending on it would make a cycle; the engine stays a pure library
  // with no storage dependency, and the runner, which reads the results by
  // key anyway, has the keys at hand.
  std::vector<std::string> result_keys;
};

// The region a result counts in: the one it carries, else its agent's in
// `participants`, else "unknown". The view points into `result`,
// `participants` or static storage.
absl::string_view RegionOf(
    const v1::ProbeResult& result,
    const std::map<std::string, std::string>& participants);

// Checks the invariants EvaluateRound() relies on for meaningful output:
// a verification is set, result_keys is empty or parallel to results, and
// every result belongs to this verification and round. EvaluateRound() does
// not require this (it never crashes on bad input), but the runner should
// call it and log what it says.
absl::Status ValidateRoundInput(const RoundInput& input);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_ROUND_INPUT_H_
