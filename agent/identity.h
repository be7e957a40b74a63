// Building the agent's identity from its flags and its host.
#ifndef PROPWATCH_AGENT_IDENTITY_H_
#define PROPWATCH_AGENT_IDENTITY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "propwatch/v1/agent.pb.h"

namespace propwatch {

// "k=v" strings into a map; InvalidArgument names the bad entry.
absl::Status ParseLabels(const std::vector<std::string>& labels,
                         v1::AgentIdentity& identity);

// The nameservers of /etc/resolv.conf; empty when it cannot be read.
std::vector<std::string> SystemResolvers();

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_IDENTITY_H_
