#include "coordinator/engine/failure_diagnoses.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/time_convert.h"
#include "coordinator/engine/evidence.h"
#include "coordinator/engine/summary_text.h"
#include "coordinator/engine/url_parts.h"

namespace propwatch {
namespace {

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list,
              const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool Cites(const v1::Diagnosis& d, const std::string& region,
           const std::string& ip, const std::string& path) {
  if (d.kind() == v1::DIAGNOSIS_KIND_AGENT_NETWORK ||
      d.kind() == v1::DIAGNOSIS_KIND_NO_QUORUM) {
    return false;
  }
  return (d.ip().empty() || d.ip() == ip) &&
         (d.regions().empty() || Contains(d.regions(), region)) &&
         (d.paths().empty() || Contains(d.paths(), path));
}

// Refused, reset or unreachable, timed out, or unfinished at the deadline.
bool Unreachable(const HttpProbe& probe) { return probe.network_error; }

std::string UnreachablePhrase(const std::set<v1::ErrorClass>& classes) {
  std::vector<std::string> words;
  if (classes.count(v1::ERROR_CLASS_REFUSED)) words.push_back("refuses");
  if (classes.count(v1::ERROR_CLASS_NETWORK)) {
    words.push_back("resets or is unreachable");
  }
  if (classes.count(v1::ERROR_CLASS_TIMEOUT) ||
      classes.count(v1::ERROR_CLASS_CANCELLED)) {
    words.push_back("times out");
  }
  return JoinWithAnd(words);
}

std::string UnreachableHint(const std::set<v1::ErrorClass>& classes,
                            const std::string& ip) {
  if (classes.count(v1::ERROR_CLASS_REFUSED)) {
    return absl::StrCat("Nothing listens on ", ip,
                        " at that port: check the edge's service and the "
                        "port in the spec.");
  }
  return absl::StrCat("Check that ", ip,
                      " is up and that firewalls and routes let the probes' "
                      "source addresses through.");
}

// The failing probes of every FAIL cell of one (hostname, ip), by region.
struct IpFailures {
  std::string hostname;
  std::string ip;
  std::set<std::string> pass_regions;                    // a PASS or MIXED cell
  std::map<std::string, std::vector<uint32_t>> failing;  // region -> probes
};

std::vector<uint32_t> ProbesOf(
    const std::map<std::string, std::vector<uint32_t>>& by_region) {
  std::vector<uint32_t> out;
  for (const auto& [region, probes] : by_region) {
    out.insert(out.end(), probes.begin(), probes.end());
  }
  return out;
}

std::vector<std::string> Keys(
    const std::map<std::string, std::vector<uint32_t>>& by_region) {
  std::vector<std::string> out;
  for (const auto& [region, probes] : by_region) out.push_back(region);
  return out;
}

std::string CertificateFacts(const v1::HttpResult& http) {
  std::vector<std::string> facts;
  const v1::CertificateInfo& cert = http.certificate();
  if (!cert.subject().empty()) {
    facts.push_back(absl::StrCat("subject ", cert.subject()));
  }
  if (!cert.subject_alt_names().empty()) {
    facts.push_back(
        absl::StrCat("names ", absl::StrJoin(cert.subject_alt_names(), ", ")));
  }
  if (!cert.issuer().empty()) {
    facts.push_back(absl::StrCat("issuer ", cert.issuer()));
  }
  if (cert.has_not_after()) {
    facts.push_back(absl::StrCat(
        "expires ", absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                     FromProtoTime(cert.not_after()),
                                     absl::UTCTimeZone())));
  }
  return facts.empty() ? "" : absl::StrCat(" (", JoinWithAnd(facts), ")");
}

std::string TlsHint(const std::string& error) {
  const std::string lower = absl::AsciiStrToLower(error);
  if (absl::StrContains(lower, "expired")) {
    return "Renew the certificate on this edge (and check that every edge "
           "got the renewed one).";
  }
  if (absl::StrContains(lower, "subject name") ||
      absl::StrContains(lower, "does not match") ||
      absl::StrContains(lower, "hostname")) {
    return "The edge serves a certificate for other names: check its "
           "certificate and SNI configuration for this hostname.";
  }
  if (absl::StrContains(lower, "wrong version number") ||
      absl::StrContains(lower, "packet length")) {
    return "The port answers plain HTTP: use scheme http, or the port that "
           "serves TLS.";
  }
  if (absl::StrContains(lower, "self-signed") ||
      absl::StrContains(lower, "self signed") ||
      absl::StrContains(lower, "issuer")) {
    return "The chain does not lead to a trusted CA: install the full chain "
           "on the edge, or give the spec your CA (ca_bundle).";
  }
  return "Check the edge's TLS configuration (certificate, chain, protocols).";
}

void DiagnoseIp(const HttpRound& http, const RoundInput& input,
                const IpFailures& ip, std::vector<v1::Diagnosis>& out,
                std::set<std::string>& replaces_bad_ip) {
  const std::vector<uint32_t> all = ProbesOf(ip.failing);
  std::set<v1::ErrorClass> classes;
  bool all_unreachable = !all.empty();
  std::map<std::string, std::vector<uint32_t>> tls;
  for (const auto& [region, probes] : ip.failing) {
    for (uint32_t p : probes) {
      const HttpProbe& probe = http.probes[p];
      if (!Unreachable(probe)) all_unreachable = false;
      classes.insert(probe.error_class);
      if (probe.error_class == v1::ERROR_CLASS_TLS) tls[region].push_back(p);
    }
  }
  if (all_unreachable && ip.pass_regions.empty()) {
    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_IP_UNREACHABLE);
    d.set_ip(ip.ip);
    for (const std::string& region : Keys(ip.failing)) d.add_regions(region);
    d.set_summary(absl::StrCat("IP ", ip.ip, " ", UnreachablePhrase(classes),
                               " for ", ip.hostname, " from every region (",
                               JoinWithAnd(Keys(ip.failing)),
                               "): the edge is down or not listening"));
    d.set_hint(UnreachableHint(classes, ip.ip));
    SetEvidence(input.result_keys, ResultIndices(http, all), &d);
    replaces_bad_ip.insert(ip.ip);
    return;
  }
  if (!tls.empty()) {
    const std::vector<uint32_t> tls_probes = ProbesOf(tls);
    const v1::HttpResult& first =
        input.results[http.probes[tls_probes.front()].result_index].http();
    const std::string error = !first.tls_verify_error().empty()
                                  ? first.tls_verify_error()
                                  : first.error_message();
    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_TLS_FAILURE);
    d.set_ip(ip.ip);
    for (const std::string& region : Keys(tls)) d.add_regions(region);
    d.set_summary(absl::StrCat("TLS fails on ", ip.ip, " for ", ip.hostname,
                               " from ", JoinWithAnd(Keys(tls)), ": ",
                               error.empty() ? "handshake failed" : error,
                               CertificateFacts(first)));
    d.set_hint(TlsHint(error));
    SetEvidence(input.result_keys, ResultIndices(http, tls_probes), &d);
    if (tls_probes.size() == all.size()) replaces_bad_ip.insert(ip.ip);
  }
}

