// Finds the name servers of the zone that holds a hostname, and their
// addresses, by asking a bootstrap resolver:
//  1. NS for the hostname, then for each parent in turn, until a reply names
//     the zone: NS records for the asked name in the answer, a referral (NS
//     for an enclosing zone in the authority section, RFC 1034 4.3.2), or an
//     SOA in the authority section (RFC 2308 section 2), whose owner is then
//     asked for NS.
//  2. A and AAAA for every NS name (RFC 3596), falling back per family to
//     glue from the reply that named the zone, since a non-recursive
//     bootstrap answers those with referrals.
//
// Threading: loop thread only. Destroying a discovery cancels its queries;
// the callback never runs after that.
#ifndef PROPWATCH_AGENT_DNS_AUTHORITATIVE_DISCOVERY_H_
#define PROPWATCH_AGENT_DNS_AUTHORITATIVE_DISCOVERY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "agent/dns/dns_message.h"
#include "agent/dns/dns_query_engine.h"
#include "common/host_port.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::dns {

struct NameServerAddress {
  std::string ns_name;
  std::string address;  // IP literal
};

struct ZoneNameServers {
  std::string zone;
  std::vector<std::string> ns_names;  // sorted, without repeats
  // In ns_names order, A before AAAA, without repeated addresses.
  std::vector<NameServerAddress> addresses;
  // Set when discovery failed; addresses is then empty.
  propwatch::v1::ErrorClass error_class =
      propwatch::v1::ERROR_CLASS_UNSPECIFIED;
  std::string error_message;
  // The bootstrap server that answered last (or was asked last).
  std::string server;
};

class AuthoritativeDiscovery {
 public:
  using Callback = std::function<void(ZoneNameServers)>;

  // Bounds against a hostile or broken bootstrap.
  static constexpr int kMaxSteps = 32;
  static constexpr size_t kMaxNameServers = 16;

  // REQUIRES: `engine` outlives this; `hostname` is normalized.
  AuthoritativeDiscovery(DnsQueryEngine* engine,
                         std::vector<HostPort> bootstrap, std::string hostname,
                         Callback done);
  ~AuthoritativeDiscovery();
  AuthoritativeDiscovery(const AuthoritativeDiscovery&) = delete;
  AuthoritativeDiscovery& operator=(const AuthoritativeDiscovery&) = delete;

  // Sends the first query; `done` runs once, later, from the loop.
  void Start();

 private:
  void AskNs(std::string name);
  void OnNs(const std::string& asked, DnsQueryEngine::Outcome outcome);
  void ResolveNameServers(const DnsMessage& source);
  void OnAddress(size_t index, uint16_t type, DnsQueryEngine::Outcome outcome);
  void FinishAddresses();
  void Fail(propwatch::v1::ErrorClass error_class, std::string message,
            std::string server);

  DnsQueryEngine* const engine_;
  const std::vector<HostPort> bootstrap_;
  const std::string hostname_;
  Callback done_;
  int steps_ = 0;
  absl::flat_hash_set<DnsQueryEngine::QueryId> queries_;
  ZoneNameServers result_;
  // Per NS name: A addresses then AAAA addresses, answered or from glue.
  std::vector<std::vector<std::string>> v4_;
  std::vector<std::vector<std::string>> v6_;
  std::vector<DnsRecord> glue_;
  size_t outstanding_ = 0;
  std::string last_address_error_;
};

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_AUTHORITATIVE_DISCOVERY_H_
