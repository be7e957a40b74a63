#include "coordinator/engine/summary_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace propwatch {

std::string JoinWithAnd(const std::vector<std::string>& items) {
  if (items.empty()) return "";
  if (items.size() == 1) return items.front();
  std::vector<std::string> head(items.begin(), items.end() - 1);
  return absl::StrCat(absl::StrJoin(head, ", "), " and ", items.back());
}

std::vector<std::string> OrderPaths(const std::set<std::string>& paths,
                                    const v1::VerificationSpec& spec) {
  std::vector<std::string> ordered;
  std::set<std::string> placed;
  for (const std::string& path : spec.paths()) {
    if (paths.count(path) > 0 && placed.insert(path).second) {
      ordered.push_back(path);
    }
  }
  for (const std::string& path : paths) {
    if (placed.count(path) == 0) ordered.push_back(path);
  }
  return ordered;
}

std::string Count(size_t n, const std::string& singular,
                  const std::string& plural) {
  return absl::StrCat(n, " ", n == 1 ? singular : plural);
}

}  // namespace propwatch
