#include "coordinator/service/agent_authorizer.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace propwatch {

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

AgentAuthorizer AgentAuthorizer::Open() {
  AgentAuthorizer a(false, {});
  a.open_ = true;
  return a;
}

AgentAuthorizer::AgentAuthorizer(bool certificates, AgentTokens tokens)
    : certificates_(certificates), tokens_(std::move(tokens)) {}

namespace {

absl::Status RegionAllowed(absl::string_view agent_id, absl::string_view region,
                           const std::vector<std::string>& allowed,
                           absl::string_view by) {
  if (allowed.empty() ||
      std::find(allowed.begin(), allowed.end(), region) != allowed.end()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("agent '", agent_id, "' may claim region ",
                   absl::StrJoin(allowed, ", "), " (", by, "), not '", region,
                   "'; start it with the right --region or change its grant"));
}

}  // namespace

absl::StatusOr<AgentTokens> AgentAuthorizer::ParseTokenFile(
    absl::string_view text) {
  AgentTokens tokens;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2 && fields.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("token file line ", line_number,
                       ": expected 'agent_id token [region[,region]]', got ",
                       fields.size(), " fields"));
    }
    std::vector<std::string> regions;
    if (fields.size() == 3) {
      for (absl::string_view region :
           absl::StrSplit(fields[2], ',', absl::SkipEmpty())) {
        regions.emplace_back(region);
      }
      if (regions.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("token file line ", line_number,
                         ": empty region list for ", fields[0]));
      }
    }
    if (fields[1].size() < 16) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_number, ": the token of ", fields[0],
          " is shorter than 16 characters; use e.g. `openssl rand -hex 32`"));
    }
    if (!tokens
             .emplace(std::string(fields[1]),
                      AgentGrant(std::string(fields[0]), std::move(regions)))
             .second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_number,
          ": this token is already given to another agent; tokens must be "
          "unique"));
    }
  }
  return tokens;
}

absl::Status AgentAuthorizer::Authorize(absl::string_view agent_id,
                                        absl::string_view region,
                                        const PeerCredentials& peer) const {
  if (open_) return absl::OkStatus();
  if (!peer.bearer_token.empty() && !tokens_.empty()) {
    // Every entry is compared so timing does not reveal which tokens exist.
    const AgentGrant* owner = nullptr;
    for (const auto& [token, grant] : tokens_) {
      if (ConstantTimeEquals(token, peer.bearer_token)) owner = &grant;
    }
    if (owner == nullptr) {
      return absl::UnauthenticatedError(
          "the agent's token is not in the coordinator's token file");
    }
    if (owner->agent_id != agent_id) {
      return absl::PermissionDeniedError(
          absl::StrCat("this token belongs to agent '", owner->agent_id,
                       "', not to '", agent_id, "'"));
    }
    return RegionAllowed(agent_id, region, owner->regions,
                         "its --agent-tokens line");
  }
  if (certificates_ && !peer.certificate_names.empty()) {
    if (std::find(peer.certificate_names.begin(), peer.certificate_names.end(),
                  agent_id) != peer.certificate_names.end()) {
      std::vector<std::string> regions;
      for (const std::string& name : peer.certificate_names) {
        if (absl::StartsWith(name, kRegionSanPrefix)) {
          regions.push_back(name.substr(sizeof(kRegionSanPrefix) - 1));
        }
      }
      return RegionAllowed(agent_id, region, regions,
                           "its client certificate's propwatch-region: SANs");
    }
    return absl::PermissionDeniedError(
        absl::StrCat("the client certificate names [",
                     absl::StrJoin(peer.certificate_names, ", "),
                     "], not agent '", agent_id, "'"));
  }
  return absl::UnauthenticatedError(
      certificates_
          ? "no client certificate and no token: the agent needs "
            "--tls-cert/--tls-key signed by the coordinator's --tls-ca, or "
            "--token-file"
          : "no token: the agent needs --token-file with its token from the "
            "coordinator's --agent-tokens file");
}

std::string BearerToken(absl::string_view authorization) {
  absl::string_view v = absl::StripAsciiWhitespace(authorization);
  if (v.size() < 7 || !absl::EqualsIgnoreCase(v.substr(0, 7), "bearer ")) {
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(v.substr(7)));
}

}  // namespace propwatch
