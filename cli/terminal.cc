#include "cli/terminal.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace propwatch {

bool AnsiAllowed(int fd) {
  if (isatty(fd) != 1) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  return term != nullptr && *term != '\0' && absl::string_view(term) != "dumb";
}

absl::string_view StyleCode(Style style) {
  switch (style) {
    case Style::kPass:
      return "\x1b[32m";  // green
    case Style::kFail:
      return "\x1b[1;31m";  // bold red
    case Style::kMixed:
      return "\x1b[33m";  // yellow
    case Style::kNoData:
      return "\x1b[2m";  // dim
    case Style::kBold:
      return "\x1b[1m";
    case Style::kNone:
      break;
  }
  return "";
}

std::string Styled(absl::string_view text, Style style, bool ansi) {
  if (!ansi || style == Style::kNone) return std::string(text);
  return absl::StrCat(StyleCode(style), text, kReset);
}

}  // namespace propwatch
