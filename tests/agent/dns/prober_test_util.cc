#include "tests/agent/dns/prober_test_util.h"

#include "common/time_convert.h"
#include "gtest/gtest.h"

namespace propwatch::dns::testing {

ProberHarness::ProberHarness(std::vector<std::string> system_resolvers,
                             DnsQueryEngine::Options engine) {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status();
  loop_ = *std::move(loop);
  DnsProber::Options options;
  options.system_resolvers = std::move(system_resolvers);
  options.engine = engine;
  auto prober = DnsProber::Create(loop_.get(), options);
  EXPECT_TRUE(prober.ok()) << prober.status();
  prober_ = *std::move(prober);
}

ProberHarness::~ProberHarness() {
  prober_.reset();  // before the loop
  loop_.reset();
}

std::vector<ProbeRun> ProberHarness::RunAll(
    const std::vector<propwatch::v1::DnsProbeSpec>& specs,
    absl::Duration limit) {
  std::vector<ProbeRun> runs(specs.size());
  size_t remaining = specs.size();
  const absl::Time start = absl::Now();
  for (size_t i = 0; i < specs.size(); ++i) {
    auto id = prober_->Start(
        specs[i], [&runs, &remaining, i,
                   start](std::vector<propwatch::v1::DnsResult> results) {
          runs[i].results = std::move(results);
          runs[i].elapsed = absl::Now() - start;
          runs[i].completed = true;
          --remaining;
        });
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) --remaining;
  }
  const absl::Time give_up = start + limit;
  while (remaining > 0 && absl::Now() < give_up) {
    loop_->RunOnce(absl::Milliseconds(50));
  }
  return runs;
}

propwatch::v1::DnsProbeSpec Spec(const std::string& hostname,
                                 std::vector<propwatch::v1::RecordType> types,
                                 const std::string& resolver_address,
                                 absl::Duration timeout) {
  propwatch::v1::DnsProbeSpec spec;
  spec.set_hostname(hostname);
  for (auto t : types) spec.add_types(t);
  spec.mutable_resolver()->set_address(resolver_address);
  *spec.mutable_timeout() = ToProtoDuration(timeout);
  return spec;
}

}  // namespace propwatch::dns::testing
