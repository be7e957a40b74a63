// Who may use the control API, and for what.
//
// The control API creates verifications, which make every agent probe the
// targets given: a caller that can reach the coordinator must not be able to
// do that without a credential. Callers present a bearer token from the
// control token file; each token has a name (for the log) and a scope:
// `read` (list, get, watch, report, results, agents) or `write` (also create,
// cancel and ad-hoc probes). Without a token file the API is open, which the
// coordinator only allows with --insecure or says loudly at start.
//
// Pure: no I/O after construction; thread-safe for concurrent reads.
#ifndef PROPWATCH_COORDINATOR_SERVICE_CONTROL_AUTHORIZER_H_
#define PROPWATCH_COORDINATOR_SERVICE_CONTROL_AUTHORIZER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

enum class ControlScope { kRead, kWrite };

struct ControlToken {
  std::string name;
  std::string token;
  ControlScope scope = ControlScope::kWrite;
};

class ControlAuthorizer {
 public:
  // Anyone may do anything.
  static ControlAuthorizer Open();
  explicit ControlAuthorizer(std::vector<ControlToken> tokens);

  // One "name token [read|write]" per line ('#' comments, scope defaults to
  // write). InvalidArgument names the line; names and tokens are unique.
  static absl::StatusOr<std::vector<ControlToken>> ParseTokenFile(
      absl::string_view text);

  // The caller's name, or Unauthenticated (no or unknown token) /
  // PermissionDenied (a read token asking to write), with what to do.
  absl::StatusOr<std::string> Authorize(absl::string_view bearer_token,
                                        ControlScope needed) const;

  bool open() const { return open_; }

 private:
  bool open_ = false;
  std::vector<ControlToken> tokens_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_CONTROL_AUTHORIZER_H_
