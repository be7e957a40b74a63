#include "coordinator/engine/dns_diagnoses.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/engine/evidence.h"
#include "coordinator/engine/summary_text.h"

namespace propwatch {
namespace {

// Answers gathered for one resolver, or one region.
struct AnswerSet {
  std::set<std::string> addresses;
  std::map<std::string, uint32_t> address_ttl;
  std::optional<uint32_t> min_ttl;
  std::set<std::string> kinds;
  std::set<std::string> expectation_failures;
  std::vector<uint32_t> result_indices;

  void Add(const DnsAnswerRow& row) {
    addresses.insert(row.addresses.begin(), row.addresses.end());
    for (const auto& [address, ttl] : row.address_ttl) {
      auto [it, inserted] = address_ttl.try_emplace(address, ttl);
      if (!inserted) it->second = std::min(it->second, ttl);
    }
    if (row.has_records) {
      min_ttl = min_ttl ? std::min(*min_ttl, row.min_ttl) : row.min_ttl;
    }
    kinds.insert(row.resolver_kind);
    expectation_failures.insert(row.expectation_failures.begin(),
                                row.expectation_failures.end());
    result_indices.push_back(row.result_index);
  }

  // Smallest TTL of the records carrying addresses outside `reference`; the
  // smallest TTL of the whole answer when none carries one.
  uint32_t TtlOfAddressesOutside(const std::set<std::string>& reference) const {
    std::optional<uint32_t> ttl;
    for (const auto& [address, address_ttl_value] : address_ttl) {
      if (reference.count(address) > 0) continue;
      ttl = ttl ? std::min(*ttl, address_ttl_value) : address_ttl_value;
    }
    return ttl.value_or(min_ttl.value_or(0));
  }
};

std::string Addresses(const std::set<std::string>& addresses) {
  return addresses.empty() ? "no address" : absl::StrJoin(addresses, ", ");
}

std::string ClearsIn(uint32_t ttl) {
  return ttl == 0 ? "it should clear on its next lookup"
                  : absl::StrCat("it should clear within ", ttl, " s");
}

void DiagnoseStaleResolvers(const DnsRound& dns, const RoundInput& input,
                            std::vector<v1::Diagnosis>& out) {
  std::map<std::tuple<std::string, std::string, std::string>, AnswerSet>
      resolvers;
  for (const DnsAnswerRow& row : dns.rows) {
    if (row.resolver_kind == kAuthoritativeKind) continue;
    if (dns.authority.count(row.hostname) == 0) continue;
    resolvers[std::make_tuple(row.hostname, row.region, row.server)].Add(row);
  }
  for (const auto& [key, answers] : resolvers) {
    const auto& [hostname, region, server] = key;
    const std::set<std::string>& authority =
        *dns.AuthorityFor(hostname, region);
    if (AgreesWithAuthority(answers.addresses, authority)) continue;
    std::set<std::string> stale;
    std::set_difference(answers.addresses.begin(), answers.addresses.end(),
                        authority.begin(), authority.end(),
                        std::inserter(stale, stale.end()));
    uint32_t ttl = answers.TtlOfAddressesOutside(authority);
    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_STALE_RESOLVER);
    d.set_resolver(server);
    d.add_regions(region);
    if (stale.size() == 1) d.set_ip(*stale.begin());
    d.set_ttl_left_seconds(ttl);
    d.set_summary(
        absl::StrCat("Resolver ", server.empty() ? "(unknown)" : server, " (",
                     absl::StrJoin(answers.kinds, "/"), ", ", region,
                     ") still answers ", Addresses(answers.addresses), " for ",
                     hostname, " while the authoritative servers answer ",
                     Addresses(authority), "; ", ClearsIn(ttl)));
    SetEvidence(input.result_keys, answers.result_indices, &d);
  }
}

void DiagnoseDivergentRegions(const DnsRound& dns, const RoundInput& input,
                              std::vector<v1::Diagnosis>& out) {
  // hostname -> region -> the region's recursive answers.
  std::map<std::string, std::map<std::string, AnswerSet>> regions;
  for (const DnsAnswerRow& row : dns.rows) {
    if (row.resolver_kind == kAuthoritativeKind) continue;
    regions[row.hostname][row.region].Add(row);
  }
  const v1::VerificationSpec& spec =
      input.verification != nullptr ? input.verification->spec()
                                    : v1::VerificationSpec::default_instance();
  // GeoDNS (the default) gives regions different answers on purpose: only
  // the strict mode compares regions with each other.
  const bool strict = spec.dns_consistency() == v1::DNS_CONSISTENCY_STRICT;
  // Addresses the spec allows: an answer inside them is right wherever it is
  // seen, so it is never divergent (the agents check the expectation).
  const bool addresses_expected =
      !spec.dns_expect().addresses_equal().empty() ||
      !spec.dns_expect().addresses_within().empty();
  for (const auto& [hostname, by_region] : regions) {
    bool authority_known = dns.authority.count(hostname) > 0;
    // The set a strict majority of regions returns, if there is one.
    std::map<std::set<std::string>, std::vector<std::string>> by_answer;
    for (const auto& [region, answers] : by_region) {
      by_answer[answers.addresses].push_back(region);
    }
    const std::set<std::string>* majority = nullptr;
    const std::vector<std::string>* majority_regions = nullptr;
    for (const auto& [answer, answer_regions] : by_answer) {
      if (answer_regions.size() * 2 > by_region.size()) {
        majority = &answer;
        majority_regions = &answer_regions;
      }
    }
    for (const auto& [region, answers] : by_region) {
      bool fails_expectation = !answers.expectation_failures.empty();
      bool peer_divergent = strict && !authority_known && majority != nullptr &&
                            !(addresses_expected && !fails_expectation) &&
                            !AgreesWithAuthority(answers.addresses, *majority);
      if (!peer_divergent && !fails_expectation) continue;
      std::vector<std::string> reasons;
      uint32_t ttl = answers.min_ttl.value_or(0);
      if (peer_divergent) {
        ttl = answers.TtlOfAddressesOutside(*majority);
        reasons.push_back(absl::StrCat("while most regions (",
                                       JoinWithAnd(*majority_regions), ") get ",
                                       Addresses(*majority)));
      }
      if (fails_expectation) {
        reasons.push_back(absl::StrCat(
            "which fails the DNS expectation (",
            absl::StrJoin(answers.expectation_failures, "; "), ")"));
      }
      v1::Diagnosis& d = out.emplace_back();
      d.set_kind(v1::DIAGNOSIS_KIND_REGION_DNS_DIVERGENT);
      d.add_regions(region);
      if (answers.addresses.size() == 1) d.set_ip(*answers.addresses.begin());
      d.set_resolver(absl::StrJoin(answers.kinds, "/"));
      d.set_ttl_left_seconds(ttl);
      d.set_summary(absl::StrCat("Region ", region, " resolves ", hostname,
                                 " to ", Addresses(answers.addresses), " ",
                                 absl::StrJoin(reasons, ", "),
                                 "; that answer has ", ttl, " s of TTL left"));
      SetEvidence(input.result_keys, answers.result_indices, &d);
    }
  }
}

}  // namespace

std::vector<v1::Diagnosis> DiagnoseDns(const DnsRound& dns,
                                       const RoundInput& input) {
  std::vector<v1::Diagnosis> out;
  DiagnoseStaleResolvers(dns, input, out);
  DiagnoseDivergentRegions(dns, input, out);
  return out;
}

}  // namespace propwatch
