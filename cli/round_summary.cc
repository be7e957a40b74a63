#include "cli/round_summary.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/names.h"

namespace propwatch {

std::string ShortDiagnosis(const v1::Diagnosis& d) {
  std::string out = DiagnosisWord(d.kind());
  if (!d.ip().empty()) {
    absl::StrAppend(&out, " ", d.ip());
  } else if (!d.resolver().empty()) {
    absl::StrAppend(&out, " ", d.resolver());
  } else if (!d.agent_id().empty()) {
    absl::StrAppend(&out, " ", d.agent_id());
  } else if (!d.regions().empty()) {
    absl::StrAppend(&out, " ", absl::StrJoin(d.regions(), ","));
  }
  return out;
}

std::string StatusesText(const std::set<uint32_t>& statuses) {
  std::vector<std::string> parts;
  for (uint32_t s : statuses) {
    parts.push_back(s == 0 ? "error" : absl::StrCat(s));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ",");
}

RoundSummary SummarizeRound(
    const v1::RoundReport* report,
    const std::map<std::string, std::string>& agent_regions,
    const std::vector<std::string>& selected_regions) {
  std::map<std::string, RegionSummary> regions;
  auto region = [&](const std::string& name) -> RegionSummary& {
    RegionSummary& r = regions[name];
    r.region = name;
    return r;
  };
  for (const std::string& name : selected_regions) region(name);
  for (const auto& [agent, name] : agent_regions) {
    RegionSummary& r = region(name);
    r.agents_known = std::max(r.agents_known, 0) + 1;
  }
  RoundSummary summary;
  if (report != nullptr && report->agents_by_region_size() > 0) {
    // The coordinator's own count: exactly the agents it asked this round
    // (0 in a selected region where it asked none).
    for (auto& [name, r] : regions) r.agents_known = 0;
    for (const v1::RegionAgents& row : report->agents_by_region()) {
      RegionSummary& r = region(row.region());
      r.agents_known = static_cast<int>(row.asked());
      r.agents_missing = static_cast<int>(row.asked() - row.answered());
    }
  } else if (report != nullptr) {
    // An older coordinator: estimate from the agents connected at the start.
    for (const std::string& agent : report->missing_agents()) {
      auto it = agent_regions.find(agent);
      if (it != agent_regions.end()) ++region(it->second).agents_missing;
    }
  }
  if (report != nullptr) {
    std::map<std::tuple<std::string, std::string, std::string>, FailingCell>
        failing;
    for (const v1::MatrixCell& cell : report->cells()) {
      RegionSummary& r = region(cell.region());
      r.ips.insert(cell.ip());
      switch (cell.status()) {
        case v1::CELL_STATUS_PASS:
        case v1::CELL_STATUS_UNSUPPORTED:  // never the IP's fault (DESIGN.md)
          ++r.cells_pass;
          continue;
        case v1::CELL_STATUS_FAIL:
        case v1::CELL_STATUS_MIXED:
          ++r.cells_fail;
          break;
        default:
          ++r.cells_no_data;
          continue;
      }
      FailingCell& f = failing[{cell.ip(), cell.hostname(), cell.path()}];
      f.ip = cell.ip();
      f.hostname = cell.hostname();
      f.path = cell.path();
      f.regions.push_back(cell.region());
      f.mixed |= cell.status() == v1::CELL_STATUS_MIXED;
      for (const auto& [status, count] : cell.status_histogram()) {
        if (count > 0) f.statuses.insert(status);
      }
    }
    for (const v1::DnsView& view : report->dns()) {
      RegionSummary& r = region(view.region());
      for (const std::string& a : view.addresses()) r.ips.insert(a);
    }
    for (const v1::Diagnosis& d : report->diagnoses()) {
      for (const std::string& name : d.regions()) {
        RegionSummary& r = region(name);
        if (r.diagnosis.empty()) r.diagnosis = ShortDiagnosis(d);
      }
    }
    for (auto& [key, f] : failing) {
      std::sort(f.regions.begin(), f.regions.end());
      summary.failing.push_back(std::move(f));
    }
  }
  for (auto& [name, r] : regions) summary.regions.push_back(std::move(r));
  return summary;
}

}  // namespace propwatch
