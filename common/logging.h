// Process-wide logging set-up. Every binary logs to stderr through spdlog so
// stdout stays free for results and JSON.
#ifndef PROPWATCH_COMMON_LOGGING_H_
#define PROPWATCH_COMMON_LOGGING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// `level` is one of trace, debug, info, warn, error, off.
absl::Status SetupLogging(absl::string_view program, absl::string_view level);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_LOGGING_H_
