// Sends probe commands to connected agents and says who got them.
//
// Threading: thread-safe.
#ifndef PROPWATCH_COORDINATOR_DISPATCH_COMMAND_DISPATCHER_H_
#define PROPWATCH_COORDINATOR_DISPATCH_COMMAND_DISPATCHER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/dispatch/command_tracker.h"
#include "coordinator/service/agent_registry.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// The identities `selector` picks (regions and labels), in input order.
// Pure.
std::vector<v1::AgentIdentity> SelectAgents(
    const v1::AgentSelector& selector,
    const std::vector<v1::AgentIdentity>& candidates);

struct DispatchOutcome {
  std::vector<std::string> delivered;
  std::vector<std::string> undelivered;
};

class CommandDispatcher {
 public:
  explicit CommandDispatcher(AgentRegistry& registry);

  // Unique per coordinator, across restarts (seeded from the clock).
  uint64_t NextCommandId() { return next_command_id_++; }

  // Queues `command` on each agent's stream. An agent whose stream ended
  // meanwhile is listed as undelivered, never silently skipped.
  DispatchOutcome Send(const std::vector<std::string>& agent_ids,
                       const v1::ProbeCommand& command);
  // Tells each agent still working on one of `commands` to stop it
  // (CancelCommand with `reason`). Agents that are gone are skipped: their
  // commands end with the stream.
  void Cancel(const std::vector<CancelledCommand>& commands,
              const std::string& reason);

 private:
  AgentRegistry& registry_;
  std::atomic<uint64_t> next_command_id_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_DISPATCH_COMMAND_DISPATCHER_H_
