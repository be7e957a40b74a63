// Output formats shared by every propwatchctl command.
#ifndef PROPWATCH_CLI_OUTPUT_H_
#define PROPWATCH_CLI_OUTPUT_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

enum class OutputFormat { kTable, kJson };

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// The proto's canonical JSON mapping (field names in lowerCamelCase, enums
// as names, defaults omitted), pretty-printed, ending in a newline.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_OUTPUT_H_
