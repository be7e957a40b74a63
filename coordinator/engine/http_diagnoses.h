// Diagnoses read from the HTTP phase: BAD_IP, INTERMITTENT, AGENT_NETWORK.
#ifndef PROPWATCH_COORDINATOR_ENGINE_HTTP_DIAGNOSES_H_
#define PROPWATCH_COORDINATOR_ENGINE_HTTP_DIAGNOSES_H_

#include <vector>

#include "coordinator/engine/dns_answers.h"
#include "coordinator/engine/http_probes.h"
#include "coordinator/engine/round_input.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// All three read cell statuses, which already leave out unsupported probes
// and failures blamed on an agent's own path (http_probes.h), so a lossy
// agent can never make an IP look bad or intermittent.
//
// BAD_IP, one per (hostname, ip), when both hold:
//   - the IP has a FAIL cell (on some path) from at least two thirds of the
//     regions whose probes of it count ("nearly all": with the anycast
//     edges of the 2023 incident, the same IP can be wrong from eu and us
//     and right from ap);
//   - in every one of those failing regions another IP of the same
//     hostname has a PASS cell: cross-probing shows the region's network
//     and the name are fine, the IP is not.
//   A MIXED cell is not a failing one (that is INTERMITTENT).
//   With cross-probing every region probes the IP, so the regions it fails
//   from are not the regions whose users get it: the summary also names the
//   regions whose own (non-authoritative) resolvers handed the IP out this
//   round, from `dns` (eu-west and us-east in the 2023 incident replay,
//   tests/lab/scenario_stale_edge.sh).
// INTERMITTENT, one per (hostname, ip) with MIXED cells: the same region
//   both passed and failed the same IP and path within the round. (Across
//   rounds is the runner's view; this function sees one round.)
// AGENT_NETWORK, one per agent with probes blamed on its path: network-
//   class errors (timeout, network, refused, cancelled at the phase
//   deadline) on cells that another agent of its region passed, and then
//   all its network-class failures
//   (http_probes.h). Informational: the verdict ignores it unless it
//   costs the region its quorum (quorum.h).
std::vector<v1::Diagnosis> DiagnoseHttp(const HttpRound& round,
                                        const DnsRound& dns,
                                        const RoundInput& input,
                                        const v1::VerificationSpec& spec);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_HTTP_DIAGNOSES_H_