// Every counted probe of `hostname` answered `status`, which fails.
void DiagnoseWrongStatus(const HttpRound& http, const RoundInput& input,
                         const v1::VerificationSpec& spec,
                         std::vector<v1::Diagnosis>& out) {
  struct Seen {
    std::set<uint32_t> statuses;
    bool all_wrong = true;
    bool any = false;
    std::set<std::string> regions, ips, paths;
    std::vector<uint32_t> probes;
  };
  std::map<std::string, Seen> by_host;
  for (const HttpCell& cell : http.cells) {
    Seen& seen = by_host[cell.hostname];
    for (uint32_t p : cell.probes) {
      const HttpProbe& probe = http.probes[p];
      if (probe.blamed_on_agent ||
          probe.outcome == ProbeOutcome::kUnsupported) {
        continue;
      }
      seen.any = true;
      seen.statuses.insert(
          probe.error_class == v1::ERROR_CLASS_UNSPECIFIED ? probe.status : 0);
      if (!(probe.outcome == ProbeOutcome::kFail && probe.wrong_status &&
            probe.error_class == v1::ERROR_CLASS_UNSPECIFIED)) {
        seen.all_wrong = false;
      }
      seen.regions.insert(cell.region);
      seen.ips.insert(cell.ip);
      seen.paths.insert(cell.path);
      seen.probes.push_back(p);
    }
  }
  for (const auto& [hostname, seen] : by_host) {
    if (!seen.any || !seen.all_wrong || seen.statuses.size() != 1) continue;
    const uint32_t status = *seen.statuses.begin();
    std::string location;
    for (uint32_t p : seen.probes) {
      const v1::HttpResult& r =
          input.results[http.probes[p].result_index].http();
      if (!r.redirect_location().empty()) {
        location = r.redirect_location();
        break;
      }
    }
    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_WRONG_STATUS);
    d.add_statuses(status);
    const std::vector<std::string> paths = OrderPaths(seen.paths, spec);
    for (const std::string& path : paths) d.add_paths(path);
    d.set_summary(absl::StrCat(
        "Every IP (", JoinWithAnd({seen.ips.begin(), seen.ips.end()}),
        ") from every region (",
        JoinWithAnd({seen.regions.begin(), seen.regions.end()}), ") answers ",
        status, " for ", hostname, " on ", JoinWithAnd(paths),
        location.empty() ? "" : absl::StrCat(" (Location: ", location, ")"),
        ": the origin or the expectation is wrong, not one edge"));
    d.set_hint(status >= 300 && status < 400
                   ? "Probe the URL it redirects to (scheme, host or path), "
                     "or allow the redirect status in the expectation."
                   : "Check the origin's answer for these paths, or the "
                     "expected statuses in the spec.");
    SetEvidence(input.result_keys, ResultIndices(http, seen.probes), &d);
  }
}

