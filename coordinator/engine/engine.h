// The consistency engine (issue 5): pure functions from a round's results to
// its report, and from reports to the verification's state. No I/O, no
// threads, no clocks: time comes in as arguments. Every function is safe to
// call from any thread on distinct arguments.
//
//   PlanHttpTargets()      DNS phase results -> the IPs each agent probes
//   EvaluateRound()        a round's results  -> RoundReport
//   AdvanceVerification()  reports so far    -> Verification state
#ifndef PROPWATCH_COORDINATOR_ENGINE_ENGINE_H_
#define PROPWATCH_COORDINATOR_ENGINE_ENGINE_H_

#include "coordinator/engine/evaluate_round.h"
#include "coordinator/engine/http_targets.h"
#include "coordinator/engine/round_input.h"
#include "coordinator/engine/verification_state.h"

#endif  // PROPWATCH_COORDINATOR_ENGINE_ENGINE_H_
