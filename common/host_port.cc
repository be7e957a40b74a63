#include "common/host_port.h"

#include <arpa/inet.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace propwatch {
namespace {

absl::StatusOr<uint16_t> ParsePort(absl::string_view text,
                                   absl::string_view whole) {
  uint32_t port = 0;
  if (text.empty() || !absl::SimpleAtoi(text, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad port in '", whole, "': expected a number from 0 to 65535"));
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

bool IsIpLiteral(absl::string_view text) {
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

absl::StatusOr<HostPort> ParseHostPort(absl::string_view text,
                                       uint16_t default_port) {
  HostPort out;
  out.port = default_port;
  if (text.empty()) {
    return absl::InvalidArgumentError("empty address; expected host[:port]");
  }
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad address '", text, "': missing ']'"));
    }
    out.host = std::string(text.substr(1, close - 1));
    absl::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return absl::InvalidArgumentError(
            absl::StrCat("bad address '", text, "': expected ':' after ']'"));
      }
      auto port = ParsePort(rest.substr(1), text);
      if (!port.ok()) return port.status();
      out.port = *port;
    }
    if (!IsIpLiteral(out.host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad address '", text, "': brackets must hold an IPv6 literal"));
    }
    return out;
  }
  const size_t first = text.find(':');
  if (first != absl::string_view::npos &&
      text.find(':', first + 1) != absl::string_view::npos) {
    // Several colons and no brackets: a bare IPv6 literal.
    if (!IsIpLiteral(text)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad address '", text, "': write IPv6 with a port as [addr]:port"));
    }
    out.host = std::string(text);
    return out;
  }
  out.host = std::string(text.substr(0, first));
  if (out.host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad address '", text, "': empty host"));
  }
  if (first != absl::string_view::npos) {
    auto port = ParsePort(text.substr(first + 1), text);
    if (!port.ok()) return port.status();
    out.port = *port;
  }
  return out;
}

std::string FormatHostPort(const HostPort& hp) {
  if (hp.host.find(':') != std::string::npos) {
    return absl::StrCat("[", hp.host, "]:", hp.port);
  }
  return absl::StrCat(hp.host, ":", hp.port);
}

}  // namespace propwatch
