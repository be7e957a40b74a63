#include "coordinator/engine/quorum.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "coordinator/engine/summary_text.h"

namespace propwatch {

QuorumFindings CheckQuorum(const RoundInput& input, const HttpRound& http) {
  const v1::AgentSelector& selector =
      input.verification != nullptr ? input.verification->selector()
                                    : v1::AgentSelector::default_instance();
  const uint32_t quorum =
      std::max<uint32_t>(1, selector.min_agents_per_region());

  // agent -> region, for every agent that sent something. A hash set of
  // views first: this loop sees every result of the round, and results come
  // grouped by agent, so most of them only compare with the previous one.
  absl::flat_hash_map<absl::string_view, absl::string_view> seen;
  absl::string_view previous_agent;
  for (const v1::ProbeResult& result : input.results) {
    if (!seen.empty() && result.agent_id() == previous_agent) continue;
    previous_agent = result.agent_id();
    seen.try_emplace(result.agent_id(), RegionOf(result, input.participants));
  }
  std::map<std::string, std::string> reporting;
  for (const auto& [agent, region] : seen) {
    reporting.emplace(std::string(agent), std::string(region));
  }

  // Agents whose every HTTP probe was blamed on their own path.
  std::vector<uint32_t> probes(http.agents.size(), 0);
  std::vector<uint32_t> blamed(http.agents.size(), 0);
  for (const HttpProbe& probe : http.probes) {
    ++probes[probe.agent];
    if (probe.blamed_on_agent) ++blamed[probe.agent];
  }
  std::set<std::string> cut_off;
  for (uint32_t a = 0; a < http.agents.size(); ++a) {
    if (probes[a] > 0 && blamed[a] == probes[a]) cut_off.insert(http.agents[a]);
  }

  // Expected regions: fixed when the verification was created, so a region
  // whose agents are all gone is still checked (and fails the quorum)
  // instead of silently dropping out of the matrix.
  std::set<std::string> regions(selector.regions().begin(),
                                selector.regions().end());
  if (input.verification != nullptr) {
    regions.insert(input.verification->expected_regions().begin(),
                   input.verification->expected_regions().end());
  }
  if (selector.regions().empty()) {
    for (const auto& [agent, region] : input.participants) {
      regions.insert(region);
    }
    for (const auto& [agent, region] : reporting) regions.insert(region);
  }

  QuorumFindings findings;
  std::map<std::string, std::vector<std::string>> missing_by_region;
  for (const auto& [agent, region] : input.participants) {
    if (reporting.count(agent) == 0) {
      findings.missing_agents.push_back(agent);
      missing_by_region[region].push_back(agent);
    }
  }
  std::map<std::string, std::vector<std::string>> counted_by_region;
  std::map<std::string, std::vector<std::string>> cut_off_by_region;
  for (const auto& [agent, region] : reporting) {
    (cut_off.count(agent) > 0 ? cut_off_by_region : counted_by_region)[region]
        .push_back(agent);
  }

  for (const std::string& region : regions) {
    const auto& counted = counted_by_region[region];
    if (counted.size() >= quorum) continue;
    std::vector<std::string> why;
    const auto& missing = missing_by_region[region];
    const auto& lossy = cut_off_by_region[region];
    if (!missing.empty()) {
      why.push_back(absl::StrCat(JoinWithAnd(missing), " sent no results"));
    }
    if (!lossy.empty()) {
      why.push_back(absl::StrCat(
          JoinWithAnd(lossy),
          " could not reach IPs that other agents of the region reach"));
    }
    if (why.empty() && counted.empty()) {
      why.push_back(absl::StrCat(
          "no connected agent of ", region,
          " could be asked; propwatchctl agents shows when its agents were "
          "last seen"));
    }
    v1::Diagnosis& d = findings.diagnoses.emplace_back();
    d.set_kind(v1::DIAGNOSIS_KIND_NO_QUORUM);
    d.add_regions(region);
    std::string reason =
        why.empty() ? "" : absl::StrCat(" (", JoinWithAnd(why), ")");
    d.set_summary(absl::StrCat("Region ", region, " has ",
                               Count(counted.size(), "agent", "agents"),
                               " reporting of the ", quorum, " required",
                               reason, "; this round cannot pass"));
  }
  return findings;
}

}  // namespace propwatch
