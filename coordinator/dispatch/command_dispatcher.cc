#include "coordinator/dispatch/command_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/time/clock.h"

namespace propwatch {

std::vector<v1::AgentIdentity> SelectAgents(
    const v1::AgentSelector& selector,
    const std::vector<v1::AgentIdentity>& candidates) {
  std::vector<v1::AgentIdentity> out;
  for (const v1::AgentIdentity& agent : candidates) {
    if (!selector.regions().empty() &&
        std::find(selector.regions().begin(), selector.regions().end(),
                  agent.region()) == selector.regions().end()) {
      continue;
    }
    bool labels_match = true;
    for (const auto& [key, value] : selector.labels()) {
      auto it = agent.labels().find(key);
      if (it == agent.labels().end() || it->second != value) {
        labels_match = false;
        break;
      }
    }
    if (labels_match) out.push_back(agent);
  }
  return out;
}

CommandDispatcher::CommandDispatcher(AgentRegistry& registry)
    : registry_(registry),
      // Microseconds since the epoch: a restarted coordinator never reuses
      // an id an agent may still be running.
      next_command_id_(static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()))) {
}

DispatchOutcome CommandDispatcher::Send(
    const std::vector<std::string>& agent_ids,
    const v1::ProbeCommand& command) {
  DispatchOutcome outcome;
  v1::CoordinatorMessage message;
  *message.mutable_command() = command;
  for (const std::string& id : agent_ids) {
    if (registry_.SendTo(id, message)) {
      outcome.delivered.push_back(id);
    } else {
      outcome.undelivered.push_back(id);
      spdlog::warn("command {} undelivered: agent {} is not connected",
                   command.command_id(), id);
    }
  }
  return outcome;
}

void CommandDispatcher::Cancel(const std::vector<CancelledCommand>& commands,
                               const std::string& reason) {
  for (const CancelledCommand& command : commands) {
    v1::CoordinatorMessage message;
    message.mutable_cancel()->set_command_id(command.command_id);
    message.mutable_cancel()->set_reason(reason);
    for (const std::string& id : command.agents) registry_.SendTo(id, message);
  }
}

}  // namespace propwatch
