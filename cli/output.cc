#include "cli/output.h"

#include "absl/strings/str_cat.h"

namespace propwatch {

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--output '", text, "' is not one of: table, json"));
}

}  // namespace propwatch
