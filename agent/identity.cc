#include "agent/identity.h"

#include "absl/strings/str_cat.h"
#include "agent/dns/resolv_conf.h"
#include "common/host_port.h"

namespace propwatch {

absl::Status ParseLabels(const std::vector<std::string>& labels,
                         v1::AgentIdentity& identity) {
  for (const std::string& label : labels) {
    const size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--label '", label, "' must look like key=value, e.g. tier=edge"));
    }
    (*identity.mutable_labels())[label.substr(0, eq)] = label.substr(eq + 1);
  }
  return absl::OkStatus();
}

std::vector<std::string> SystemResolvers() {
  auto servers = dns::ReadResolvConfNameservers("/etc/resolv.conf");
  if (!servers.ok()) return {};
  std::vector<std::string> out;
  for (const HostPort& hp : *servers) out.push_back(FormatHostPort(hp));
  return out;
}

}  // namespace propwatch
