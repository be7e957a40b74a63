// Evidence: the storage keys of the results a diagnosis rests on.
#ifndef PROPWATCH_COORDINATOR_ENGINE_EVIDENCE_H_
#define PROPWATCH_COORDINATOR_ENGINE_EVIDENCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "propwatch/v1/control.pb.h"

namespace propwatch {

// A diagnosis cites at most this many results. A bad IP probed by 200
// agents on 5 paths would otherwise carry 1000 keys in every report; the
// cited ones are enough to drill down, and QueryResults(ip, region) finds
// the rest.
inline constexpr size_t kMaxEvidencePerDiagnosis = 32;

// Sets diagnosis->evidence to the hex-encoded keys (lowercase, as
// KeyToHex() writes them) of results[result_indices], deduplicated, in key
// order (= storage order), the first kMaxEvidencePerDiagnosis of them.
// With no keys (result_keys empty or too short) cites nothing.
void SetEvidence(const std::vector<std::string>& result_keys,
                 const std::vector<uint32_t>& result_indices,
                 v1::Diagnosis* diagnosis);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_EVIDENCE_H_