void DiagnoseRegionPaths(const HttpRound& http, const RoundInput& input,
                         const std::vector<IpFailures>& ips,
                         const std::vector<v1::Diagnosis>& known,
                         std::vector<v1::Diagnosis>& out) {
  std::map<std::string, std::vector<std::string>> agents_of;
  for (const auto& [agent, region] : input.participants) {
    agents_of[region].push_back(agent);
  }
  for (const IpFailures& ip : ips) {
    if (ip.pass_regions.empty()) continue;
    for (const auto& [region, probes] : ip.failing) {
      std::set<std::string> paths;
      std::vector<uint32_t> uncited;
      for (uint32_t p : probes) {
        const HttpCell& cell = http.cells[http.probes[p].cell];
        bool cited = false;
        for (const v1::Diagnosis& d : known) {
          cited = cited || Cites(d, cell.region, cell.ip, cell.path);
        }
        for (const v1::Diagnosis& d : out) {
          cited = cited || Cites(d, cell.region, cell.ip, cell.path);
        }
        if (cited) continue;
        paths.insert(cell.path);
        uncited.push_back(p);
      }
      if (uncited.empty()) continue;
      std::set<v1::ErrorClass> classes;
      std::set<uint32_t> statuses;
      bool unreachable = true;
      for (uint32_t p : uncited) {
        const HttpProbe& probe = http.probes[p];
        unreachable = unreachable && Unreachable(probe);
        classes.insert(probe.error_class);
        if (probe.error_class == v1::ERROR_CLASS_UNSPECIFIED) {
          statuses.insert(probe.status);
        }
      }
      std::vector<std::string> status_texts;
      for (uint32_t s : statuses) status_texts.push_back(absl::StrCat(s));
      const std::string what =
          unreachable
              ? absl::StrCat(UnreachablePhrase(classes), " from ", region)
              : (status_texts.empty()
                     ? absl::StrCat("fails from ", region)
                     : absl::StrCat("answers ", JoinWithAnd(status_texts),
                                    " in ", region));
      const std::vector<std::string> ordered =
          OrderPaths(paths, input.verification != nullptr
                                ? input.verification->spec()
                                : v1::VerificationSpec::default_instance());
      const auto& agents = agents_of[region];
      v1::Diagnosis& d = out.emplace_back();
      d.set_kind(v1::DIAGNOSIS_KIND_REGION_PATH);
      d.set_ip(ip.ip);
      d.add_regions(region);
      for (const std::string& path : ordered) d.add_paths(path);
      for (uint32_t s : statuses) d.add_statuses(s);
      std::string who = absl::StrCat(
          "; ", region, "'s path to it is broken while ",
          JoinWithAnd({ip.pass_regions.begin(), ip.pass_regions.end()}),
          " reach it");
      if (agents.size() == 1) {
        d.set_agent_id(agents.front());
        absl::StrAppend(&who, " (", agents.front(), " is the only agent of ",
                        region,
                        ", so the agent's own network and the "
                        "region's path cannot be told apart)");
      }
      d.set_summary(absl::StrCat("IP ", ip.ip, " ", what, " on ",
                                 JoinWithAnd(ordered), " for ", ip.hostname,
                                 who));
      d.set_hint(agents.size() == 1
                     ? absl::StrCat("Add a second agent in ", region,
                                    " to tell its network from the region's; "
                                    "meanwhile check routing from ",
                                    region, " to ", ip.ip, ".")
                     : absl::StrCat("Check routing, anycast and firewalls "
                                    "between ",
                                    region, " and ", ip.ip, "."));
      SetEvidence(input.result_keys, ResultIndices(http, uncited), &d);
    }
  }
}

}  // namespace

