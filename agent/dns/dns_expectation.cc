#include "agent/dns/dns_expectation.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/dns/dns_message.h"
#include "agent/dns/dns_name.h"
#include "agent/dns/ip_prefix.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsExpectation;
using propwatch::v1::DnsResult;
using propwatch::v1::ExpectationFailure;
using Failures = google::protobuf::RepeatedPtrField<ExpectationFailure>;

void Add(absl::string_view field, std::string message, Failures* failures) {
  ExpectationFailure* failure = failures->Add();
  failure->set_field(std::string(field));
  failure->set_message(std::move(message));
}

std::string Braced(const std::vector<std::string>& items) {
  return absl::StrCat("{", absl::StrJoin(items, ", "), "}");
}

bool AddressChecked(const DnsResult& result) {
  return result.type() == propwatch::v1::RECORD_TYPE_A ||
         result.type() == propwatch::v1::RECORD_TYPE_AAAA;
}

// The answered addresses, parsed, in answer order without repeats.
std::vector<IpAddress> Answered(const DnsResult& result) {
  std::vector<IpAddress> out;
  for (const std::string& text : result.addresses()) {
    absl::StatusOr<IpAddress> address = ParseIpAddress(text);
    if (!address.ok()) continue;  // the reply reader only stores literals
    if (std::find(out.begin(), out.end(), *address) == out.end()) {
      out.push_back(*address);
    }
  }
  return out;
}

std::vector<std::string> Texts(const std::vector<IpAddress>& addresses) {
  std::vector<std::string> out;
  out.reserve(addresses.size());
  for (const IpAddress& address : addresses) out.push_back(address.ToString());
  return out;
}

void CheckAddressesEqual(const DnsExpectation& expect, const DnsResult& result,
                         Failures* failures) {
  const bool want_v6 = result.type() == propwatch::v1::RECORD_TYPE_AAAA;
  std::vector<IpAddress> expected;
  for (const std::string& entry : expect.addresses_equal()) {
    absl::StatusOr<IpAddress> address = ParseIpAddress(entry);
    if (!address.ok()) {
      Add("addresses_equal",
          absl::StrCat("expected address '", entry, "' is not an IP address"),
          failures);
      return;
    }
    if (address->is_v6 == want_v6 && std::find(expected.begin(), expected.end(),
                                               *address) == expected.end()) {
      expected.push_back(*address);
    }
  }
  const std::vector<IpAddress> answered = Answered(result);
  std::vector<IpAddress> unexpected;
  std::vector<IpAddress> missing;
  for (const IpAddress& a : answered) {
    if (std::find(expected.begin(), expected.end(), a) == expected.end()) {
      unexpected.push_back(a);
    }
  }
  for (const IpAddress& e : expected) {
    if (std::find(answered.begin(), answered.end(), e) == answered.end()) {
      missing.push_back(e);
    }
  }
  if (unexpected.empty() && missing.empty()) return;
  std::string message = absl::StrCat(
      dns::TypeName(static_cast<uint16_t>(result.type())), " answer ",
      Braced(Texts(answered)), " is not ", Braced(Texts(expected)));
  if (!unexpected.empty()) {
    absl::StrAppend(&message, "; unexpected ",
                    absl::StrJoin(Texts(unexpected), ", "));
  }
  if (!missing.empty()) {
    absl::StrAppend(&message, "; missing ",
                    absl::StrJoin(Texts(missing), ", "));
  }
  Add("addresses_equal", std::move(message), failures);
}

void CheckAddressesWithin(const DnsExpectation& expect, const DnsResult& result,
                          Failures* failures) {
  std::vector<IpPrefix> prefixes;
  std::vector<std::string> prefix_texts;
  for (const std::string& entry : expect.addresses_within()) {
    absl::StatusOr<IpPrefix> prefix = ParseIpPrefix(entry);
    if (!prefix.ok()) {
      Add("addresses_within",
          absl::StrCat("expected range '", entry,
                       "' is not an IP address or CIDR prefix"),
          failures);
      return;
    }
    prefixes.push_back(*prefix);
    prefix_texts.push_back(prefix->ToString());
  }
  std::vector<IpAddress> outside;
  for (const IpAddress& address : Answered(result)) {
    const bool inside =
        std::any_of(prefixes.begin(), prefixes.end(),
                    [&](const IpPrefix& p) { return p.Contains(address); });
    if (!inside) outside.push_back(address);
  }
  if (outside.empty()) return;
  Add("addresses_within",
      absl::StrCat(dns::TypeName(static_cast<uint16_t>(result.type())),
                   " answer ", Braced(Texts(outside)), " is not within ",
                   absl::StrJoin(prefix_texts, ", ")),
      failures);
}

