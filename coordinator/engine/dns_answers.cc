#include "coordinator/engine/dns_answers.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "coordinator/engine/url_parts.h"

namespace propwatch {
namespace {

bool Answered(v1::ErrorClass error_class) {
  return error_class == v1::ERROR_CLASS_UNSPECIFIED ||
         error_class == v1::ERROR_CLASS_NXDOMAIN ||
         error_class == v1::ERROR_CLASS_NODATA;
}

}  // namespace

const std::set<std::string>* DnsRound::AuthorityFor(
    const std::string& hostname, const std::string& region) const {
  auto host_it = authority.find(hostname);
  if (host_it == authority.end()) return nullptr;
  if (auto region_it = host_it->second.find(region);
      region_it != host_it->second.end()) {
    return &region_it->second;
  }
  return &authority_union.at(hostname);
}

DnsRound CollectDnsAnswers(const RoundInput& input) {
  DnsRound round;
  for (size_t i = 0; i < input.results.size(); ++i) {
    const v1::ProbeResult& result = input.results[i];
    if (!result.has_dns() || !Answered(result.dns().error_class())) continue;
    const v1::DnsResult& dns = result.dns();
    DnsAnswerRow& row = round.rows.emplace_back();
    row.result_index = static_cast<uint32_t>(i);
    row.region = std::string(RegionOf(result, input.participants));
    row.agent_id = result.agent_id();
    row.resolver_kind =
        dns.resolver_kind().empty() ? "system" : dns.resolver_kind();
    row.server = dns.server();
    row.hostname = NormalizeHostname(dns.hostname());
    row.addresses.assign(dns.addresses().begin(), dns.addresses().end());
    std::sort(row.addresses.begin(), row.addresses.end());
    row.addresses.erase(std::unique(row.addresses.begin(), row.addresses.end()),
                        row.addresses.end());
    row.has_records = dns.answers_size() > 0;
    bool first = true;
    for (const v1::DnsAnswer& answer : dns.answers()) {
      row.min_ttl = first ? answer.ttl() : std::min(row.min_ttl, answer.ttl());
      first = false;
      if (answer.type() == v1::RECORD_TYPE_A ||
          answer.type() == v1::RECORD_TYPE_AAAA) {
        auto [it, inserted] =
            row.address_ttl.try_emplace(answer.data(), answer.ttl());
        if (!inserted) it->second = std::min(it->second, answer.ttl());
      }
    }
    for (const v1::ExpectationFailure& failure : dns.failures()) {
      row.expectation_failures.push_back(
          absl::StrCat(failure.field(), ": ", failure.message()));
    }
    if (row.resolver_kind == kAuthoritativeKind) {
      round.authority[row.hostname][row.region].insert(row.addresses.begin(),
                                                       row.addresses.end());
      round.authority_union[row.hostname].insert(row.addresses.begin(),
                                                 row.addresses.end());
    }
  }
  return round;
}

bool AgreesWithAuthority(const std::set<std::string>& addresses,
                         const std::set<std::string>& authority) {
  if (addresses.empty() != authority.empty()) return false;
  return std::includes(authority.begin(), authority.end(), addresses.begin(),
                       addresses.end());
}

}  // namespace propwatch
