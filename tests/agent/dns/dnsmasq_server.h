// A real caching-resolver stand-in for tests: dnsmasq answering from
// --host-record/--cname lines (what a resolver with a cached, possibly stale
// answer returns), on 127.0.0.1 at a free port, with no upstream. Reusable
// by the later network lab.
#ifndef PROPWATCH_TESTS_AGENT_DNS_DNSMASQ_SERVER_H_
#define PROPWATCH_TESTS_AGENT_DNS_DNSMASQ_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/agent/dns/child_process.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::dns::testing {

class DnsmasqServer {
 public:
  // `options` are extra dnsmasq flags, e.g. "--host-record=a.test,192.0.2.1"
  // or "--local=/test/". `probe_name` is asked SOA to see that it is up.
  static absl::StatusOr<std::unique_ptr<DnsmasqServer>> Start(
      std::vector<std::string> options, std::string probe_name);
  ~DnsmasqServer() = default;  // stops and reaps dnsmasq

  uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:port"
  pid_t pid() const { return process_.pid(); }

 private:
  DnsmasqServer() = default;

  ::propwatch::testing::TempDir dir_;
  ChildProcess process_;
  uint16_t port_ = 0;
};

}  // namespace propwatch::dns::testing

#endif  // PROPWATCH_TESTS_AGENT_DNS_DNSMASQ_SERVER_H_
