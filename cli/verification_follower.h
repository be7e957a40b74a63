// Follows one verification over WatchVerification until it reaches a final
// state. A stream that breaks (a coordinator restart, a network blip) is
// re-opened with backoff, because a pipeline gate must not fail on a blip;
// every new stream starts with the current state, so nothing is lost.
#ifndef PROPWATCH_CLI_VERIFICATION_FOLLOWER_H_
#define PROPWATCH_CLI_VERIFICATION_FOLLOWER_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/coordinator_client.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

struct FollowOptions {
  // Consecutive failed attempts before giving up (each successful event
  // resets the count); 0: no limit, the follower keeps re-dialling until
  // the verification's deadline plus `grace`, so a gate rides out a
  // coordinator restart of any length within it.
  int max_reconnects = 0;
  absl::Duration first_backoff = absl::Milliseconds(250);
  // Short, so a coordinator that is back is found within a second or two.
  absl::Duration max_backoff = absl::Seconds(2);
  // Added to the verification's deadline: how long after it the follower
  // still waits for the coordinator to report the final state.
  absl::Duration grace = absl::Seconds(30);
};

class VerificationFollower {
 public:
  using EventCallback = std::function<void(const v1::VerificationEvent&)>;
  // Called before each reconnect attempt with the attempt number (from 1)
  // and why the previous stream ended.
  using ReconnectCallback = std::function<void(int, const absl::Status&)>;

  VerificationFollower(CoordinatorClient& client, FollowOptions options)
      : client_(client), options_(options) {}

  // Blocks until `start` (as just created or fetched) reaches a final state;
  // `on_event` sees every event in order. Returns the final event, or:
  // NotFound / PermissionDenied at once; Unavailable after max_reconnects
  // failed attempts (when set); DeadlineExceeded when no final state arrived
  // within the verification's deadline plus grace; Cancelled once
  // Interrupt() was called.
  absl::StatusOr<v1::VerificationEvent> Follow(
      const v1::Verification& start, const EventCallback& on_event,
      const ReconnectCallback& on_reconnect);

  // The time after which Follow gives up on `v`.
  absl::Time GiveUpAt(const v1::Verification& v) const;

  // Thread-safe: ends Follow() soon, from a blocking read or a backoff wait.
  void Interrupt();

 private:
  CoordinatorClient& client_;
  FollowOptions options_;

  std::mutex mu_;
  std::condition_variable interrupted_cv_;
  bool interrupted_ = false;              // guarded by mu_
  VerificationStream* stream_ = nullptr;  // guarded by mu_; Follow's current
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_VERIFICATION_FOLLOWER_H_
