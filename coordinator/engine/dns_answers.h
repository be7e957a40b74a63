// The DNS phase of a round, gathered per resolver answer: what each region's
// resolvers and the authoritative servers said about each hostname.
#ifndef PROPWATCH_COORDINATOR_ENGINE_DNS_ANSWERS_H_
#define PROPWATCH_COORDINATOR_ENGINE_DNS_ANSWERS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "coordinator/engine/round_input.h"

namespace propwatch {

inline constexpr char kAuthoritativeKind[] = "authoritative";

// One DNS result that got an answer (rcode NOERROR, NXDOMAIN or NODATA;
// timeouts and other errors say nothing about the record set).
struct DnsAnswerRow {
  uint32_t result_index = 0;
  std::string region;
  std::string agent_id;
  std::string resolver_kind;           // "system", "address", "authoritative"
  std::string server;                  // "ip:port" that answered
  std::string hostname;                // normalized (url_parts.h)
  std::vector<std::string> addresses;  // A/AAAA of the final name
  // The answer section had records (NXDOMAIN / NODATA answers have none).
  bool has_records = false;
  // Smallest TTL of any record in the answer; 0 when it has none.
  uint32_t min_ttl = 0;
  // address -> smallest TTL of the A/AAAA records carrying it.
  std::map<std::string, uint32_t> address_ttl;
  // The agent's DNS expectation check failed ("field: message" each).
  std::vector<std::string> expectation_failures;
};

struct DnsRound {
  std::vector<DnsAnswerRow> rows;  // in result order
  // hostname -> region -> addresses the authoritative servers gave agents
  // of that region. Kept per region because authoritative servers may answer
  // by client location (GeoDNS): a region's resolvers are compared with
  // what the zone tells that region.
  std::map<std::string, std::map<std::string, std::set<std::string>>> authority;

  // The authoritative answer `region` should see for `hostname`: that
  // region's own authoritative results, or, when its agents asked no
  // authoritative server, the union over all regions. nullptr when no agent
  // got an authoritative answer for the hostname this round.
  const std::set<std::string>* AuthorityFor(const std::string& hostname,
                                            const std::string& region) const;

  // hostname -> union of `authority` over regions.
  std::map<std::string, std::set<std::string>> authority_union;
};

DnsRound CollectDnsAnswers(const RoundInput& input);

// A recursive answer agrees with the authority when every address it gives
// is one the authoritative servers serve, and it is empty only when theirs
// is. Containment rather than equality, because authoritative servers and
// resolvers legitimately return subsets of a pool (rotation, per-query
// subsets, "dynamically resolved to one of 2 IP addresses"); an address the
// zone no longer serves is what a stale or wrong answer looks like.
bool AgreesWithAuthority(const std::set<std::string>& addresses,
                         const std::set<std::string>& authority);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_DNS_ANSWERS_H_
