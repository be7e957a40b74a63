// Domain name helpers shared by the parser, the reply reader and authoritative
// discovery. Names are in presentation form without the trailing dot ("." is
// the root). Comparisons are ASCII case-insensitive (RFC 4343 section 3).
#ifndef PROPWATCH_AGENT_DNS_DNS_NAME_H_
#define PROPWATCH_AGENT_DNS_DNS_NAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch::dns {

// Checks a user-supplied hostname and returns it without a trailing dot.
// Rejects empty names, empty labels, labels over 63 octets and names over 253
// characters (RFC 1035 section 2.3.4), and whitespace or control characters.
absl::StatusOr<std::string> NormalizeHostname(absl::string_view hostname);

// True when both names spell the same domain, ignoring ASCII case.
bool SameName(absl::string_view a, absl::string_view b);

// True when `ancestor` equals `name` or is one of its parent domains.
// The root "." is everybody's ancestor.
bool IsAncestorOrSelf(absl::string_view ancestor, absl::string_view name);

// The name with its first label removed; "." for a single-label name.
// REQUIRES: name is not the root.
std::string ParentName(absl::string_view name);

// Number of labels; 0 for the root.
int LabelCount(absl::string_view name);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_DNS_NAME_H_
