#include "coordinator/engine/matrix.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace propwatch {

void AppendMatrixCells(const HttpRound& round, v1::RoundReport* report) {
  std::vector<std::pair<uint32_t, uint32_t>> fingerprint_counts;
  for (const HttpCell& cell : round.cells) {
    v1::MatrixCell* out = report->add_cells();
    out->set_region(cell.region);
    out->set_ip(cell.ip);
    out->set_hostname(cell.hostname);
    out->set_path(cell.path);
    out->set_probes(cell.probes.size());
    out->set_status(cell.status);
    uint32_t passes = 0;
    fingerprint_counts.clear();
    auto& histogram = *out->mutable_status_histogram();
    for (uint32_t p : cell.probes) {
      const HttpProbe& probe = round.probes[p];
      if (probe.outcome == ProbeOutcome::kPass) ++passes;
      ++histogram[probe.error_class == v1::ERROR_CLASS_UNSPECIFIED
                      ? probe.status
                      : 0];
      auto found = std::find_if(
          fingerprint_counts.begin(), fingerprint_counts.end(),
          [&](const auto& entry) { return entry.first == probe.fingerprint; });
      if (found == fingerprint_counts.end()) {
        fingerprint_counts.emplace_back(probe.fingerprint, 1);
      } else {
        ++found->second;
      }
    }
    out->set_passes(passes);
    std::sort(fingerprint_counts.begin(), fingerprint_counts.end(),
              [&](const auto& a, const auto& b) {
                if (a.second != b.second) return a.second > b.second;
                return round.fingerprints[a.first] <
                       round.fingerprints[b.first];
              });
    for (const auto& [fingerprint, count] : fingerprint_counts) {
      out->add_fingerprints(round.fingerprints[fingerprint]);
    }
  }
}

}  // namespace propwatch