bool CitesCell(const v1::Diagnosis& diagnosis, const v1::MatrixCell& cell) {
  return Cites(diagnosis, cell.region(), cell.ip(), cell.path());
}

std::vector<v1::Diagnosis> DiagnoseFailures(
    const HttpRound& http, const RoundInput& input,
    const v1::VerificationSpec& spec, std::vector<v1::Diagnosis>& diagnoses) {
  std::map<std::pair<std::string, std::string>, IpFailures> by_ip;
  for (uint32_t c = 0; c < http.cells.size(); ++c) {
    const HttpCell& cell = http.cells[c];
    IpFailures& ip = by_ip[{cell.hostname, cell.ip}];
    ip.hostname = cell.hostname;
    ip.ip = cell.ip;
    if (cell.status == v1::CELL_STATUS_PASS ||
        cell.status == v1::CELL_STATUS_MIXED) {
      ip.pass_regions.insert(cell.region);
    }
    if (cell.status != v1::CELL_STATUS_FAIL) continue;
    for (uint32_t p : cell.probes) {
      const HttpProbe& probe = http.probes[p];
      if (probe.outcome != ProbeOutcome::kFail || probe.blamed_on_agent) {
        continue;
      }
      ip.failing[cell.region].push_back(p);
    }
  }
  std::vector<IpFailures> ips;
  for (auto& [key, ip] : by_ip) {
    if (!ip.failing.empty()) ips.push_back(std::move(ip));
  }

  std::vector<v1::Diagnosis> out;
  std::set<std::string> replaces_bad_ip;
  for (const IpFailures& ip : ips) {
    DiagnoseIp(http, input, ip, out, replaces_bad_ip);
  }
  diagnoses.erase(std::remove_if(diagnoses.begin(), diagnoses.end(),
                                 [&](const v1::Diagnosis& d) {
                                   return d.kind() ==
                                              v1::DIAGNOSIS_KIND_BAD_IP &&
                                          replaces_bad_ip.count(d.ip()) > 0;
                                 }),
                  diagnoses.end());
  DiagnoseWrongStatus(http, input, spec, out);
  DiagnoseRegionPaths(http, input, ips, diagnoses, out);
  return out;
}

