#include "coordinator/engine/http_diagnoses.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/engine/evidence.h"
#include "coordinator/engine/fingerprint.h"
#include "coordinator/engine/summary_text.h"

namespace propwatch {
namespace {

std::string ErrorPhrase(v1::ErrorClass error_class) {
  switch (error_class) {
    case v1::ERROR_CLASS_TIMEOUT:
      return "timeouts";
    case v1::ERROR_CLASS_REFUSED:
      return "refused connections";
    case v1::ERROR_CLASS_CANCELLED:
      return "probes unfinished at the phase deadline";
    case v1::ERROR_CLASS_NETWORK:
      return "network errors";
    case v1::ERROR_CLASS_TLS:
      return "TLS errors";
    case v1::ERROR_CLASS_BODY_TOO_LARGE:
      return "oversized bodies";
    case v1::ERROR_CLASS_PIN_MISMATCH:
      return "pin mismatches";
    default:
      return absl::StrCat(ErrorClassWord(error_class), " errors");
  }
}

// What a set of failing probes shows.
struct FailureFacts {
  std::set<uint32_t> wrong_statuses;
  std::set<std::string> errors;
  std::set<std::string> expectation_fields;
  bool different_answer = false;
};

FailureFacts CollectFailureFacts(const HttpRound& round,
                                 const RoundInput& input,
                                 const std::vector<uint32_t>& probe_ids) {
  FailureFacts facts;
  for (uint32_t p : probe_ids) {
    const HttpProbe& probe = round.probes[p];
    if (probe.error_class != v1::ERROR_CLASS_UNSPECIFIED) {
      facts.errors.insert(ErrorPhrase(probe.error_class));
    } else if (probe.wrong_status) {
      facts.wrong_statuses.insert(probe.status);
    } else if (round.expectation_mode) {
      for (const auto& failure :
           input.results[probe.result_index].http().failures()) {
        facts.expectation_fields.insert(failure.field());
      }
    } else {
      facts.different_answer = true;
    }
  }
  return facts;
}

std::vector<std::string> StatusTexts(const std::set<uint32_t>& statuses) {
  std::vector<std::string> texts;
  for (uint32_t status : statuses) texts.push_back(absl::StrCat(status));
  return texts;
}

// A verb phrase for an IP: "returns 404", "returns 404 and 502 and fails
// with timeouts", "serves a different answer than the majority".
std::string DescribeFailures(const FailureFacts& facts) {
  std::vector<std::string> parts;
  if (!facts.wrong_statuses.empty()) {
    parts.push_back(absl::StrCat(
        "returns ", JoinWithAnd(StatusTexts(facts.wrong_statuses))));
  }
  if (facts.different_answer) {
    parts.push_back("serves a different answer than the majority");
  }
  if (!facts.expectation_fields.empty()) {
    parts.push_back(absl::StrCat("fails the ",
                                 JoinWithAnd({facts.expectation_fields.begin(),
                                              facts.expectation_fields.end()}),
                                 " expectation"));
  }
  if (!facts.errors.empty()) {
    parts.push_back(
        absl::StrCat("fails with ",
                     JoinWithAnd({facts.errors.begin(), facts.errors.end()})));
  }
  return JoinWithAnd(parts);
}

// A noun list for a count of probes: "404", "404 and timeouts",
// "a different answer", "the body_regex expectation".
std::string NameFailures(const FailureFacts& facts) {
  std::vector<std::string> parts = StatusTexts(facts.wrong_statuses);
  if (facts.different_answer) parts.push_back("a different answer");
  for (const std::string& field : facts.expectation_fields) {
    parts.push_back(absl::StrCat("the ", field, " expectation"));
  }
  parts.insert(parts.end(), facts.errors.begin(), facts.errors.end());
  return JoinWithAnd(parts);
}

std::vector<uint32_t> Statuses(const HttpRound& round,
                               const std::vector<uint32_t>& probe_ids) {
  std::set<uint32_t> statuses;
  for (uint32_t p : probe_ids) {
    const HttpProbe& probe = round.probes[p];
    statuses.insert(
        probe.error_class == v1::ERROR_CLASS_UNSPECIFIED ? probe.status : 0);
  }
  return {statuses.begin(), statuses.end()};
}

// The cells of one (hostname, ip) from one region.
struct RegionCells {
  int counted = 0;  // cells with a status that counts
  int fail = 0;
  int pass = 0;
  int mixed = 0;
};

struct IpCells {
  std::map<std::string, RegionCells> regions;
  std::vector<uint32_t> cells;  // into round.cells
};

using HostIp = std::pair<std::string, std::string>;

std::string HostSuffix(const v1::VerificationSpec& spec,
                       const std::string& hostname) {
  // With one hostname under watch, naming it in every sentence is noise.
  return spec.hostnames_size() > 1 ? absl::StrCat(" (", hostname, ")") : "";
}

// Counted probes of `cell_ids` that failed.
std::vector<uint32_t> FailingProbes(const HttpRound& round,
                                    const std::vector<uint32_t>& cell_ids) {
  std::vector<uint32_t> failing;
  for (uint32_t c : cell_ids) {
    for (uint32_t p : round.cells[c].probes) {
      const HttpProbe& probe = round.probes[p];
      if (probe.outcome == ProbeOutcome::kFail && !probe.blamed_on_agent) {
        failing.push_back(p);
      }
    }
  }
  return failing;
}

// "; the resolvers of eu-west and us-east hand it out": the regions whose
// own resolvers (not the authoritative servers) answered `ip` for
// `hostname`; empty when none did (explicit pins, no DNS phase).
std::string HandedOutBy(const DnsRound& dns, const std::string& hostname,
                        const std::string& ip) {
  std::set<std::string> asked;
  std::set<std::string> handing_out;
  for (const DnsAnswerRow& row : dns.rows) {
    if (row.resolver_kind == kAuthoritativeKind || row.hostname != hostname) {
      continue;
    }
    asked.insert(row.region);
    if (std::find(row.addresses.begin(), row.addresses.end(), ip) !=
        row.addresses.end()) {
      handing_out.insert(row.region);
    }
  }
  if (handing_out.empty()) return "";
  if (handing_out.size() == asked.size() && asked.size() > 1) {
    return "; the resolvers of every region hand it out";
  }
  return absl::StrCat("; the resolvers of ",
                      JoinWithAnd({handing_out.begin(), handing_out.end()}),
                      " hand it out");
}

void DiagnoseBadIps(const HttpRound& round, const DnsRound& dns,
                    const RoundInput& input, const v1::VerificationSpec& spec,
                    const std::map<HostIp, IpCells>& by_ip,
                    std::vector<v1::Diagnosis>& out) {
  for (const auto& [host_ip, ip_cells] : by_ip) {
    const auto& [hostname, ip] = host_ip;
    std::vector<std::string> failing_regions;
    std::vector<std::string> fine_regions;
    int probed = 0;
    for (const auto& [region, cells] : ip_cells.regions) {
      if (cells.counted == 0) continue;
      ++probed;
      if (cells.fail > 0) failing_regions.push_back(region);
      if (cells.pass == cells.counted) fine_regions.push_back(region);
    }
    if (failing_regions.empty() ||
        failing_regions.size() * 3 < static_cast<size_t>(probed) * 2) {
      continue;
    }
    bool others_fine = true;
    bool others_pass_in_failing_regions = true;
    for (const std::string& region : failing_regions) {
      bool another_ip_passes = false;
      for (const auto& [other, other_cells] : by_ip) {
        if (other.first != hostname || other.second == ip) continue;
        auto it = other_cells.regions.find(region);
        if (it != other_cells.regions.end() && it->second.pass > 0) {
          another_ip_passes = true;
        }
      }
      others_pass_in_failing_regions &= another_ip_passes;
    }
    if (!others_pass_in_failing_regions) continue;
    for (const auto& [other, other_cells] : by_ip) {
      if (other.first != hostname || other.second == ip) continue;
      for (const auto& [region, cells] : other_cells.regions) {
        others_fine &= cells.pass == cells.counted;
      }
    }

    std::vector<uint32_t> failing_cells;
    std::set<std::string> paths;
    for (uint32_t c : ip_cells.cells) {
      if (round.cells[c].status == v1::CELL_STATUS_FAIL) {
        failing_cells.push_back(c);
        paths.insert(round.cells[c].path);
      }
    }
    std::vector<uint32_t> failing = FailingProbes(round, failing_cells);
    std::vector<std::string> ordered_paths = OrderPaths(paths, spec);

    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_BAD_IP);
    d.set_ip(ip);
    for (const std::string& region : failing_regions) d.add_regions(region);
    for (const std::string& path : ordered_paths) d.add_paths(path);
    for (uint32_t status : Statuses(round, failing)) d.add_statuses(status);
    std::string fine_part =
        fine_regions.empty()
            ? ""
            : absl::StrCat(" (fine from ", JoinWithAnd(fine_regions), ")");
    d.set_summary(absl::StrCat(
        "IP ", ip, HostSuffix(spec, hostname), " ",
        DescribeFailures(CollectFailureFacts(round, input, failing)), " on ",
        absl::StrJoin(ordered_paths, ", "), " from ",
        JoinWithAnd(failing_regions), fine_part, "; ",
        others_fine ? "every other IP is fine"
                    : "other IPs pass from the same regions",
        HandedOutBy(dns, hostname, ip)));
    SetEvidence(input.result_keys, ResultIndices(round, failing), &d);
  }
}

void DiagnoseIntermittent(const HttpRound& round, const RoundInput& input,
                          const v1::VerificationSpec& spec,
                          const std::map<HostIp, IpCells>& by_ip,
                          std::vector<v1::Diagnosis>& out) {
  for (const auto& [host_ip, ip_cells] : by_ip) {
    const auto& [hostname, ip] = host_ip;
    std::vector<uint32_t> mixed_cells;
    std::set<std::string> regions;
    std::set<std::string> paths;
    uint32_t counted = 0;
    for (uint32_t c : ip_cells.cells) {
      const HttpCell& cell = round.cells[c];
      if (cell.status != v1::CELL_STATUS_MIXED) continue;
      mixed_cells.push_back(c);
      regions.insert(cell.region);
      paths.insert(cell.path);
      counted += cell.counted;
    }
    if (mixed_cells.empty()) continue;
    std::vector<uint32_t> failing = FailingProbes(round, mixed_cells);
    std::vector<std::string> ordered_paths = OrderPaths(paths, spec);
    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_INTERMITTENT);
    d.set_ip(ip);
    for (const std::string& region : regions) d.add_regions(region);
    for (const std::string& path : ordered_paths) d.add_paths(path);
    for (uint32_t status : Statuses(round, failing)) d.add_statuses(status);
    d.set_summary(absl::StrCat(
        "IP ", ip, HostSuffix(spec, hostname), " both passes and fails on ",
        absl::StrJoin(ordered_paths, ", "), " from ",
        JoinWithAnd({regions.begin(), regions.end()}), " within one round: ",
        failing.size(), " of ", Count(counted, "probe", "probes"), " failed (",
        NameFailures(CollectFailureFacts(round, input, failing)),
        "), the rest passed"));
    SetEvidence(input.result_keys, ResultIndices(round, failing), &d);
  }
}

