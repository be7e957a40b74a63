// DNS expectations (DnsExpectation) checked against one DnsResult. Pure code:
// each failed expectation becomes an ExpectationFailure with a sentence a
// person understands, e.g. "A answer {203.0.113.7} is not within
// 198.51.100.0/24".
//
// Address checks look at the family the result asked for: an A result is
// held to the IPv4 entries and an AAAA result to the IPv6 entries, so one
// expectation covers the name's whole address set across its A and AAAA
// results. Results of other types (CNAME, NS, SOA) carry no addresses and
// are not address-checked. A result without a reply (timeout, network error)
// fails every expectation that is set, because nothing could be checked.
#ifndef PROPWATCH_AGENT_DNS_DNS_EXPECTATION_H_
#define PROPWATCH_AGENT_DNS_DNS_EXPECTATION_H_

#include "absl/status/status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::dns {

// InvalidArgument naming the field and entry when an address is not an IP,
// a prefix is not an IP or CIDR, or the rcode name is unknown.
absl::Status ValidateDnsExpectation(
    const propwatch::v1::DnsExpectation& expect);

// Appends one failure per expectation in `expect` that `result` does not
// meet. Entries that do not parse are reported as failures too, so an
// unvalidated expectation never passes silently.
void AppendDnsExpectationFailures(
    const propwatch::v1::DnsExpectation& expect,
    const propwatch::v1::DnsResult& result,
    google::protobuf::RepeatedPtrField<propwatch::v1::ExpectationFailure>*
        failures);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_DNS_EXPECTATION_H_
