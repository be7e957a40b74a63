#include "coordinator/engine/http_targets.h"

#include <set>

#include "coordinator/engine/dns_answers.h"
#include "coordinator/engine/url_parts.h"

namespace propwatch {
namespace {

using AddressSet = std::set<std::string>;

std::vector<std::string> ToVector(const AddressSet& addresses) {
  return {addresses.begin(), addresses.end()};
}

}  // namespace

std::map<std::string, std::map<std::string, std::vector<std::string>>>
PlanHttpTargets(const v1::VerificationSpec& spec,
                const std::map<std::string, std::string>& participants,
                const std::vector<v1::ProbeResult>& dns_results) {
  std::map<std::string, std::map<std::string, std::vector<std::string>>> plan;

  if (spec.pin_mode() == v1::PIN_MODE_EXPLICIT) {
    AddressSet explicit_ips(spec.explicit_ips().begin(),
                            spec.explicit_ips().end());
    for (const std::string& hostname : spec.hostnames()) {
      auto& agents = plan[hostname];
      if (explicit_ips.empty()) continue;
      for (const auto& [agent, region] : participants) {
        agents[agent] = ToVector(explicit_ips);
      }
    }
    return plan;
  }

  // normalized hostname -> agent -> addresses, split by resolver kind.
  std::map<std::string, std::map<std::string, AddressSet>> recursive;
  std::map<std::string, std::map<std::string, AddressSet>> authoritative;
  std::map<std::string, AddressSet> observed;
  for (const v1::ProbeResult& result : dns_results) {
    if (!result.has_dns()) continue;
    const v1::DnsResult& dns = result.dns();
    std::string hostname = NormalizeHostname(dns.hostname());
    auto& by_agent = dns.resolver_kind() == kAuthoritativeKind
                         ? authoritative[hostname]
                         : recursive[hostname];
    AddressSet& agent_addresses = by_agent[result.agent_id()];
    agent_addresses.insert(dns.addresses().begin(), dns.addresses().end());
    observed[hostname].insert(dns.addresses().begin(), dns.addresses().end());
  }

  bool resolved = spec.pin_mode() == v1::PIN_MODE_RESOLVED;
  for (const std::string& hostname : spec.hostnames()) {
    std::string normalized = NormalizeHostname(hostname);
    auto& agents = plan[hostname];
    for (const auto& [agent, region] : participants) {
      const AddressSet* addresses = nullptr;
      if (!resolved) {
        addresses = &observed[normalized];
      } else if (auto it = recursive[normalized].find(agent);
                 it != recursive[normalized].end()) {
        addresses = &it->second;
      } else if (auto auth = authoritative[normalized].find(agent);
                 auth != authoritative[normalized].end()) {
        addresses = &auth->second;
      }
      if (addresses != nullptr && !addresses->empty()) {
        agents[agent] = ToVector(*addresses);
      }
    }
  }
  return plan;
}

}  // namespace propwatch
