// Who may speak as which agent.
//
// An agent proves its identity with a client certificate (mutual TLS: one
// of the certificate's names - CN or a DNS/URI SAN - must equal the
// agent_id it claims) or a per-agent bearer token (the token file maps each
// token to exactly one agent_id). Either may also fix the regions the agent
// may claim in its Hello (a third token-file field; URI SANs
// "propwatch-region:REGION"), so a stolen credential cannot speak for
// another region. Open mode, where any stream may claim any
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

// What one agent token allows: the agent_id it proves and the regions that
// agent may claim (empty: any region).
struct AgentGrant {
  AgentGrant(std::string id, std::vector<std::string> allowed = {})
      : agent_id(std::move(id)), regions(std::move(allowed)) {}
  AgentGrant(const char* id) : agent_id(id) {}  // NOLINT: tables in tests

  std::string agent_id;
  std::vector<std::string> regions;
};
// token -> grant.
using AgentTokens = std::map<std::string, AgentGrant>;

// A client certificate binds regions with URI SANs of this scheme, e.g.
// "propwatch-region:eu-west"; a certificate with none may claim any region.
inline constexpr char kRegionSanPrefix[] = "propwatch-region:";

class AgentAuthorizer {
 public:
  // Any stream may claim any agent_id.
  static AgentAuthorizer Open();
  // `certificates`: accept identities proven by client certificates.
  // `tokens`: token -> agent_id and allowed regions.
  AgentAuthorizer(bool certificates, AgentTokens tokens);

  // Parses a token file: one "agent_id token [region[,region...]]" line per
  // agent, '#' comments. InvalidArgument names the line; a token used twice
  // is an error. Without regions the agent may claim any region.
  static absl::StatusOr<AgentTokens> ParseTokenFile(absl::string_view text);

  // OK, or PermissionDenied / Unauthenticated with the reason (said to the
  // agent and logged by the coordinator). `region` is the region the agent
  // claims; a token or certificate that names regions allows only those.
  absl::Status Authorize(absl::string_view agent_id, absl::string_view region,
                         const PeerCredentials& peer) const;

  bool open() const { return open_; }

 private:
  bool open_ = false;
  bool certificates_ = false;
  AgentTokens tokens_;
};

// The bearer token of an "authorization" header value ("Bearer abc").
std::string BearerToken(absl::string_view authorization);

// Compares secrets without revealing through timing how much matched.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_SERVICE_AGENT_AUTHORIZER_H_