std::vector<v1::Diagnosis> DiagnoseDnsFailures(const RoundInput& input) {
  // hostname -> region -> what its recursive resolvers said.
  struct RegionDns {
    bool has_address = false;
    std::set<std::string> rcodes;  // failing rcodes seen
    std::vector<uint32_t> results;
  };
  std::map<std::string, std::map<std::string, RegionDns>> recursive;
  std::map<std::string, RegionDns> authoritative;
  for (uint32_t i = 0; i < input.results.size(); ++i) {
    const v1::ProbeResult& result = input.results[i];
    if (!result.has_dns()) continue;
    const v1::DnsResult& dns = result.dns();
    if (dns.type() != v1::RECORD_TYPE_A && dns.type() != v1::RECORD_TYPE_AAAA) {
      continue;
    }
    const std::string hostname = NormalizeHostname(dns.hostname());
    RegionDns& where =
        dns.resolver_kind() == "authoritative"
            ? authoritative[hostname]
            : recursive[hostname]
                       [std::string(RegionOf(result, input.participants))];
    if (!dns.addresses().empty()) where.has_address = true;
    switch (dns.error_class()) {
      case v1::ERROR_CLASS_NXDOMAIN:
        where.rcodes.insert("NXDOMAIN");
        break;
      case v1::ERROR_CLASS_NODATA:
        where.rcodes.insert("NODATA");
        break;
      case v1::ERROR_CLASS_SERVFAIL:
        where.rcodes.insert("SERVFAIL");
        break;
      case v1::ERROR_CLASS_REFUSED:
        where.rcodes.insert("REFUSED");
        break;
      default:
        break;
    }
    where.results.push_back(i);
  }
  std::vector<v1::Diagnosis> out;
  for (const auto& [hostname, by_region] : recursive) {
    // Regions failing alike share one diagnosis.
    std::map<std::set<std::string>, std::vector<std::string>> by_rcodes;
    std::map<std::set<std::string>, std::vector<uint32_t>> evidence;
    for (const auto& [region, dns] : by_region) {
      if (dns.has_address || dns.rcodes.empty()) continue;
      by_rcodes[dns.rcodes].push_back(region);
      auto& ev = evidence[dns.rcodes];
      ev.insert(ev.end(), dns.results.begin(), dns.results.end());
    }
    for (const auto& [rcodes, regions] : by_rcodes) {
      const bool everywhere = regions.size() == by_region.size();
      const std::vector<std::string> words(rcodes.begin(), rcodes.end());
      v1::Diagnosis& d = out.emplace_back();
      d.set_kind(v1::DIAGNOSIS_KIND_DNS_FAILURE);
      for (const std::string& region : regions) d.add_regions(region);
      d.set_summary(
          everywhere
              ? absl::StrCat("Every region's resolvers (", JoinWithAnd(regions),
                             ") answer ", JoinWithAnd(words), " for ", hostname,
                             ": no address to probe")
              : absl::StrCat("The resolvers of ", JoinWithAnd(regions),
                             " answer ", JoinWithAnd(words), " for ", hostname,
                             " while other regions resolve it"));
      d.set_hint(rcodes.count("SERVFAIL") || rcodes.count("REFUSED")
                     ? "Check the authoritative servers' health and DNSSEC "
                       "signatures, and that these resolvers may query them."
                     : "Check that the record exists in the zone and the zone "
                       "is delegated; a new name may be negatively cached "
                       "for the zone's SOA minimum.");
      SetEvidence(input.result_keys, evidence[rcodes], &d);
    }
  }
  for (const auto& [hostname, dns] : authoritative) {
    if (dns.has_address || dns.rcodes.count("NXDOMAIN") == 0) continue;
    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_DNS_FAILURE);
    d.set_resolver("authoritative");
    d.set_summary(absl::StrCat("The authoritative servers answer NXDOMAIN for ",
                               hostname, ": the name does not exist"));
    d.set_hint(
        "Create the record, or fix the hostname in the spec; nothing will "
        "converge until the zone has it.");
    SetEvidence(input.result_keys, dns.results, &d);
  }
  return out;
}

std::string DefaultHint(v1::DiagnosisKind kind) {
  switch (kind) {
    case v1::DIAGNOSIS_KIND_BAD_IP:
      return "Fix that edge or take the IP out of the DNS answer; "
             "propwatchctl results ID --ip IP shows every probe of it.";
    case v1::DIAGNOSIS_KIND_REGION_DNS_DIVERGENT:
      return "Compare the region's resolvers with the zone; with GeoDNS on "
             "purpose, use dns_consistency geo or list the allowed addresses "
             "in dns_expect.";
    case v1::DIAGNOSIS_KIND_STALE_RESOLVER:
      return "Wait for the TTL to run out, or flush that resolver's cache.";
    case v1::DIAGNOSIS_KIND_INTERMITTENT:
      return "Some requests to that IP fail and some pass: look for a node "
             "behind it with an old configuration, or a flapping health "
             "check.";
    case v1::DIAGNOSIS_KIND_AGENT_NETWORK:
      return "Informational: check that agent's network; its failures do "
             "not count against the IP.";
    case v1::DIAGNOSIS_KIND_NO_QUORUM:
      return "Start or reconnect agents in that region (propwatchctl agents), "
             "or lower min_agents_per_region.";
    default:
      return "";
  }
}

}  // namespace propwatch
