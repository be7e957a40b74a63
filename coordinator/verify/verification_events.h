// Fan-out of verification progress to watchers (WatchVerification).
//
// Threading: thread-safe. Listeners run on the publishing thread, outside
// the lock, and must not block.
#ifndef PROPWATCH_COORDINATOR_VERIFY_VERIFICATION_EVENTS_H_
#define PROPWATCH_COORDINATOR_VERIFY_VERIFICATION_EVENTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "propwatch/v1/control.pb.h"

namespace propwatch {

class VerificationEvents {
 public:
  using Listener = std::function<void(const v1::VerificationEvent&)>;

  // Returns a token for Unsubscribe.
  uint64_t Subscribe(const std::string& verification_id, Listener listener);
  void Unsubscribe(uint64_t token);
  void Publish(const v1::VerificationEvent& event);

 private:
  struct Subscription {
    std::string verification_id;
    std::shared_ptr<Listener> listener;
  };
  std::mutex mu_;
  uint64_t next_token_ = 1;                         // guarded by mu_
  std::map<uint64_t, Subscription> subscriptions_;  // guarded by mu_
};

// True for CONVERGED, DIVERGED, INCONCLUSIVE and CANCELLED.
bool IsFinalState(v1::VerificationState state);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_VERIFY_VERIFICATION_EVENTS_H_
