// Whether enough agents of every selected region reported: NO_QUORUM and
// the missing agents of a round report.
#ifndef PROPWATCH_COORDINATOR_ENGINE_QUORUM_H_
#define PROPWATCH_COORDINATOR_ENGINE_QUORUM_H_

#include <string>
#include <vector>

#include "coordinator/engine/http_probes.h"
#include "coordinator/engine/round_input.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

struct QuorumFindings {
  // Participants with no result at all this round, sorted.
  std::vector<std::string> missing_agents;
  // One NO_QUORUM per region short of its quorum, sorted by region.
  std::vector<v1::Diagnosis> diagnoses;
};

// The regions checked are selector.regions and the verification's
// expected_regions (fixed at creation), and, when selector.regions is empty,
// also the regions of the participants and of the results. A region with
// no agent asked this round is short of its quorum. The quorum is
// selector.min_agents_per_region (0 means 1).
//
// An agent counts toward its region's quorum when it sent at least one
// result and not every one of its HTTP probes was blamed on its own network
// path (AGENT_NETWORK): an agent that only times out while its neighbours
// get through has not measured the region. One lossy probe does not take
// an agent out of the count.
//
// A missing agent is listed in missing_agents but is NO_QUORUM only when
// its region falls below the quorum: the quorum is how a verification says
// how many absent agents it tolerates.
QuorumFindings CheckQuorum(const RoundInput& input, const HttpRound& http);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_QUORUM_H_
