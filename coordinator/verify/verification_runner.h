// Drives running verifications: rounds of a DNS phase then an HTTP phase on
// the selected agents, each round evaluated by the consistency engine and
// stored, until the verification converges, diverges, is cancelled or turns
// out inconclusive.
//
// One thread per running verification (bounded); each waits on command
// completions with per-phase deadlines, so an agent that never answers is
// recorded as missing instead of being waited on forever. After a
// coordinator restart, ResumeRunning() picks every RUNNING verification up
// at a fresh round number (a round cut short is never reused).
//
// Threading: public methods are thread-safe.
#ifndef PROPWATCH_COORDINATOR_VERIFY_VERIFICATION_RUNNER_H_
#define PROPWATCH_COORDINATOR_VERIFY_VERIFICATION_RUNNER_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "coordinator/dispatch/command_dispatcher.h"
#include "coordinator/dispatch/command_tracker.h"
#include "coordinator/service/agent_registry.h"
#include "coordinator/storage/verification_store.h"
#include "coordinator/verify/target_policy.h"
#include "coordinator/verify/verification_events.h"

namespace propwatch {

class VerificationRunner {
 public:
  VerificationRunner(VerificationStore& store, AgentRegistry& registry,
                     CommandDispatcher& dispatcher, CommandTracker& tracker,
                     VerificationEvents& events, TargetPolicy policy,
                     size_t max_running = 256);
  // Stops the threads; verifications stay RUNNING in the store and resume
  // with the next coordinator.
  ~VerificationRunner();
  VerificationRunner(const VerificationRunner&) = delete;
  VerificationRunner& operator=(const VerificationRunner&) = delete;

  absl::Status ResumeRunning();
  // Validates, stores and starts. InvalidArgument / PermissionDenied name
  // the field; FailedPrecondition when no connected agent matches.
  absl::StatusOr<v1::Verification> Create(
      const v1::CreateVerificationRequest& request);
  // Ends a running verification as CANCELLED (a finished one is returned
  // unchanged).
  absl::StatusOr<v1::Verification> Cancel(const std::string& id,
                                          const std::string& reason);

 private:
  struct Run {
    std::mutex mu;
    std::condition_variable cv;
    v1::Verification verification;  // guarded by mu
    bool stop = false;              // guarded by mu
    bool finished = false;          // guarded by mu
    std::thread thread;
  };

  // REQUIRES: mu_ held.
  void StartLocked(v1::Verification verification);
  // Joins threads of verifications that ended. REQUIRES: mu_ held.
  void ReapLocked();
  void Loop(Run& run);
  // One round; returns false when the verification ended.
  bool RunRound(Run& run);
  // Waits for `command_id` until `deadline`; agents that finished.
  std::set<std::string> AwaitPhase(Run& run, uint64_t command_id,
                                   absl::Time deadline);
  bool Stopped(Run& run);
  void Publish(const v1::Verification& v, const v1::RoundReport* report);

  VerificationStore& store_;
  AgentRegistry& registry_;
  CommandDispatcher& dispatcher_;
  CommandTracker& tracker_;
  VerificationEvents& events_;
  const TargetPolicy policy_;
  const size_t max_running_;

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Run>> runs_;  // guarded by mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_VERIFICATION_RUNNER_H_
