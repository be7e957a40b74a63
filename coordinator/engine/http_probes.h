// Every HTTP probe of a round classified once: which matrix cell it belongs
// to, whether it passed, and whether its failure is the agent's own network
// path. The matrix, the HTTP diagnoses and the verdict all read this.
#ifndef PROPWATCH_COORDINATOR_ENGINE_HTTP_PROBES_H_
#define PROPWATCH_COORDINATOR_ENGINE_HTTP_PROBES_H_

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/engine/round_input.h"
#include "propwatch/v1/control.pb.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

inline constexpr uint32_t kNoId = std::numeric_limits<uint32_t>::max();

enum class ProbeOutcome : uint8_t {
  kPass,
  kFail,
  // ERROR_CLASS_UNSUPPORTED (an IPv6 probe from an agent with no IPv6
  // route): says nothing about the IP, never a failure (DESIGN.md).
  kUnsupported,
};

struct HttpProbe {
  uint32_t result_index = 0;  // into RoundInput::results
  uint32_t cell = 0;          // into HttpRound::cells
  uint32_t agent = 0;         // into HttpRound::agents
  uint32_t fingerprint = 0;   // into HttpRound::fingerprints
  uint32_t status = 0;        // HTTP status; 0 when none
  v1::ErrorClass error_class = v1::ERROR_CLASS_UNSPECIFIED;
  ProbeOutcome outcome = ProbeOutcome::kFail;
  // TIMEOUT, NETWORK, REFUSED or CANCELLED (unfinished at the phase
  // deadline): the class of error a lossy path between the agent and the IP
  // produces.
  bool network_error = false;
  // A network-class failure on a cell that another agent of the same region
  // passes, or any network-class failure of an agent that has one: the
  // agent's path is to blame (AGENT_NETWORK), so the probe does not decide
  // the cell's status.
  bool blamed_on_agent = false;
  // The agent reported expectation failures for it.
  bool failed_expectation = false;
  // Failed the expectation's status_in (expectation mode), or answered with
  // a different status than the majority (agreement mode).
  bool wrong_status = false;
};

// One (region, ip, hostname, path) cell.
struct HttpCell {
  std::string region;
  std::string ip;
  std::string hostname;  // normalized (url_parts.h)
  std::string path;
  uint32_t group = 0;            // into HttpRound::groups: (hostname, path)
  std::vector<uint32_t> probes;  // into HttpRound::probes, in result order
  // Probes that decide the status: not unsupported, not blamed on an agent.
  uint32_t counted = 0;
  uint32_t passes = 0;
  uint32_t unsupported = 0;
  v1::CellStatus status = v1::CELL_STATUS_UNSPECIFIED;
};

struct HttpGroup {
  std::string hostname;
  std::string path;
  // Agreement mode: the majority fingerprint; kNoId when no probe answered.
  uint32_t majority = kNoId;
};

struct HttpRound {
  bool expectation_mode = false;
  std::vector<HttpProbe> probes;
  // Sorted by (region, ip, hostname, path).
  std::vector<HttpCell> cells;
  std::vector<HttpGroup> groups;
  // agent ids and their regions, parallel.
  std::vector<std::string> agents;
  std::vector<std::string> agent_regions;
  std::vector<std::string> fingerprints;
  // Status code of each fingerprint (0 for error fingerprints).
  std::vector<uint32_t> fingerprint_status;
};

// Expectation mode when spec.http_expect is present and checks something;
// otherwise agreement mode (DESIGN.md "What consistent means").
bool HasHttpExpectation(const v1::VerificationSpec& spec);

// How a probe passes:
// - expectation mode: no error and no expectation failures (the agent
//   checked the expectation);
// - agreement mode: no error, no failures, and its fingerprint is the
//   majority fingerprint of its (hostname, path).
// The majority is taken over (region, IP) cells, as DESIGN.md says, so a
// region with many agents does not outvote the others: each cell votes for
// its most frequent answered fingerprint, and the fingerprint with most
// cell votes wins. Ties (e.g. two IPs probed from the same regions, one of
// them wrong) are broken by the number of probes, then by preferring a
// status below 400 (with no expectation, a 200 is more likely the intended
// answer than a 404), then by the fingerprint text, so the result is
// deterministic.
// A network-class failure is blamed on the agent when another agent of the
// same region passes the same cell; and once an agent has one such failure,
// its path is known to be lossy, so all its network-class failures are
// blamed on it (a cell left with no deciding probe has no status).
HttpRound ClassifyHttpProbes(const RoundInput& input,
                             const v1::VerificationSpec& spec);

// The RoundInput::results indices of `probe_ids` (into round.probes), in
// order: what a diagnosis cites as evidence.
std::vector<uint32_t> ResultIndices(const HttpRound& round,
                                    const std::vector<uint32_t>& probe_ids);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_HTTP_PROBES_H_
