// WatchVerification: streams a verification's current state, then every
// round and state change, and ends after the final state.
//
// Threading: events arrive on runner threads; gRPC reactions on its own.
// The subscription forwards through a shared gate so an event published
// while the stream ends never touches a deleted reactor.
#ifndef PROPWATCH_COORDINATOR_SERVICE_WATCH_REACTOR_H_
#define PROPWATCH_COORDINATOR_SERVICE_WATCH_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <memory>
#include <mutex>

#include "coordinator/storage/verification_store.h"
#include "coordinator/verify/verification_events.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

class WatchReactor : public grpc::ServerWriteReactor<v1::VerificationEvent> {
 public:
  WatchReactor(VerificationEvents& events, VerificationStore& store,
               const std::string& id);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  struct Gate {
    std::mutex mu;
    WatchReactor* reactor = nullptr;  // guarded by mu; null once done
  };
  void Enqueue(const v1::VerificationEvent& event);
  // REQUIRES: mu_ held.
  void MaybeWriteLocked();
  void FinishLocked(const grpc::Status& status);

  VerificationEvents& events_;
  std::shared_ptr<Gate> gate_;
  uint64_t token_ = 0;

  std::mutex mu_;
  std::deque<v1::VerificationEvent> queue_;  // guarded by mu_
  bool writing_ = false;                     // guarded by mu_
  bool finished_ = false;                    // guarded by mu_
  bool final_queued_ = false;                // guarded by mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_WATCH_REACTOR_H_
