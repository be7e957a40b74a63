#include "agent/http/linear_regex.h"

#include <regex>

#include "absl/strings/str_cat.h"

namespace propwatch {
namespace {

constexpr std::regex::flag_type kFlags =
    std::regex::ECMAScript | std::regex_constants::__polynomial;

}  // namespace

struct LinearRegex::Compiled {
  std::regex full;
  std::regex search;
};

absl::StatusOr<LinearRegex> LinearRegex::Compile(absl::string_view pattern) {
  if (pattern.size() > kMaxPatternBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("regex of ", pattern.size(), " bytes is longer than the ",
                     kMaxPatternBytes, "-byte limit"));
  }
  std::string text(pattern);
  // Exceptions stay inside this function: std::regex reports syntax errors,
  // and back-references in polynomial mode, only by throwing.
  try {
    auto compiled = std::make_shared<Compiled>();
    compiled->full = std::regex(text, kFlags);
    // The standalone pattern compiled, so its parentheses balance and the
    // wrapper below cannot change its meaning.
    compiled->search =
        std::regex(absl::StrCat("[\\s\\S]*?(?:", text, ")"), kFlags);
    // Back-references are only detected when matching starts.
    std::regex_match("", compiled->full);
    return LinearRegex(std::move(text), std::move(compiled));
  } catch (const std::regex_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid regex '", pattern, "': ", e.what()));
  }
}

bool LinearRegex::Search(absl::string_view text) const {
  return std::regex_search(text.begin(), text.end(), compiled_->search,
                           std::regex_constants::match_continuous);
}

bool LinearRegex::FullMatch(absl::string_view text) const {
  return std::regex_match(text.begin(), text.end(), compiled_->full);
}

}  // namespace propwatch
