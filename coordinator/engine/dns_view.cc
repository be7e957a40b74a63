#include "coordinator/engine/dns_view.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

namespace propwatch {
namespace {

struct ViewTally {
  std::set<std::string> addresses;
  uint32_t min_ttl = 0;
  bool has_ttl = false;
};

}  // namespace

void AppendDnsViews(const DnsRound& dns, v1::RoundReport* report) {
  std::map<std::tuple<std::string, std::string, std::string>, ViewTally> views;
  for (const DnsAnswerRow& row : dns.rows) {
    ViewTally& view =
        views[std::make_tuple(row.region, row.resolver_kind, row.hostname)];
    view.addresses.insert(row.addresses.begin(), row.addresses.end());
    // A row with no records (NXDOMAIN, NODATA) has no TTL to offer.
    if (row.has_records) {
      view.min_ttl =
          view.has_ttl ? std::min(view.min_ttl, row.min_ttl) : row.min_ttl;
      view.has_ttl = true;
    }
  }
  for (const auto& [key, view] : views) {
    const auto& [region, kind, hostname] = key;
    v1::DnsView* out = report->add_dns();
    out->set_region(region);
    out->set_resolver_kind(kind);
    out->set_hostname(hostname);
    for (const std::string& address : view.addresses) {
      out->add_addresses(address);
    }
    out->set_min_ttl(view.min_ttl);
    if (kind == kAuthoritativeKind) {
      out->set_agrees_with_authoritative(true);
      out->set_authority(v1::AUTHORITY_AGREEMENT_AGREES);
    } else if (const auto* authority = dns.AuthorityFor(hostname, region)) {
      const bool agrees = AgreesWithAuthority(view.addresses, *authority);
      out->set_agrees_with_authoritative(agrees);
      out->set_authority(agrees ? v1::AUTHORITY_AGREEMENT_AGREES
                                : v1::AUTHORITY_AGREEMENT_DISAGREES);
    } else {
      out->set_authority(v1::AUTHORITY_AGREEMENT_NOT_ASKED);
    }
  }
}

}  // namespace propwatch
