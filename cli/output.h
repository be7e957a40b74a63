// Output formats shared by every propwatchctl command.
#ifndef PROPWATCH_CLI_OUTPUT_H_
#define PROPWATCH_CLI_OUTPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/proto_json.h"

namespace propwatch {

enum class OutputFormat { kTable, kJson };

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_OUTPUT_H_
