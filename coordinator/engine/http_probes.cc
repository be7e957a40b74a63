#include "coordinator/engine/http_probes.h"

#include <algorithm>
#include <deque>
#include <map>
#include <numeric>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "coordinator/engine/fingerprint.h"
#include "coordinator/engine/url_parts.h"

namespace propwatch {
namespace {

bool IsNetworkError(v1::ErrorClass error_class) {
  // CANCELLED: the agent cut the probe off when the command's deadline (the
  // round's phase deadline) passed; the probe's own timeout equals the
  // phase, so on a path that loses packets the cut-off usually comes first.
  // It is a probe that got no answer in time, i.e. a timeout.
  return error_class == v1::ERROR_CLASS_TIMEOUT ||
         error_class == v1::ERROR_CLASS_NETWORK ||
         error_class == v1::ERROR_CLASS_REFUSED ||
         error_class == v1::ERROR_CLASS_CANCELLED;
}

// Per-cell scratch state that the report does not need.
struct CellTally {
  // fingerprint -> answered probes (no error), in first-seen order.
  std::vector<std::pair<uint32_t, uint32_t>> answers;
  // Two distinct passing agents are enough to know, for any agent, whether
  // "another agent" passed.
  uint32_t first_passing_agent = kNoId;
  bool second_passing_agent = false;
};

// Votes for one fingerprint within one (hostname, path).
struct Vote {
  uint32_t cells = 0;
  uint32_t probes = 0;
};

// The majority fingerprint of each group, as documented in the header.
void ElectMajorities(const std::vector<CellTally>& tallies, HttpRound& round) {
  std::vector<std::map<uint32_t, Vote>> votes(round.groups.size());
  for (size_t c = 0; c < round.cells.size(); ++c) {
    const auto& answers = tallies[c].answers;
    if (answers.empty()) continue;
    uint32_t choice = kNoId;
    uint32_t choice_count = 0;
    for (const auto& [fingerprint, count] : answers) {
      votes[round.cells[c].group][fingerprint].probes += count;
      if (count > choice_count ||
          (count == choice_count &&
           round.fingerprints[fingerprint] < round.fingerprints[choice])) {
        choice = fingerprint;
        choice_count = count;
      }
    }
    ++votes[round.cells[c].group][choice].cells;
  }
  for (size_t g = 0; g < round.groups.size(); ++g) {
    auto better = [&](uint32_t a, const Vote& va, uint32_t b, const Vote& vb) {
      if (va.cells != vb.cells) return va.cells > vb.cells;
      if (va.probes != vb.probes) return va.probes > vb.probes;
      bool a_ok = round.fingerprint_status[a] < 400;
      bool b_ok = round.fingerprint_status[b] < 400;
      if (a_ok != b_ok) return a_ok;
      return round.fingerprints[a] < round.fingerprints[b];
    };
    uint32_t best = kNoId;
    Vote best_vote;
    for (const auto& [fingerprint, vote] : votes[g]) {
      if (best == kNoId || better(fingerprint, vote, best, best_vote)) {
        best = fingerprint;
        best_vote = vote;
      }
    }
    round.groups[g].majority = best;
  }
}

bool FailedStatusExpectation(const v1::HttpResult& http) {
  for (const v1::ExpectationFailure& failure : http.failures()) {
    if (failure.field() == "status_in") return true;
  }
  return false;
}

void SortCells(HttpRound& round) {
  std::vector<uint32_t> order(round.cells.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](uint32_t c) {
    const HttpCell& cell = round.cells[c];
    return std::tie(cell.region, cell.ip, cell.hostname, cell.path);
  };
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  std::vector<uint32_t> new_index(order.size());
  std::vector<HttpCell> sorted;
  sorted.reserve(order.size());
  for (uint32_t c : order) {
    new_index[c] = sorted.size();
    sorted.push_back(std::move(round.cells[c]));
  }
  round.cells = std::move(sorted);
  for (HttpProbe& probe : round.probes) probe.cell = new_index[probe.cell];
}

}  // namespace

bool HasHttpExpectation(const v1::VerificationSpec& spec) {
  return spec.has_http_expect() && spec.http_expect().ByteSizeLong() > 0;
}

HttpRound ClassifyHttpProbes(const RoundInput& input,
                             const v1::VerificationSpec& spec) {
  HttpRound round;
  round.expectation_mode = HasHttpExpectation(spec);

  // The hot loop sees every result, so each string is hashed once into a
  // small id (url -> (hostname, path) group, ip, region) and cells are keyed
  // by ids. Views point into input (which outlives this call) or into
  // `arena` (a deque: growing it never moves its strings).
  absl::flat_hash_map<absl::string_view, uint32_t> url_groups;
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, uint32_t>
      group_ids;
  absl::flat_hash_map<absl::string_view, uint32_t> ip_ids;
  absl::flat_hash_map<absl::string_view, uint32_t> region_ids;
  absl::flat_hash_map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t>
      cell_ids;
  absl::flat_hash_map<absl::string_view, uint32_t> agent_ids;
  absl::flat_hash_map<std::string, uint32_t> fingerprint_ids;
  std::deque<std::string> arena;
  std::vector<CellTally> tallies;
  std::string fingerprint;
  round.probes.reserve(input.results.size());
  // Results arrive grouped by agent: the agent and its region are looked up
  // only when they change.
  uint32_t agent = kNoId;
  absl::string_view last_region;
  uint32_t region_id = kNoId;

  for (size_t i = 0; i < input.results.size(); ++i) {
    const v1::ProbeResult& result = input.results[i];
    if (!result.has_http()) continue;
    const v1::HttpResult& http = result.http();

    absl::string_view region = RegionOf(result, input.participants);
    if (region_id == kNoId || region != last_region) {
      region_id =
          region_ids.try_emplace(region, region_ids.size()).first->second;
      last_region = region;
    }
    if (agent == kNoId || result.agent_id() != round.agents[agent]) {
      auto [agent_it, new_agent] =
          agent_ids.try_emplace(result.agent_id(), round.agents.size());
      if (new_agent) {
        round.agents.push_back(result.agent_id());
        round.agent_regions.push_back(std::string(region));
      }
      agent = agent_it->second;
    }
    auto url_it = url_groups.find(http.url());
    if (url_it == url_groups.end()) {
      UrlParts url = SplitUrl(http.url());
      absl::string_view host = url.host;
      if (!IsNormalizedHostname(host)) {
        host = arena.emplace_back(NormalizeHostname(host));
      }
      auto [group_it, new_group] = group_ids.try_emplace(
          std::make_pair(host, url.path), round.groups.size());
      if (new_group) {
        round.groups.push_back(
            HttpGroup{std::string(host), std::string(url.path), kNoId});
      }
      url_it = url_groups.emplace(http.url(), group_it->second).first;
    }
    const uint32_t group = url_it->second;
    absl::string_view ip =
        http.pinned_ip().empty() ? http.dialled_ip() : http.pinned_ip();
    const uint32_t ip_id = ip_ids.try_emplace(ip, ip_ids.size()).first->second;

    auto [cell_it, new_cell] = cell_ids.try_emplace(
        std::make_tuple(region_id, ip_id, group), round.cells.size());
    if (new_cell) {
      HttpCell& cell = round.cells.emplace_back();
      cell.region = std::string(region);
      cell.ip = std::string(ip);
      cell.hostname = round.groups[group].hostname;
      cell.path = round.groups[group].path;
      cell.group = group;
      tallies.emplace_back();
    }
    AgreementFingerprint(http, spec, &fingerprint);
    auto fingerprint_it = fingerprint_ids.find(fingerprint);
    if (fingerprint_it == fingerprint_ids.end()) {
      fingerprint_it =
          fingerprint_ids.emplace(fingerprint, round.fingerprints.size()).first;
      round.fingerprints.push_back(fingerprint);
      round.fingerprint_status.push_back(
          http.error_class() == v1::ERROR_CLASS_UNSPECIFIED ? http.status()
                                                            : 0);
    }

    HttpProbe& probe = round.probes.emplace_back();
    probe.result_index = static_cast<uint32_t>(i);
    probe.cell = cell_it->second;
    probe.agent = agent;
    probe.fingerprint = fingerprint_it->second;
    probe.status = http.status();
    probe.error_class = http.error_class();
    probe.network_error = IsNetworkError(http.error_class());
    probe.failed_expectation = http.failures_size() > 0;
    // Read here, while the result is in cache, so that the passes below
    // touch only the compact probe table.
    probe.wrong_status = round.expectation_mode &&
                         http.error_class() == v1::ERROR_CLASS_UNSPECIFIED &&
                         FailedStatusExpectation(http);
    round.cells[probe.cell].probes.push_back(round.probes.size() - 1);
    if (http.error_class() == v1::ERROR_CLASS_UNSPECIFIED) {
      auto& answers = tallies[probe.cell].answers;
      auto found = std::find_if(answers.begin(), answers.end(), [&](auto& a) {
        return a.first == probe.fingerprint;
      });
      if (found == answers.end()) {
        answers.emplace_back(probe.fingerprint, 1);
      } else {
        ++found->second;
      }
    }
  }

  if (!round.expectation_mode) ElectMajorities(tallies, round);

  // Pass or fail, probe by probe.
  for (HttpProbe& probe : round.probes) {
    if (probe.error_class == v1::ERROR_CLASS_UNSUPPORTED) {
      probe.outcome = ProbeOutcome::kUnsupported;
      continue;
    }
    bool answered = probe.error_class == v1::ERROR_CLASS_UNSPECIFIED;
    bool pass = answered && !probe.failed_expectation;
    if (!round.expectation_mode) {
      uint32_t majority = round.groups[round.cells[probe.cell].group].majority;
      pass = pass && probe.fingerprint == majority;
      probe.wrong_status = answered && majority != kNoId &&
                           probe.status != round.fingerprint_status[majority];
    }
    probe.outcome = pass ? ProbeOutcome::kPass : ProbeOutcome::kFail;
    if (pass) {
      CellTally& tally = tallies[probe.cell];
      if (tally.first_passing_agent == kNoId) {
        tally.first_passing_agent = probe.agent;
      } else if (tally.first_passing_agent != probe.agent) {
        tally.second_passing_agent = true;
      }
    }
  }

  // Blame lossy paths on their agent, then settle each cell.
  for (HttpProbe& probe : round.probes) {
    if (probe.outcome != ProbeOutcome::kFail || !probe.network_error) continue;
    const CellTally& tally = tallies[probe.cell];
    probe.blamed_on_agent = tally.first_passing_agent != kNoId &&
                            (tally.first_passing_agent != probe.agent ||
                             tally.second_passing_agent);
  }
  // Once an agent's path is known to lose probes, its other network-class
  // failures are that same path too, also on cells no other agent of the
  // region passed (a bad IP that everyone else gets a 404 from must not
  // read "404 and timeouts").
  std::vector<bool> lossy_agent(round.agents.size(), false);
  for (const HttpProbe& probe : round.probes) {
    if (probe.blamed_on_agent) lossy_agent[probe.agent] = true;
  }
  for (HttpProbe& probe : round.probes) {
    if (probe.outcome == ProbeOutcome::kFail && probe.network_error &&
        lossy_agent[probe.agent]) {
      probe.blamed_on_agent = true;
    }
  }
  for (HttpCell& cell : round.cells) {
    for (uint32_t p : cell.probes) {
      const HttpProbe& probe = round.probes[p];
      if (probe.outcome == ProbeOutcome::kUnsupported) {
        ++cell.unsupported;
      } else if (!probe.blamed_on_agent) {
        ++cell.counted;
        if (probe.outcome == ProbeOutcome::kPass) ++cell.passes;
      }
    }
    if (cell.counted == 0) {
      cell.status = cell.unsupported > 0 ? v1::CELL_STATUS_UNSUPPORTED
                                         : v1::CELL_STATUS_UNSPECIFIED;
    } else if (cell.passes == cell.counted) {
      cell.status = v1::CELL_STATUS_PASS;
    } else if (cell.passes == 0) {
      cell.status = v1::CELL_STATUS_FAIL;
    } else {
      cell.status = v1::CELL_STATUS_MIXED;
    }
  }
  SortCells(round);
  return round;
}

std::vector<uint32_t> ResultIndices(const HttpRound& round,
                                    const std::vector<uint32_t>& probe_ids) {
  std::vector<uint32_t> indices;
  indices.reserve(probe_ids.size());
  for (uint32_t p : probe_ids) indices.push_back(round.probes[p].result_index);
  return indices;
}

}  // namespace propwatch
