// Small helpers that turn lists into the sentences diagnoses carry.
#ifndef PROPWATCH_COORDINATOR_ENGINE_SUMMARY_TEXT_H_
#define PROPWATCH_COORDINATOR_ENGINE_SUMMARY_TEXT_H_

#include <set>
#include <string>
#include <vector>

#include "propwatch/v1/control.pb.h"

namespace propwatch {

// {"eu"} -> "eu"; {"eu", "us"} -> "eu and us"; {"a", "b", "c"} ->
// "a, b and c".
std::string JoinWithAnd(const std::vector<std::string>& items);

// The paths in the order the spec lists them (how the person who wrote the
// spec thinks of them), then any others sorted.
std::vector<std::string> OrderPaths(const std::set<std::string>& paths,
                                    const v1::VerificationSpec& spec);

// "1 probe" / "3 probes".
std::string Count(size_t n, const std::string& singular,
                  const std::string& plural);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_SUMMARY_TEXT_H_
