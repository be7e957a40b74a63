// propwatchctl's exit codes: the contract with deployment pipelines.
#ifndef PROPWATCH_CLI_EXIT_CODES_H_
#define PROPWATCH_CLI_EXIT_CODES_H_

#include "absl/status/status.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

enum ExitCode : int {
  kExitPass = 0,          // converged / pass / command succeeded
  kExitFail = 1,          // diverged / fail
  kExitInconclusive = 2,  // no quorum, deadline while still converging
  kExitUsage = 3,         // usage error or bad spec
  kExitUnreachable = 4,   // coordinator unreachable or not authorised
  // The shell's convention, 128 + the signal: the wait was interrupted by
  // SIGINT (Ctrl-C) or SIGTERM (a cancelled CI job) and is no verdict.
  kExitInterrupted = 130,
  kExitTerminated = 143,
};

// Maps an RPC failure to the exit code a pipeline should see: 3 for what the
// caller got wrong (bad argument, unknown id), 4 for everything else.
ExitCode ExitCodeForStatus(const absl::Status& status);

// The gate's answer for a verification in `state`: CONVERGED 0, DIVERGED 1,
// anything else (INCONCLUSIVE, CANCELLED, still RUNNING) 2, because none of
// those proves the change either way.
ExitCode ExitCodeForState(v1::VerificationState state);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_EXIT_CODES_H_
