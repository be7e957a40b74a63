// Runs DnsProber probes to completion on a private loop, for tests.
#ifndef PROPWATCH_TESTS_AGENT_DNS_PROBER_TEST_UTIL_H_
#define PROPWATCH_TESTS_AGENT_DNS_PROBER_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agent/dns/dns_prober.h"
#include "agent/loop/event_loop.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::dns::testing {

struct ProbeRun {
  std::vector<propwatch::v1::DnsResult> results;
  absl::Duration elapsed;  // from Start to the completion callback
  bool completed = false;
};

// Owns a loop and a prober (system resolvers given explicitly).
class ProberHarness {
 public:
  explicit ProberHarness(
      std::vector<std::string> system_resolvers = {"127.0.0.1:9"},
      DnsQueryEngine::Options engine = {});
  ~ProberHarness();

  DnsProber& prober() { return *prober_; }
  EventLoop& loop() { return *loop_; }

  // Starts every spec, runs the loop until all complete or `limit` passes.
  std::vector<ProbeRun> RunAll(
      const std::vector<propwatch::v1::DnsProbeSpec>& specs,
      absl::Duration limit = absl::Seconds(30));
  ProbeRun Run(const propwatch::v1::DnsProbeSpec& spec,
               absl::Duration limit = absl::Seconds(30)) {
    return RunAll({spec}, limit)[0];
  }

 private:
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<DnsProber> prober_;
};

propwatch::v1::DnsProbeSpec Spec(const std::string& hostname,
                                 std::vector<propwatch::v1::RecordType> types,
                                 const std::string& resolver_address,
                                 absl::Duration timeout = absl::Seconds(5));

}  // namespace propwatch::dns::testing

#endif  // PROPWATCH_TESTS_AGENT_DNS_PROBER_TEST_UTIL_H_
