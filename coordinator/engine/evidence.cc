#include "coordinator/engine/evidence.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace propwatch {

void SetEvidence(const std::vector<std::string>& result_keys,
                 const std::vector<uint32_t>& result_indices,
                 v1::Diagnosis* diagnosis) {
  diagnosis->clear_evidence();
  std::vector<absl::string_view> keys;
  keys.reserve(result_indices.size());
  for (uint32_t index : result_indices) {
    if (index < result_keys.size()) keys.push_back(result_keys[index]);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() > kMaxEvidencePerDiagnosis) {
    keys.resize(kMaxEvidencePerDiagnosis);
  }
  for (absl::string_view key : keys) {
    diagnosis->add_evidence(absl::BytesToHexString(key));
  }
}

}  // namespace propwatch
