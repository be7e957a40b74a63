// The agent's system resolvers as listed in resolv.conf(5).
#ifndef PROPWATCH_AGENT_DNS_RESOLV_CONF_H_
#define PROPWATCH_AGENT_DNS_RESOLV_CONF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/host_port.h"

namespace propwatch::dns {

// The "nameserver" addresses of a resolv.conf text, in order, with port 53.
// Skips comments ('#' or ';'), other keywords, entries that are not IP
// literals, and IPv6 addresses with a zone ("fe80::1%eth0"), which c-ares
// 1.18 cannot address.
std::vector<HostPort> ParseResolvConfNameservers(absl::string_view text);

// Reads `path` and parses it. NotFound when the file has no usable
// nameserver line (glibc would then fall back to 127.0.0.1; the agent asks
// the operator to say so instead of guessing).
absl::StatusOr<std::vector<HostPort>> ReadResolvConfNameservers(
    const std::string& path);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_RESOLV_CONF_H_
