// Whether output may use ANSI escapes, and the few styles propwatchctl uses.
#ifndef PROPWATCH_CLI_TERMINAL_H_
#define PROPWATCH_CLI_TERMINAL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace propwatch {

// True when `fd` is a terminal and neither NO_COLOR (https://no-color.org)
// is set nor TERM is "dumb" or empty: then redraw in place and color.
bool AnsiAllowed(int fd);

// Styles; each is a no-op when the caller passes ansi = false.
enum class Style { kNone, kPass, kFail, kMixed, kNoData, kBold };

// `text` wrapped in the style's escape and a reset, or `text` unchanged.
std::string Styled(absl::string_view text, Style style, bool ansi);
// The escape sequence alone ("" for kNone).
absl::string_view StyleCode(Style style);
inline constexpr absl::string_view kReset = "\x1b[0m";

}  // namespace propwatch

#endif  // PROPWATCH_CLI_TERMINAL_H_
