// The agent as a daemon: the probe loop on its own thread, the outbox, and
// the link to the coordinator, wired together.
//
// Commands arrive on gRPC threads and are posted to the loop; results go
// from the loop into the outbox and are pumped onto the stream.
#ifndef PROPWATCH_AGENT_DAEMON_AGENT_DAEMON_H_
#define PROPWATCH_AGENT_DAEMON_AGENT_DAEMON_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agent/link/agent_link.h"
#include "agent/link/outbox.h"
#include "agent/loop/event_loop.h"
#include "agent/runner/probe_runner.h"

namespace propwatch {

struct AgentDaemonOptions {
  AgentLinkOptions link;  // its outbox and fill_heartbeat are set here
  ProbeRunnerOptions runner;
  // Results kept until acked.
  size_t outbox_capacity = 100000;
  // Journal the outbox here; empty keeps it in memory only.
  std::string state_dir;
};

class AgentDaemon {
 public:
  static absl::StatusOr<std::unique_ptr<AgentDaemon>> Create(
      AgentDaemonOptions options);
  ~AgentDaemon();
  AgentDaemon(const AgentDaemon&) = delete;
  AgentDaemon& operator=(const AgentDaemon&) = delete;

  // Runs until Shutdown() or a fatal refusal by the coordinator.
  absl::Status Run();
  // Thread-safe. Stops taking commands, lets running probes finish for up
  // to `grace` (then cancels them), waits up to `grace` more for the
  // coordinator to ack the outbox, and closes the stream. What stays
  // unacked is kept in the journal (if any) for the next start.
  void Shutdown(absl::Duration grace);

 private:
  AgentDaemon(AgentDaemonOptions options, std::unique_ptr<EventLoop> loop,
              std::unique_ptr<ProbeRunner> runner,
              std::unique_ptr<Outbox> outbox);
  void OnCoordinatorMessage(const v1::CoordinatorMessage& message);
  void StartCommand(const v1::ProbeCommand& command);
  // Runs `fn` on the loop thread and waits for it.
  void RunOnLoop(const std::function<void()>& fn);

  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<ProbeRunner> runner_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<AgentLink> link_;
  std::thread loop_thread_;
  std::atomic<bool> accepting_{true};
  std::atomic<uint32_t> probes_in_flight_{0};
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_DAEMON_AGENT_DAEMON_H_
