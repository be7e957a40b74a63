// EvaluateRound: one round's results in, the round report out.
#ifndef PROPWATCH_COORDINATOR_ENGINE_EVALUATE_ROUND_H_
#define PROPWATCH_COORDINATOR_ENGINE_EVALUATE_ROUND_H_

#include <string>

#include "coordinator/engine/round_input.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// The region x IP x path matrix, DNS views, diagnoses and verdict of a round.
// Pure: same input, same report (no clock, no I/O, no randomness), so a
// report recomputed from stored results equals the stored one. Order:
//   cells by (region, ip, hostname, path) (matrix.h);
//   dns by (region, resolver_kind, hostname) (dns_view.h);
//   diagnoses by (kind, ip, regions, agent_id, resolver, summary);
//   missing_agents sorted; evidence in key order (evidence.h).
// Hostnames are compared and reported normalized (url_parts.h).
// Semantics of each part: http_probes.h (pass/fail, agreement majority,
// blame), http_diagnoses.h, dns_diagnoses.h, quorum.h, verdict.h.
// Cost: linear in results plus sorting the (few) cells and diagnoses;
// 1,000,000 results in well under a second (docs/BENCHMARKS.md).
v1::RoundReport EvaluateRound(const RoundInput& input);

// The report's bytes with deterministic serialization (map fields such as
// MatrixCell.status_histogram in key order), so "byte-identical" holds
// across processes too. Store reports with this.
std::string SerializeReportDeterministically(const v1::RoundReport& report);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_EVALUATE_ROUND_H_
