#include "coordinator/service/control_authorizer.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "coordinator/service/agent_authorizer.h"

namespace propwatch {

ControlAuthorizer ControlAuthorizer::Open() {
  ControlAuthorizer a({});
  a.open_ = true;
  return a;
}

ControlAuthorizer::ControlAuthorizer(std::vector<ControlToken> tokens)
    : tokens_(std::move(tokens)) {}

absl::StatusOr<std::vector<ControlToken>> ControlAuthorizer::ParseTokenFile(
    absl::string_view text) {
  std::vector<ControlToken> tokens;
  std::set<std::string> names;
  std::set<std::string> secrets;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const std::string where =
        absl::StrCat("control token file line ", line_number, ": ");
    if (fields.size() != 2 && fields.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected 'name token [read|write]', got ",
                       fields.size(), " fields"));
    }
    ControlToken entry{std::string(fields[0]), std::string(fields[1]),
                       ControlScope::kWrite};
    if (entry.token.size() < 16) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "the token of ", entry.name,
          " is shorter than 16 characters; use e.g. `openssl rand -hex 32`"));
    }
    if (fields.size() == 3) {
      if (fields[2] == "read") {
        entry.scope = ControlScope::kRead;
      } else if (fields[2] != "write") {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "scope '", fields[2], "' is not read or write"));
      }
    }
    if (!names.insert(entry.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "the name ", entry.name, " is used twice"));
    }
    if (!secrets.insert(entry.token).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          where,
          "this token is already given to another name; tokens must "
          "be unique"));
    }
    tokens.push_back(std::move(entry));
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        "the control token file has no tokens; add 'name token [read|write]' "
        "lines");
  }
  return tokens;
}

absl::StatusOr<std::string> ControlAuthorizer::Authorize(
    absl::string_view bearer_token, ControlScope needed) const {
  if (open_) return std::string("anyone");
  if (bearer_token.empty()) {
    return absl::UnauthenticatedError(
        "the control API needs a bearer token: propwatchctl --token or "
        "PROPWATCH_TOKEN");
  }
  // Every entry is compared so timing does not reveal which tokens exist.
  const ControlToken* match = nullptr;
  for (const ControlToken& entry : tokens_) {
    if (ConstantTimeEquals(entry.token, bearer_token)) match = &entry;
  }
  if (match == nullptr) {
    return absl::UnauthenticatedError(
        "this token is not in the coordinator's control token file");
  }
  if (needed == ControlScope::kWrite && match->scope == ControlScope::kRead) {
    return absl::PermissionDeniedError(
        absl::StrCat("token '", match->name,
                     "' may only read; creating, cancelling and probing need "
                     "a write token"));
  }
  return match->name;
}

}  // namespace propwatch
