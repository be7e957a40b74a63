// Builds query messages, so the prober controls RD (RFC 1035 section 4.1.1).
#ifndef PROPWATCH_AGENT_DNS_DNS_QUERY_H_
#define PROPWATCH_AGENT_DNS_DNS_QUERY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch::dns {

// One class-IN question for `name` (presentation form) and `type`, with the
// RD bit as given and ID 0 (ares_send assigns the ID). No EDNS OPT record:
// c-ares 1.18 only knows a reply's size limit from its own ARES_FLAG_EDNS
// handling, which rewrites queries and flips channel-wide state when a
// server answers SERVFAIL; plain RFC 1035 queries with TCP fallback on TC
// report exactly what the server said.
absl::StatusOr<std::vector<uint8_t>> BuildDnsQuery(absl::string_view name,
                                                   uint16_t type,
                                                   bool recursion_desired);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_DNS_QUERY_H_
