// Diagnoses read from the DNS phase: STALE_RESOLVER, REGION_DNS_DIVERGENT.
#ifndef PROPWATCH_COORDINATOR_ENGINE_DNS_DIAGNOSES_H_
#define PROPWATCH_COORDINATOR_ENGINE_DNS_DIAGNOSES_H_

#include <vector>

#include "coordinator/engine/dns_answers.h"
#include "coordinator/engine/round_input.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// The reference an answer is judged against depends on what the round knows:
//
// STALE_RESOLVER (needs an authoritative answer for the hostname this
//   round): one per (hostname, region, resolver server) whose answers, over
//   all record types, do not agree with DnsRound::AuthorityFor() (see
//   AgreesWithAuthority()). The resolver is keyed with its region because a
//   system resolver's address (10.0.0.2:53) names different machines in
//   different regions. ttl_left_seconds is the smallest remaining TTL of the
//   records carrying addresses the zone no longer serves: when the cache
//   should let go of them. (For a wrong empty answer, the smallest TTL in
//   it, 0 when it has none: the negative-caching TTL sits in the authority
//   section, which results do not record.)
//
// REGION_DNS_DIVERGENT, one per (hostname, region), when
//   - spec.dns_consistency is STRICT, no authoritative answer is known, the
//     spec's DNS expectation names no addresses the answer satisfies, and
//     the region's resolvers (all non-authoritative kinds together) return
//     an address outside the set a strict majority of regions agrees on
//     (with no majority nothing is claimed). In the default GEO mode,
//     regions are never compared with each other: GeoDNS answers differ on
//     purpose, and the HTTP matrix probes every IP any region got from
//     every region; or
//   - the region's resolvers fail the spec's DNS expectation.
//   With an authoritative answer known, a region whose resolvers disagree
//   with it is reported resolver by resolver as STALE_RESOLVER instead, so
//   one cause is not reported twice.
std::vector<v1::Diagnosis> DiagnoseDns(const DnsRound& dns,
                                       const RoundInput& input);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_DNS_DIAGNOSES_H_
