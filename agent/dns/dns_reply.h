// Turns one parsed reply into the facts a DnsResult reports: rcode, AA flag,
// the answer section in order, the CNAME chain, the final name's addresses
// and, when the reply is not a usable answer, an error class with a sentence
// naming the server and the name. Pure code, no I/O.
#ifndef PROPWATCH_AGENT_DNS_DNS_REPLY_H_
#define PROPWATCH_AGENT_DNS_DNS_REPLY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "agent/dns/dns_message.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::dns {

struct CnameChain {
  // The queried name followed by each CNAME target in order; empty when the
  // answer holds no CNAME for the queried name.
  std::vector<std::string> names;
  // Where the chain ends: the last target, or the queried name itself.
  std::string final_name;
  // The chain revisits a name (a CNAME loop); `names` stops before the
  // repeat.
  bool loops = false;
};

// Follows CNAME records of class IN from `name` through `answers`, in the
// order the server gave them (RFC 1034 section 3.6.2, RFC 2181 section 10.1).
CnameChain FollowCnameChain(const std::vector<DnsRecord>& answers,
                            absl::string_view name);

// Data of the records of `type` owned by `owner` (class IN), in answer order.
std::vector<std::string> RecordDataOf(const std::vector<DnsRecord>& records,
                                      absl::string_view owner, uint16_t type);

// Fills rcode, authoritative_answer, answers, cname_chain, addresses,
// error_class and error_message of `result` from `reply`, which `server`
// ("ip:port") sent for the question (`name`, `type`). Leaves every other field
// alone. Error classes: NXDOMAIN, SERVFAIL, REFUSED, NODATA (NOERROR without a
// record of `type` at the end of the chain, RFC 2308 section 2.2), MALFORMED
// (not a response to this question, or a CNAME loop) and PROTOCOL (any other
// rcode, e.g. FORMERR or NOTIMP).
void ReadReplyInto(const DnsMessage& reply, absl::string_view name,
                   uint16_t type, absl::string_view server,
                   propwatch::v1::DnsResult* result);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_DNS_REPLY_H_
