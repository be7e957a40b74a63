// Who may speak as which agent.
//
// An agent proves its identity with a client certificate (mutual TLS: one
// of the certificate's names - CN or a DNS/URI SAN - must equal the
// agent_id it claims) or a per-agent bearer token (the token file maps each
// token to exactly one agent_id). Open mode, where any stream may claim any
// id, exists only for plaintext local demos (--insecure without tokens).
//
// Pure: no I/O after construction; thread-safe for concurrent reads.
#ifndef PROPWATCH_COORDINATOR_SERVICE_AGENT_AUTHORIZER_H_
#define PROPWATCH_COORDINATOR_SERVICE_AGENT_AUTHORIZER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// What a stream proved about itself.
struct PeerCredentials {
  // Names of a verified client certificate (CN, SANs); empty without one.
  std::vector<std::string> certificate_names;
  // The bearer token from the "authorization" metadata, if any.
  std::string bearer_token;
};

class AgentAuthorizer {
 public:
  // Any stream may claim any agent_id.
  static AgentAuthorizer Open();
  // `certificates`: accept identities proven by client certificates.
  // `tokens`: token -> agent_id.
  AgentAuthorizer(bool certificates, std::map<std::string, std::string> tokens);

  // Parses a token file: one "agent_id token" pair per line, '#' comments.
  // InvalidArgument names the line; a token used twice is an error.
  static absl::StatusOr<std::map<std::string, std::string>> ParseTokenFile(
      absl::string_view text);

  // OK, or PermissionDenied / Unauthenticated with the reason (said to the
  // agent and logged by the coordinator).
  absl::Status Authorize(absl::string_view agent_id,
                         const PeerCredentials& peer) const;

  bool open() const { return open_; }

 private:
  bool open_ = false;
  bool certificates_ = false;
  std::map<std::string, std::string> tokens_;
};

// The bearer token of an "authorization" header value ("Bearer abc").
std::string BearerToken(absl::string_view authorization);

// Compares secrets without revealing through timing how much matched.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_AGENT_AUTHORIZER_H_
