// Process-wide c-ares initialisation and the one adapter from c-ares status
// codes to propwatch's vocabulary (absl::Status and ErrorClass).
#ifndef PROPWATCH_AGENT_DNS_CARES_STATUS_H_
#define PROPWATCH_AGENT_DNS_CARES_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::dns {

// Calls ares_library_init once per process; later calls return the first
// outcome. Thread-safe.
absl::Status EnsureCaresLibrary();

// `what` says what failed and with which input, e.g. "ares_init_options".
absl::Status CaresError(int ares_status, absl::string_view what);

// The probe error class for a c-ares completion status other than
// ARES_SUCCESS. ARES_ECONNREFUSED is also what c-ares 1.18 reports when it
// could not open a socket at all; callers that can tell the two apart (see
// ClassifyConnectFailure in dns_query_engine.h) refine it.
propwatch::v1::ErrorClass ErrorClassForCares(int ares_status);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_CARES_STATUS_H_
