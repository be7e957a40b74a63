// Per-region figures of one round report, shared by the live view and the
// report: who answered, which IPs, how many cells pass and fail, and the
// failing (IP, path) pairs with the regions that saw them.
//
// Pure.
#ifndef PROPWATCH_CLI_ROUND_SUMMARY_H_
#define PROPWATCH_CLI_ROUND_SUMMARY_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "propwatch/v1/control.pb.h"

namespace propwatch {

struct RegionSummary {
  std::string region;
  // -1 when the agents of the region are not known to the caller.
  int agents_known = -1;
  int agents_missing = 0;
  std::set<std::string> ips;
  int cells_pass = 0;
  int cells_fail = 0;  // FAIL and MIXED
  int cells_no_data = 0;
  // The first diagnosis naming this region ("" when none).
  std::string diagnosis;
};

struct FailingCell {
  std::string ip;
  std::string hostname;
  std::string path;
  std::vector<std::string> regions;  // sorted
  std::set<uint32_t> statuses;       // seen there; 0 = no HTTP status
  bool mixed = false;                // some region only partly failing
};

struct RoundSummary {
  std::vector<RegionSummary> regions;  // sorted by name
  std::vector<FailingCell> failing;    // sorted by ip, hostname, path
};

// `agent_regions` maps agent id -> region for the agents the caller knows
// (connected agents); `selected_regions` adds regions with no data yet.
RoundSummary SummarizeRound(
    const v1::RoundReport* report,
    const std::map<std::string, std::string>& agent_regions,
    const std::vector<std::string>& selected_regions);

// "BAD_IP 127.0.0.3" / "NO_QUORUM eu": a diagnosis in a few words.
std::string ShortDiagnosis(const v1::Diagnosis& d);

// "404" / "404,502" / "error" for a failing cell's statuses.
std::string StatusesText(const std::set<uint32_t>& statuses);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_ROUND_SUMMARY_H_
