#include "cli/exit_codes.h"

namespace propwatch {

ExitCode ExitCodeForStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitPass;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return kExitUsage;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnreachable;
    default:
      // UNIMPLEMENTED, INTERNAL, ...: the coordinator could not answer. That
      // is never a verdict, so never 1 (diverged), which a pipeline would
      // read as "roll back".
      return kExitUnreachable;
  }
}

ExitCode ExitCodeForState(v1::VerificationState state) {
  switch (state) {
    case v1::VERIFICATION_STATE_CONVERGED:
      return kExitPass;
    case v1::VERIFICATION_STATE_DIVERGED:
      return kExitFail;
    default:
      return kExitInconclusive;
  }
}

}  // namespace propwatch