// Beyond this many, an AGENT_NETWORK sentence counts the IPs instead of
// naming them (the evidence names them all).
constexpr size_t kIpsNamedInSummary = 3;

void DiagnoseAgentNetworks(const HttpRound& round, const RoundInput& input,
                           std::vector<v1::Diagnosis>& out) {
  std::vector<std::vector<uint32_t>> blamed(round.agents.size());
  for (uint32_t p = 0; p < round.probes.size(); ++p) {
    if (round.probes[p].blamed_on_agent) {
      blamed[round.probes[p].agent].push_back(p);
    }
  }
  for (uint32_t agent = 0; agent < round.agents.size(); ++agent) {
    if (blamed[agent].empty()) continue;
    std::set<std::string> ips;
    std::set<std::string> errors;
    for (uint32_t p : blamed[agent]) {
      ips.insert(round.cells[round.probes[p].cell].ip);
      errors.insert(ErrorPhrase(round.probes[p].error_class));
    }
    const std::string& agent_id = round.agents[agent];
    const std::string& region = round.agent_regions[agent];
    v1::Diagnosis& d = out.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_AGENT_NETWORK);
    d.set_agent_id(agent_id);
    d.add_regions(region);
    if (ips.size() == 1) d.set_ip(*ips.begin());
    d.set_summary(absl::StrCat(
        "Agent ", agent_id, " in ", region, " gets ",
        JoinWithAnd({errors.begin(), errors.end()}), " (",
        Count(blamed[agent].size(), "probe", "probes"), ") from ",
        ips.size() <= kIpsNamedInSummary ? JoinWithAnd({ips.begin(), ips.end()})
                                         : absl::StrCat(ips.size(), " IPs"),
        " that other ", region,
        " agents reach; its own network path is at fault, not the ",
        ips.size() == 1 ? "IP" : "IPs"));
    SetEvidence(input.result_keys, ResultIndices(round, blamed[agent]), &d);
  }
}

}  // namespace

std::vector<v1::Diagnosis> DiagnoseHttp(const HttpRound& round,
                                        const DnsRound& dns,
                                        const RoundInput& input,
                                        const v1::VerificationSpec& spec) {
  std::map<HostIp, IpCells> by_ip;
  for (uint32_t c = 0; c < round.cells.size(); ++c) {
    const HttpCell& cell = round.cells[c];
    IpCells& ip_cells = by_ip[HostIp(cell.hostname, cell.ip)];
    ip_cells.cells.push_back(c);
    RegionCells& region = ip_cells.regions[cell.region];
    switch (cell.status) {
      case v1::CELL_STATUS_PASS:
        ++region.counted;
        ++region.pass;
        break;
      case v1::CELL_STATUS_FAIL:
        ++region.counted;
        ++region.fail;
        break;
      case v1::CELL_STATUS_MIXED:
        ++region.counted;
        ++region.mixed;
        break;
      default:
        break;
    }
  }
  std::vector<v1::Diagnosis> out;
  DiagnoseBadIps(round, dns, input, spec, by_ip, out);
  DiagnoseIntermittent(round, input, spec, by_ip, out);
  DiagnoseAgentNetworks(round, input, out);
  return out;
}

}  // namespace propwatch
