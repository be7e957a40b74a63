// The verdict of one round.
#ifndef PROPWATCH_COORDINATOR_ENGINE_VERDICT_H_
#define PROPWATCH_COORDINATOR_ENGINE_VERDICT_H_

#include "propwatch/v1/control.pb.h"

namespace propwatch {

// Facts beyond the diagnoses that the verdict needs.
struct VerdictFacts {
  // Some cell is FAIL or MIXED (diagnosed or not: a failure the engine
  // cannot name still fails the round).
  bool failing_cell = false;
  // Some DNS answer failed the spec's DNS expectation (including the
  // authoritative servers' own answer: the change itself is wrong).
  bool dns_expectation_failed = false;
  // Some hostname of the spec has no HTTP cell at all: nothing was measured
  // for it, so the round cannot say it is consistent.
  bool hostname_unmeasured = false;
};

// AGENT_NETWORK is the one informational diagnosis: the IP is fine, one
// agent's path is not. It changes the verdict only through quorum.
bool IsInformational(v1::DiagnosisKind kind);

// In this order:
//   INCONCLUSIVE when any NO_QUORUM (never a PASS without quorum, and a
//     FAIL seen by too few agents is not trusted either: the region that
//     lacks agents may be exactly where the answer differs);
//   FAIL on any BAD_IP, REGION_DNS_DIVERGENT, STALE_RESOLVER, INTERMITTENT,
//     a failing cell or a failed DNS expectation;
//   INCONCLUSIVE when a hostname was not measured;
//   PASS otherwise (AGENT_NETWORK may be listed).
v1::Verdict DecideVerdict(
    const google::protobuf::RepeatedPtrField<v1::Diagnosis>& diagnoses,
    const VerdictFacts& facts);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_VERDICT_H_
