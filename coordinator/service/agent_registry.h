// Which agents are connected right now, and their records in the store.
//
// Thread-safety: all methods are thread-safe; they are called from gRPC
// callback threads and from the liveness watchdog.
#ifndef PROPWATCH_COORDINATOR_SERVICE_AGENT_REGISTRY_H_
#define PROPWATCH_COORDINATOR_SERVICE_AGENT_REGISTRY_H_

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "coordinator/storage/store.h"
#include "propwatch/v1/agent.pb.h"

namespace propwatch {

// A live agent stream as the registry sees it. Implemented by AgentSession.
class AgentConnection {
 public:
  virtual ~AgentConnection() = default;
  // Ends the stream with `status`; may be called from any thread, and more
  // than once (later calls are ignored). Must not block, and must not call
  // back into the registry synchronously (the registry calls it under its
  // lock).
  virtual void Close(const absl::Status& status) = 0;
  // Queues `message` for the agent; false once the stream is closing. Must
  // not block or call back into the registry.
  virtual bool Send(v1::CoordinatorMessage message) = 0;
};

class AgentRegistry {
 public:
  // How stale the stored last_seen of a connected agent may get.
  static constexpr absl::Duration kStoredLastSeenRefresh = absl::Seconds(30);

  // `heartbeat_timeout`: a connection silent for longer is closed and its
  // agent marked disconnected.
  AgentRegistry(Store& store, absl::Duration heartbeat_timeout);
  ~AgentRegistry();
  AgentRegistry(const AgentRegistry&) = delete;
  AgentRegistry& operator=(const AgentRegistry&) = delete;

  // Records the agent as connected via `connection`. A previous connection
  // with the same agent_id is closed (a restarted agent replaces itself).
  absl::Status Connect(const v1::AgentIdentity& identity,
                       const std::string& peer, uint64_t dropped_results,
                       AgentConnection* connection);
  // Refreshes last-seen for the agent, if `connection` is still its current
  // one. The watchdog uses the in-memory time; the stored record's last_seen
  // is rewritten only when dropped_results changed or it is older than
  // kStoredLastSeenRefresh, because a synced write per heartbeat (200/s
  // with 1,000 agents at 5 s) held the registry lock through an fsync and
  // stalled command fan-out and result ingest.
  void Touch(const std::string& agent_id, AgentConnection* connection,
             uint64_t dropped_results);
  // Marks the agent disconnected if `connection` is still its current one.
  void Disconnect(const std::string& agent_id, AgentConnection* connection);

  size_t connected_count();
  // Identities of the connected agents, in agent_id order.
  std::vector<v1::AgentIdentity> Connected();
  // Identities of the agents connected now or seen at or after `since`
  // (from the stored records), in agent_id order.
  absl::StatusOr<std::vector<v1::AgentIdentity>> SeenSince(absl::Time since);
  // Every agent ever seen, with the refused-results counts of this process.
  absl::StatusOr<std::vector<v1::AgentRecord>> Records();
  // Deletes the record of a disconnected agent and returns it as it was.
  // FailedPrecondition while it is connected, NotFound when unknown.
  absl::StatusOr<v1::AgentRecord> Forget(const std::string& agent_id);
  // `count` results from `agent_id` were refused (see CommandTracker).
  void CountRefused(const std::string& agent_id, uint64_t count);

  // A stream that has not sent its Hello yet: closed by the watchdog when no
  // Hello arrives within `hello_timeout` (a connection that says nothing
  // must not hold a slot). ResourceExhausted when `max_pending` such
  // streams are already open (unauthenticated clients cannot pile up
  // streams); the caller then closes it.
  absl::Status AddPending(AgentConnection* connection);
  // The Hello arrived, or the stream ended. Idempotent.
  void RemovePending(AgentConnection* connection);
  size_t pending_count();

  // Limits on streams before authentication; defaults as the coordinator's.
  void SetHelloLimits(absl::Duration hello_timeout, size_t max_pending);
  // Queues `message` on the agent's current stream. False (undelivered)
  // when it is not connected or its stream is closing.
  bool SendTo(const std::string& agent_id, v1::CoordinatorMessage message);

  // Closes every live connection (shutdown).
  void CloseAll(const absl::Status& status);

 private:
  struct Live {
    AgentConnection* connection = nullptr;
    v1::AgentIdentity identity;
    absl::Time last_seen;
    // What the stored record says, to skip rewriting it on most heartbeats.
    absl::Time stored_last_seen;
    uint64_t stored_dropped_results = 0;
  };
  void WatchdogLoop();
  void MarkDisconnected(const std::string& agent_id);

  Store& store_;
  const absl::Duration heartbeat_timeout_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, Live> live_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> refused_ ABSL_GUARDED_BY(mu_);
  // Streams without a Hello yet, and when each opened.
  std::map<AgentConnection*, absl::Time> pending_ ABSL_GUARDED_BY(mu_);
  absl::Duration hello_timeout_ ABSL_GUARDED_BY(mu_) = absl::Seconds(10);
  size_t max_pending_ ABSL_GUARDED_BY(mu_) = 1000;
  std::thread watchdog_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_AGENT_REGISTRY_H_
