// The agent's connection to the coordinator: dials out, says hello, sends
// heartbeats, reconnects with exponential backoff and jitter, and hands
// commands to the probe side.
//
// Threading: Run() blocks on its own thread; Stop() and Send() are
// thread-safe.
#ifndef PROPWATCH_AGENT_LINK_AGENT_LINK_H_
#define PROPWATCH_AGENT_LINK_AGENT_LINK_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agent/link/link_status_file.h"
#include "agent/link/link_stream.h"
#include "agent/link/outbox.h"
#include "propwatch/v1/agent.grpc.pb.h"

namespace propwatch {

struct AgentLinkOptions {
  // Coordinator address, "host:port".
  std::string coordinator;
  v1::AgentIdentity identity;
  absl::Duration min_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Seconds(30);
  // gRPC keepalive ping period; the coordinator accepts pings every 10 s.
  absl::Duration keepalive = absl::Seconds(20);
  // TLS or mTLS credentials; plaintext only when the operator said
  // --insecure.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Sent as "authorization: Bearer <token>" when set.
  std::string token;
  // Results to send; borrowed, must outlive the link.
  Outbox* outbox = nullptr;
  // Results per ResultBatch message.
  size_t batch_size = 256;
  // Fills the counters of each heartbeat (in flight, ...); may be empty.
  std::function<void(v1::Heartbeat&)> fill_heartbeat;
  // Where to keep the link's state for health checks ("": nowhere); see
  // link_status_file.h.
  std::string status_file;
};

// Backoff before reconnect attempt `attempt` (0-based): doubles from
// min_backoff up to max_backoff, then full jitter over [d/2, d]. Pure.
absl::Duration ReconnectDelay(int attempt, absl::Duration min_backoff,
                              absl::Duration max_backoff, double unit_random);

class AgentLink {
 public:
  using CommandHandler = std::function<void(const v1::CoordinatorMessage&)>;

  AgentLink(AgentLinkOptions options, CommandHandler on_command);
  ~AgentLink();

  // Connects and keeps reconnecting until Stop(). Returns OK after Stop(),
  // or the error that makes retrying pointless (refused identity or
  // credentials).
  absl::Status Run();
  void Stop();
  // Sends on the current stream if there is one. For bookkeeping messages
  // (CommandDone) whose loss a reconnect makes moot; results go through the
  // outbox.
  void Send(v1::AgentMessage message);
  // Sends `message` once every result numbered `after_sequence` or lower
  // has been handed to a stream, so it cannot overtake them (CommandDone
  // tells the coordinator that a command's results are all in). Kept across
  // reconnects until a stream takes it.
  void SendAfterResults(v1::AgentMessage message, uint64_t after_sequence);
  // Hands unsent outbox results to the stream, a few batches at a time.
  // Call after adding to the outbox; also runs on acks and drained writes.
  void Pump();
  bool connected();

 private:
  // Runs one stream until it ends or Stop(); returns its final status.
  grpc::Status RunStream(v1::AgentService::Stub& stub);
  void OnMessage(const v1::CoordinatorMessage& message);
  // Sends the SendAfterResults messages whose results are all on the
  // stream. REQUIRES: mu_ held, stream_ welcomed.
  void SendDueAfterResultsLocked();
  // Keeps the status file current (a no-op without one).
  void RecordLinkState(bool connected, absl::string_view reason = "");

  const AgentLinkOptions options_;
  CommandHandler on_command_;
  std::mt19937_64 rng_{std::random_device{}()};
  LinkStatusFile status_file_;  // Run()'s thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;               // guarded by mu_
  std::shared_ptr<LinkStream> stream_;  // guarded by mu_
  // Messages waiting for the results before them (SendAfterResults), in
  // the order they were given.
  std::deque<std::pair<uint64_t, v1::AgentMessage>> after_results_;  // mu_
  absl::Duration heartbeat_interval_ = absl::Seconds(5);  // guarded by mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_LINK_AGENT_LINK_H_
