// Process-wide libcurl initialisation.
#ifndef PROPWATCH_AGENT_HTTP_CURL_GLOBAL_H_
#define PROPWATCH_AGENT_HTTP_CURL_GLOBAL_H_

#include "absl/status/status.h"

namespace propwatch {

// Runs curl_global_init(CURL_GLOBAL_ALL) exactly once per process and returns
// its outcome on every call. curl_global_init is not thread-safe in 7.88, so
// this is the only place that calls it. Thread-safe. curl_global_cleanup is
// never called: other threads may still hold easy handles at exit.
absl::Status EnsureCurlGlobalInit();

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_CURL_GLOBAL_H_
