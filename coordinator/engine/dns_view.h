// The DNS views of a round report: per region, resolver kind and hostname.
#ifndef PROPWATCH_COORDINATOR_ENGINE_DNS_VIEW_H_
#define PROPWATCH_COORDINATOR_ENGINE_DNS_VIEW_H_

#include "coordinator/engine/dns_answers.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// Appends one DnsView per (region, resolver_kind, hostname) that got at
// least one answer, sorted by those three:
// - addresses: distinct A/AAAA addresses of all its answers, sorted;
// - min_ttl: smallest TTL of any record in those answers;
// - agrees_with_authoritative: AgreesWithAuthority() against
//   DnsRound::AuthorityFor(hostname, region); always true for the
//   authoritative view itself; false when no authoritative answer is known
//   this round (the field means "agrees with a known authoritative answer");
// - authority: the same as AGREES / DISAGREES, or NOT_ASKED when no
//   authoritative answer is known for the hostname this round.
void AppendDnsViews(const DnsRound& dns, v1::RoundReport* report);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_DNS_VIEW_H_
