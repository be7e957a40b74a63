#include "agent/dns/ip_prefix.h"

#include <arpa/inet.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace propwatch::dns {

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(is_v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof(text)) ==
      nullptr) {
    return "";
  }
  return text;
}

absl::StatusOr<IpAddress> ParseIpAddress(absl::string_view text) {
  const std::string s(text);
  IpAddress address;
  if (inet_pton(AF_INET, s.c_str(), address.bytes.data()) == 1) {
    return address;
  }
  if (inet_pton(AF_INET6, s.c_str(), address.bytes.data()) == 1) {
    address.is_v6 = true;
    return address;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not an IPv4 or IPv6 address"));
}

std::string IpPrefix::ToString() const {
  const int full = network.is_v6 ? 128 : 32;
  if (length == full) return network.ToString();
  return absl::StrCat(network.ToString(), "/", length);
}

bool IpPrefix::Contains(const IpAddress& address) const {
  if (address.is_v6 != network.is_v6) return false;
  const int whole_bytes = length / 8;
  for (int i = 0; i < whole_bytes; ++i) {
    if (address.bytes[i] != network.bytes[i]) return false;
  }
  const int rest = length % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (address.bytes[whole_bytes] & mask) == network.bytes[whole_bytes];
}

absl::StatusOr<IpPrefix> ParseIpPrefix(absl::string_view text) {
  const size_t slash = text.find('/');
  absl::StatusOr<IpAddress> address = ParseIpAddress(text.substr(0, slash));
  if (!address.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not an IP address or CIDR prefix"));
  }
  IpPrefix prefix;
  prefix.network = *address;
  const int full = address->is_v6 ? 128 : 32;
  prefix.length = full;
  if (slash != absl::string_view::npos) {
    const absl::string_view digits = text.substr(slash + 1);
    int length = -1;
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(digits, &length) || length < 0 || length > full) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", text, "' has a bad prefix length; expected 0 to ", full));
    }
    prefix.length = length;
  }
  for (int bit = prefix.length; bit < full; ++bit) {
    prefix.network.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  return prefix;
}

}  // namespace propwatch::dns
