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

#include "absl/base/thread_annotations.h"
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
                     absl::Duration expected_region_window = absl::Hours(24),
                     size_t max_running = 256);
  // Stops the threads; verifications stay RUNNING in the store and resume
  // with the next coordinator.
  ~VerificationRunner();
  VerificationRunner(const VerificationRunner&) = delete;
  VerificationRunner& operator=(const VerificationRunner&) = delete;

  absl::Status ResumeRunning();
  // Validates, stores and starts. InvalidArgument / PermissionDenied name
  // the field; FailedPrecondition when no connected agent matches. Fixes the
  // expected regions: selector.regions, or the regions of every agent that
  // matches the selector and was connected within expected_region_window.
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
    v1::Verification verification ABSL_GUARDED_BY(mu);
    bool stop ABSL_GUARDED_BY(mu) = false;
    bool finished ABSL_GUARDED_BY(mu) = false;
    bool resumed = false;  // set before the thread starts
    std::thread thread;
  };

  absl::StatusOr<std::set<std::string>> ExpectedRegions(
      const v1::AgentSelector& selector, absl::Time now);
  void StartLocked(v1::Verification verification, bool resumed = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether every expected region has a connected agent matching the
  // selector.
  bool ExpectedRegionsConnected(const v1::Verification& v);
  // Waits (bounded, cancellable) for the agents of a verification resumed
  // after a restart to reconnect.
  void AwaitAgentsAfterResume(Run& run);
  // Joins threads of verifications that ended.
  void ReapLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Loop(Run& run);
  // One round; returns false when the verification ended.
  bool RunRound(Run& run);
  // Sends `command` to `agents` and waits for them until `deadline` (plus a
  // grace for results in flight). Agents still working when the phase ends
  // without them are told to stop. Says why the phase ended.
  WaitEnd RunPhase(Run& run, const v1::ProbeCommand& command,
                   const std::vector<std::string>& agents, absl::Time deadline);
  // Waits for an already sent command, as RunPhase does.
  WaitEnd AwaitPhase(uint64_t command_id, absl::Time deadline);
  bool Stopped(Run& run);
  void Publish(const v1::Verification& v, const v1::RoundReport* report);

  VerificationStore& store_;
  AgentRegistry& registry_;
  CommandDispatcher& dispatcher_;
  CommandTracker& tracker_;
  VerificationEvents& events_;
  const TargetPolicy policy_;
  const absl::Duration expected_region_window_;
  const size_t max_running_;

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Run>> runs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_VERIFICATION_RUNNER_H_