void CheckCnameTarget(const DnsExpectation& expect, const DnsResult& result,
                      Failures* failures) {
  for (const std::string& name : result.cname_chain()) {
    if (SameName(name, expect.cname_target()) &&
        !SameName(name, result.hostname())) {
      return;
    }
  }
  if (result.cname_chain().empty()) {
    Add("cname_target",
        absl::StrCat("no CNAME for ", result.hostname(),
                     "; expected a chain to ", expect.cname_target()),
        failures);
    return;
  }
  Add("cname_target",
      absl::StrCat("CNAME chain ", absl::StrJoin(result.cname_chain(), " -> "),
                   " does not reach ", expect.cname_target()),
      failures);
}

void CheckRcode(const DnsExpectation& expect, const DnsResult& result,
                Failures* failures) {
  const int want = RcodeFromName(expect.rcode());
  if (want < 0) {
    Add("rcode",
        absl::StrCat("expected rcode '", expect.rcode(),
                     "' is not an rcode name"),
        failures);
    return;
  }
  if (result.rcode() == RcodeName(want)) return;
  Add("rcode",
      absl::StrCat("rcode ", result.rcode(), ", expected ", RcodeName(want)),
      failures);
}

}  // namespace

absl::Status ValidateDnsExpectation(const DnsExpectation& expect) {
  for (const std::string& entry : expect.addresses_equal()) {
    if (absl::StatusOr<IpAddress> a = ParseIpAddress(entry); !a.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("expect.addresses_equal: ", a.status().message()));
    }
  }
  for (const std::string& entry : expect.addresses_within()) {
    if (absl::StatusOr<IpPrefix> p = ParseIpPrefix(entry); !p.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("expect.addresses_within: ", p.status().message()));
    }
  }
  if (!expect.rcode().empty() && RcodeFromName(expect.rcode()) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("expect.rcode: '", expect.rcode(),
                     "' is not an rcode name such as NOERROR or NXDOMAIN"));
  }
  if (!expect.cname_target().empty()) {
    if (absl::StatusOr<std::string> n =
            NormalizeHostname(expect.cname_target());
        !n.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("expect.cname_target: ", n.status().message()));
    }
  }
  return absl::OkStatus();
}

void AppendDnsExpectationFailures(const DnsExpectation& expect,
                                  const DnsResult& result, Failures* failures) {
  const bool check_equal =
      !expect.addresses_equal().empty() && AddressChecked(result);
  const bool check_within =
      !expect.addresses_within().empty() && AddressChecked(result);
  const bool check_cname = !expect.cname_target().empty();
  const bool check_rcode = !expect.rcode().empty();
  if (result.rcode().empty()) {
    const std::string why = absl::StrCat(
        "no reply from ",
        result.server().empty() ? "the resolver" : result.server(), " (",
        propwatch::v1::ErrorClass_Name(result.error_class()), "), so ");
    if (check_equal) {
      Add("addresses_equal",
          absl::StrCat(why, "the answer could not be compared with ",
                       Braced({expect.addresses_equal().begin(),
                               expect.addresses_equal().end()})),
          failures);
    }
    if (check_within) {
      Add("addresses_within",
          absl::StrCat(why, "the answer could not be checked against ",
                       absl::StrJoin(expect.addresses_within(), ", ")),
          failures);
    }
    if (check_cname) {
      Add("cname_target",
          absl::StrCat(why, "the CNAME chain could not be checked for ",
                       expect.cname_target()),
          failures);
    }
    if (check_rcode) {
      Add("rcode",
          absl::StrCat(why, "there is no rcode; expected ", expect.rcode()),
          failures);
    }
    return;
  }
  if (check_equal) CheckAddressesEqual(expect, result, failures);
  if (check_within) CheckAddressesWithin(expect, result, failures);
  if (check_cname) CheckCnameTarget(expect, result, failures);
  if (check_rcode) CheckRcode(expect, result, failures);
}

}  // namespace propwatch::dns
