// Checks on what an agent claims in its Hello, before it is stored.
#ifndef PROPWATCH_COORDINATOR_SERVICE_IDENTITY_VALIDATION_H_
#define PROPWATCH_COORDINATOR_SERVICE_IDENTITY_VALIDATION_H_

#include "absl/status/status.h"
#include "propwatch/v1/agent.pb.h"

namespace propwatch {

// agent_id and region: 1-128 chars of [A-Za-z0-9._-]; provider and labels
// bounded too, so one agent cannot bloat the store. InvalidArgument names
// the field.
absl::Status ValidateIdentity(const v1::AgentIdentity& identity);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_IDENTITY_VALIDATION_H_
