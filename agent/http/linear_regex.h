// Regular expressions whose matching time grows linearly with the input.
#ifndef PROPWATCH_AGENT_HTTP_LINEAR_REGEX_H_
#define PROPWATCH_AGENT_HTTP_LINEAR_REGEX_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// ECMAScript std::regex run by libstdc++'s Thompson-NFA executor
// (regex_constants::__polynomial) in a single anchored pass. The default
// executor backtracks: "(a+)+c" takes minutes on 30 bytes and a 100 KB body
// overflows the stack; and regex_search restarts at every offset, which is
// quadratic. Here a search is one pass over "[\s\S]*?(?:pattern)", so a
// server cannot stall the loop thread with its body. Back-references are
// rejected (they need backtracking).
//
// Threading: immutable after Compile; safe to share across threads.
class LinearRegex {
 public:
  static constexpr size_t kMaxPatternBytes = 1024;

  // InvalidArgument naming the pattern when it does not compile, is longer
  // than kMaxPatternBytes, or uses back-references.
  static absl::StatusOr<LinearRegex> Compile(absl::string_view pattern);

  // True when the pattern matches anywhere in `text`.
  bool Search(absl::string_view text) const;
  // True when the pattern matches all of `text`.
  bool FullMatch(absl::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Compiled;  // the std::regex pair; <regex> stays out of this header
  LinearRegex(std::string pattern, std::shared_ptr<const Compiled> compiled)
      : pattern_(std::move(pattern)), compiled_(std::move(compiled)) {}

  std::string pattern_;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_LINEAR_REGEX_H_
