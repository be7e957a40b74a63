// A small file saying whether the agent is connected to its coordinator, for
// container health checks and Kubernetes exec probes. The agent has no
// listener of its own, and asking the coordinator's control API from every
// agent would need a control credential and cost the coordinator one
// ListAgents per agent per probe period.
//
// Content, one line: "connected <coordinator> <unix seconds>" (refreshed at
// least every `refresh` while connected) or "disconnected <coordinator>
// <unix seconds> <reason>". Written to a temporary file and renamed, so a
// reader never sees half a line.
#ifndef PROPWATCH_AGENT_LINK_LINK_STATUS_FILE_H_
#define PROPWATCH_AGENT_LINK_LINK_STATUS_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace propwatch {

// The line for a state; pure.
std::string LinkStatusLine(bool connected, absl::string_view coordinator,
                           absl::Time now, absl::string_view reason);

class LinkStatusFile {
 public:
  // An empty path disables it.
  LinkStatusFile(std::string path, std::string coordinator,
                 absl::Duration refresh = absl::Seconds(5));

  // Rewrites the file when the state or reason changed or `refresh` has
  // passed.
  // Errors are returned once per change of error text, so a full disk does
  // not flood the log; the agent keeps running either way.
  absl::Status Update(bool connected, absl::string_view reason = "");

 private:
  const std::string path_;
  const std::string coordinator_;
  const absl::Duration refresh_;
  bool written_ = false;
  bool connected_ = false;
  std::string reason_;
  absl::Time last_write_ = absl::InfinitePast();
  std::string last_error_;
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_LINK_LINK_STATUS_FILE_H_
