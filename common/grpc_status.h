// Adapters between grpc::Status and absl::Status. The canonical codes are the
// same numbers in both libraries.
#ifndef PROPWATCH_COMMON_GRPC_STATUS_H_
#define PROPWATCH_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace propwatch {

grpc::Status ToGrpcStatus(const absl::Status& status);

// `what` names the call that failed, e.g. "ListAgents at 127.0.0.1:7000".
absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view what);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_GRPC_STATUS_H_
