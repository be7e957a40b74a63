// Parsing of "host:port", "ip", "[v6]:port" strings given by users.
#ifndef PROPWATCH_COMMON_HOST_PORT_H_
#define PROPWATCH_COMMON_HOST_PORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

struct HostPort {
  std::string host;  // without brackets
  uint16_t port = 0;
};

// Accepts "host", "host:port", "[v6]", "[v6]:port" and a bare IPv6 literal.
// A missing port becomes `default_port`; an explicit port may be 0 (callers
// that need a real port check). Errors name the input.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view text,
                                       uint16_t default_port);

// True when `text` is an IPv4 or IPv6 literal.
bool IsIpLiteral(absl::string_view text);

// "host:port", bracketing IPv6 literals.
std::string FormatHostPort(const HostPort& hp);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_HOST_PORT_H_
