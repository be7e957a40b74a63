// One agent's Connect stream on the coordinator.
//
// Threading: gRPC runs the reactions (OnReadDone, OnWriteDone, OnDone) on its
// callback threads, never two of one reactor at once for the same operation
// kind; Send() and Close() may be called from any thread. One read and one
// write are in flight at most; outgoing messages wait in a per-stream queue.
// The object deletes itself in OnDone().
#ifndef PROPWATCH_COORDINATOR_SERVICE_AGENT_SESSION_H_
#define PROPWATCH_COORDINATOR_SERVICE_AGENT_SESSION_H_

#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>

#include <deque>
#include <mutex>
#include <string>

#include "coordinator/dispatch/command_tracker.h"
#include "coordinator/ingest/ingest_writer.h"
#include "coordinator/service/agent_authorizer.h"
#include "coordinator/service/agent_registry.h"
#include "propwatch/v1/agent.grpc.pb.h"

namespace propwatch {

class AgentSession
    : public grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>,
      public AgentConnection {
 public:
  AgentSession(grpc::CallbackServerContext* context, AgentRegistry& registry,
               IngestWriter& ingest, CommandTracker& tracker,
               const AgentAuthorizer& authorizer,
               absl::Duration heartbeat_interval);

  // Queues `message` for the agent. False (dropped) once the stream is
  // closing.
  bool Send(v1::CoordinatorMessage message) override;
  void Close(const absl::Status& status) override;

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;
  void OnCancel() override;

 private:
  class Sink;
  absl::Status HandleHello(const v1::Hello& hello);
  PeerCredentials Credentials() const;
  // Returns false when the next read must wait for the ingest queue.
  bool HandleMessage(v1::AgentMessage& message);
  // Starts the next read unless the stream is finishing.
  void ReadNext();
  // REQUIRES: mu_ held, no read in flight.
  void StartReadLocked();
  // Frees the message just read, once nothing refers to it; called before
  // the results go to the ingest writer, whose OnResume may start the next
  // read at once.
  void ReleaseIncoming();
  // REQUIRES: mu_ held.
  void MaybeStartWriteLocked();
  void FinishLocked(const grpc::Status& status);

  grpc::CallbackServerContext* context_;
  AgentRegistry& registry_;
  IngestWriter& ingest_;
  CommandTracker& tracker_;
  const AgentAuthorizer& authorizer_;
  const absl::Duration heartbeat_interval_;
  // Acks and resume signals from the ingest writer; detached in OnDone.
  std::shared_ptr<Sink> sink_;
  const std::string peer_;
  // Each read parses into a message on this arena, reset before the next
  // read: one result batch then costs a few block allocations instead of
  // several per result, and no per-field destructors.
  google::protobuf::Arena arena_;
  v1::AgentMessage* incoming_ = nullptr;  // on arena_; one read at a time

  std::mutex mu_;
  // OK when `sequence` lies within kMaxSequenceJump of the highest number
  // seen from this agent (its acked_through at Hello, then what this stream
  // sent); then it becomes the new reference.
  absl::Status AcceptSequence(uint64_t sequence);

  // How far an agent's sequence numbers may jump (an outbox holds far fewer
  // results than this).
  static constexpr uint64_t kMaxSequenceJump = uint64_t{1} << 32;

  // Set on the reading reaction only: one warning per stream.
  bool warned_refused_ = false;
  uint64_t sequence_floor_ = 0;
  std::string agent_id_;                         // set once Hello is accepted
  std::string region_;                           // set once Hello is accepted
  std::deque<v1::CoordinatorMessage> outgoing_;  // guarded by mu_
  bool write_in_flight_ = false;                 // guarded by mu_
  bool finished_ = false;                        // guarded by mu_
  bool registered_ = false;                      // guarded by mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_AGENT_SESSION_H_
