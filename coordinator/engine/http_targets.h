// Which IPs each agent probes in a round's HTTP phase (the pin modes).
#ifndef PROPWATCH_COORDINATOR_ENGINE_HTTP_TARGETS_H_
#define PROPWATCH_COORDINATOR_ENGINE_HTTP_TARGETS_H_

#include <map>
#include <string>
#include <vector>

#include "propwatch/v1/control.pb.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// The IPs each agent must probe in the HTTP phase, from the round's DNS
// results. Returns hostname -> agent_id -> sorted IPs.
// - PIN_MODE_RESOLVED: the A/AAAA addresses that agent itself got for the
//   hostname from its recursive resolvers (system and address kinds: what
//   users there get). An agent with no recursive result for the hostname
//   (the spec asks only authoritative servers) probes what those told it;
//   one whose resolvers answered with no address probes nothing.
// - PIN_MODE_ALL_OBSERVED and PIN_MODE_UNSPECIFIED (the default): the union
//   of the addresses any agent saw for the hostname this round, from any
//   resolver kind (authoritative included: an IP the zone serves but no
//   resolver hands out yet is exactly one to cross-probe before users get
//   it), the same list for every participant.
// - PIN_MODE_EXPLICIT: spec.explicit_ips for every participant.
// Keys are the spec's hostnames as written; DNS results match them
// case-insensitively and without a trailing dot. Only participants appear,
// and an agent with nothing to probe for a hostname is left out of that
// hostname's map (so a hostname nobody resolved maps to an empty map).
// IPs are deduplicated and sorted as strings; results with an error carry no
// addresses and add nothing.
std::map<std::string, std::map<std::string, std::vector<std::string>>>
PlanHttpTargets(const v1::VerificationSpec& spec,
                const std::map<std::string, std::string>& participants,
                const std::vector<v1::ProbeResult>& dns_results);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_HTTP_TARGETS_H_
