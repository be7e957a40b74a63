// One attempt at the agent's Connect stream: sends Hello, then whatever the
// link queues; hands every CoordinatorMessage to a callback.
//
// Threading: reactions run on gRPC's threads; Send(), Close() and
// AwaitDone() may be called from any thread. One write in flight at most;
// later messages wait in the queue. The owner keeps the object alive until
// AwaitDone() has returned.
#ifndef PROPWATCH_AGENT_LINK_LINK_STREAM_H_
#define PROPWATCH_AGENT_LINK_LINK_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "propwatch/v1/agent.grpc.pb.h"

namespace propwatch {

class LinkStream
    : public grpc::ClientBidiReactor<v1::AgentMessage, v1::CoordinatorMessage> {
 public:
  using MessageHandler = std::function<void(const v1::CoordinatorMessage&)>;

  // Starts the call and sends `hello` first. `on_message` runs on a gRPC
  // thread for every message received and must not block; `on_drained`
  // runs on a gRPC thread whenever the send queue has emptied, so the owner
  // can hand over more without queueing unboundedly.
  LinkStream(v1::AgentService::Stub& stub, v1::Hello hello,
             std::function<void(grpc::ClientContext&)> configure,
             MessageHandler on_message, std::function<void()> on_drained);

  void Send(v1::AgentMessage message);
  // Half-closes the stream (WritesDone) after the queued messages.
  void CloseSend();
  // Cancels the call.
  void Cancel() { context_.TryCancel(); }
  // Waits until the stream ended, up to `timeout`. Returns false on timeout.
  bool AwaitDone(absl::Duration timeout, grpc::Status* status);
  bool welcomed();
  // Messages queued or being written.
  size_t queued();

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  void MaybeStartWriteLocked();

  grpc::ClientContext context_;
  v1::CoordinatorMessage incoming_;
  MessageHandler on_message_;
  std::function<void()> on_drained_;

  std::mutex mu_;
  std::condition_variable done_cv_;
  std::deque<v1::AgentMessage> outgoing_;  // guarded by mu_
  bool write_in_flight_ = false;           // guarded by mu_
  bool close_send_ = false;                // guarded by mu_
  bool writes_done_sent_ = false;          // guarded by mu_
  bool welcomed_ = false;                  // guarded by mu_
  bool done_ = false;                      // guarded by mu_
  grpc::Status status_;                    // guarded by mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_LINK_LINK_STREAM_H_
