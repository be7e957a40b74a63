// Folding round reports into the state of a verification.
#ifndef PROPWATCH_COORDINATOR_ENGINE_VERIFICATION_STATE_H_
#define PROPWATCH_COORDINATOR_ENGINE_VERIFICATION_STATE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// Schedule defaults (control.proto): 0 / unset means these.
inline constexpr uint32_t kDefaultStableRounds = 2;
inline constexpr absl::Duration kDefaultDeadline = absl::Minutes(10);

inline constexpr uint32_t kDefaultFailAfterRounds = 3;

uint32_t StableRounds(const v1::Schedule& schedule);
// schedule.fail_after_rounds, or 3 when unset; 0 turns the rule off.
uint32_t FailAfterRounds(const v1::Schedule& schedule);

// Whether the reports so far already decide DIVERGED before the deadline,
// and the sentence saying which rule did:
// - the latest round's authoritative servers answered NXDOMAIN for a
//   hostname (a DNS_FAILURE with resolver "authoritative"): the name does
//   not exist, waiting cannot change that;
// - the last FailAfterRounds() rounds all FAILED, all started after round
//   1's longest TTL (its DNS views' min_ttl and its diagnoses'
//   ttl_left_seconds) had run out since round 1 started, and share a
//   failing diagnosis (same kind, IP, regions, paths, resolver and agent).
// For each report: true when it FAILED only because of STALE_RESOLVER
// diagnoses whose resolver is still within the TTL its stale answer had
// when first seen (the round that first reported it, started_at plus its
// ttl_left_seconds): a cache that has not had time to let go is still
// converging, not failing. Once that moment has passed, the same stale
// answer is a failure.
std::vector<bool> StillConverging(const std::vector<v1::RoundReport>& recent);

std::optional<std::string> EarlyAnswer(
    const v1::Schedule& schedule, const std::vector<v1::RoundReport>& recent);
absl::Duration Deadline(const v1::Schedule& schedule);

// Folds a finished round into the verification. `recent` = the reports of
// all rounds so far including the latest, oldest first. Pure: the result
// depends only on the arguments (`now` is the caller's clock).
//
// A verification already CONVERGED, DIVERGED, INCONCLUSIVE or CANCELLED is
// returned unchanged: terminal states are final. Otherwise (RUNNING, or
// UNSPECIFIED, read as RUNNING):
// - rounds_completed = recent.size().
// - first_inconsistency_at = finished_at of the earliest FAIL report (an
//   INCONCLUSIVE round saw too little to call anything inconsistent).
// - CONVERGED when the last K = schedule.stable_rounds (0 means 2) reports
//   are all PASS. Checked before the deadline: rounds the runner started
//   count even when they end past it.
//   time_to_consistency = finished_at of the FIRST round of that run of
//   PASS rounds (the first of the K stable rounds) minus
//   created_at. Why the end of that round: it is the moment the engine had
//   seen every region and IP consistent, so the figure never claims
//   consistency earlier than it was observed. The fix (the last edge
//   flipping) happened after some probe of the previous, failing round and
//   before the first round's last probe, so the figure overstates the true
//   moment by at most one round interval plus one round's duration, and by
//   one interval when the round's probes are quick; it never understates it.
//   When the very first rounds pass, it is the first round's end.
// - Otherwise DIVERGED at once when EarlyAnswer() says so (its sentence is
//   the reason).
// - Otherwise, when `now` is at or after created_at + deadline (unset means
//   10 min): walk back over the last K reports, skipping INCONCLUSIVE ones;
//   the first decisive one decides:
//     FAIL -> DIVERGED;
//     PASS -> INCONCLUSIVE ("deadline while still converging", DESIGN.md's
//             CLI exit code 2: the latest evidence is good but not yet K
//             rounds of it);
//     none (no reports, or all INCONCLUSIVE: no quorum) -> INCONCLUSIVE.
//   A FAIL report that StillConverging() marks is skipped like an
//   INCONCLUSIVE one; when only such reports are found the verification is
//   INCONCLUSIVE ("resolvers were still within the TTL of their old
//   answer").
// - finished_at = now when the state turns terminal.
// - state_reason: one sentence; while RUNNING it tells the progress
//   ("Round 3 passed; 1 of 2 stable rounds so far.").
v1::Verification AdvanceVerification(const v1::Verification& verification,
                                     const std::vector<v1::RoundReport>& recent,
                                     absl::Time now);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_VERIFICATION_STATE_H_
