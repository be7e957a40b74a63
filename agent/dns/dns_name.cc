#include "agent/dns/dns_name.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace propwatch::dns {
namespace {

constexpr size_t kMaxLabelOctets = 63;      // RFC 1035 section 2.3.4
constexpr size_t kMaxNameCharacters = 253;  // 255 wire octets, less framing

// Presentation names escape a dot inside a label as "\."; a dot preceded by
// an odd number of backslashes is therefore not a label separator.
bool IsSeparatorAt(absl::string_view name, size_t pos) {
  size_t backslashes = 0;
  while (pos > backslashes && name[pos - backslashes - 1] == '\\') {
    ++backslashes;
  }
  return backslashes % 2 == 0;
}

size_t FirstSeparator(absl::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.' && IsSeparatorAt(name, i)) return i;
  }
  return absl::string_view::npos;
}

}  // namespace

absl::StatusOr<std::string> NormalizeHostname(absl::string_view hostname) {
  absl::string_view name = hostname;
  if (absl::EndsWith(name, ".") && name.size() > 1) name.remove_suffix(1);
  if (name.empty() || name == ".") {
    return absl::InvalidArgumentError("hostname is empty");
  }
  if (name.size() > kMaxNameCharacters) {
    return absl::InvalidArgumentError(
        absl::StrCat("hostname '", hostname, "' is ", name.size(),
                     " characters long; DNS allows at most 253"));
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "hostname '", hostname, "' contains whitespace or control bytes"));
    }
  }
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("hostname '", hostname, "' has an empty label"));
    }
    if (label.size() > kMaxLabelOctets) {
      return absl::InvalidArgumentError(
          absl::StrCat("hostname '", hostname, "' has a label of ",
                       label.size(), " characters; DNS allows at most 63"));
    }
  }
  return std::string(name);
}

bool SameName(absl::string_view a, absl::string_view b) {
  if (absl::EndsWith(a, ".") && a.size() > 1) a.remove_suffix(1);
  if (absl::EndsWith(b, ".") && b.size() > 1) b.remove_suffix(1);
  return absl::EqualsIgnoreCase(a, b);
}

bool IsAncestorOrSelf(absl::string_view ancestor, absl::string_view name) {
  if (absl::EndsWith(ancestor, ".") && ancestor.size() > 1) {
    ancestor.remove_suffix(1);
  }
  if (absl::EndsWith(name, ".") && name.size() > 1) name.remove_suffix(1);
  if (ancestor == ".") return true;
  if (SameName(ancestor, name)) return true;
  if (name.size() <= ancestor.size()) return false;
  const size_t dot = name.size() - ancestor.size() - 1;
  return name[dot] == '.' && IsSeparatorAt(name, dot) &&
         absl::EqualsIgnoreCase(name.substr(dot + 1), ancestor);
}

std::string ParentName(absl::string_view name) {
  const size_t dot = FirstSeparator(name);
  if (dot == absl::string_view::npos || dot + 1 >= name.size()) return ".";
  return std::string(name.substr(dot + 1));
}

int LabelCount(absl::string_view name) {
  if (name.empty() || name == ".") return 0;
  int count = 1;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.' && IsSeparatorAt(name, i) && i + 1 < name.size()) {
      ++count;
    }
  }
  return count;
}

}  // namespace propwatch::dns
