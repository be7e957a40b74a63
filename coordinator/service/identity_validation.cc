#include "coordinator/service/identity_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace propwatch {
namespace {

constexpr size_t kMaxToken = 128;
constexpr size_t kMaxLabels = 32;
constexpr size_t kMaxLabelValue = 256;

bool IsToken(absl::string_view s) {
  if (s.empty() || s.size() > kMaxToken) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::Status TokenError(absl::string_view field, absl::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat(
      field, " '", value,
      "' is invalid: use 1-128 characters of letters, digits, '.', '_', '-'"));
}

}  // namespace

absl::Status ValidateIdentity(const v1::AgentIdentity& identity) {
  if (!IsToken(identity.agent_id())) {
    return TokenError("agent_id", identity.agent_id());
  }
  if (!IsToken(identity.region())) {
    return TokenError("region", identity.region());
  }
  if (!identity.provider().empty() && !IsToken(identity.provider())) {
    return TokenError("provider", identity.provider());
  }
  if (identity.labels_size() > static_cast<int>(kMaxLabels)) {
    return absl::InvalidArgumentError(
        absl::StrCat("too many labels: ", identity.labels_size(), " (at most ",
                     kMaxLabels, ")"));
  }
  for (const auto& [key, value] : identity.labels()) {
    if (!IsToken(key)) return TokenError("label key", key);
    if (value.size() > kMaxLabelValue) {
      return absl::InvalidArgumentError(absl::StrCat(
          "label '", key, "' value is longer than ", kMaxLabelValue));
    }
  }
  if (identity.version().size() > kMaxToken) {
    return absl::InvalidArgumentError("version is longer than 128 characters");
  }
  if (identity.system_resolvers_size() > 16) {
    return absl::InvalidArgumentError("more than 16 system resolvers");
  }
  return absl::OkStatus();
}

}  // namespace propwatch
