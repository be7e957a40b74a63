// PlanHttpTargets: the three pin modes.
#include "coordinator/engine/http_targets.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

using Plan =
    std::map<std::string, std::map<std::string, std::vector<std::string>>>;

v1::ProbeResult Dns(const std::string& agent, const std::string& hostname,
                    const std::string& kind,
                    const std::vector<std::string>& addresses) {
  v1::ProbeResult result;
  result.set_agent_id(agent);
  result.mutable_dns()->set_hostname(hostname);
  result.mutable_dns()->set_resolver_kind(kind);
  for (const std::string& a : addresses) result.mutable_dns()->add_addresses(a);
  return result;
}

const std::map<std::string, std::string> kParticipants = {
    {"ap-1", "ap"}, {"eu-1", "eu"}, {"us-1", "us"}};

// eu resolves both IPs (an A and an AAAA query), us only the new one, ap
// has a resolver that timed out; the zone serves the new IP and a v6 one.
std::vector<v1::ProbeResult> DnsPhase() {
  std::vector<v1::ProbeResult> results = {
      Dns("eu-1", "octopus.com", "system", {"203.0.113.8", "203.0.113.7"}),
      Dns("eu-1", "Octopus.com.", "system", {"2001:db8::8"}),
      Dns("us-1", "octopus.com", "system", {"203.0.113.8"}),
      Dns("us-1", "octopus.com", "authoritative",
          {"203.0.113.8", "2001:db8::8"}),
      Dns("ap-1", "octopus.com", "system", {}),
      Dns("ap-1", "other.example", "system", {"192.0.2.1"}),
  };
  results[4].mutable_dns()->set_error_class(v1::ERROR_CLASS_TIMEOUT);
  return results;
}

struct Case {
  std::string name;
  v1::PinMode mode;
  Plan expected;
};

class PlanHttpTargetsTest : public ::testing::TestWithParam<Case> {};

TEST_P(PlanHttpTargetsTest, PlansEveryAgent) {
  v1::VerificationSpec spec;
  spec.add_hostnames("octopus.com");
  spec.set_pin_mode(GetParam().mode);
  spec.add_explicit_ips("192.0.2.20");
  spec.add_explicit_ips("192.0.2.10");
  spec.add_explicit_ips("192.0.2.20");
  EXPECT_EQ(PlanHttpTargets(spec, kParticipants, DnsPhase()),
            GetParam().expected);
}

const std::vector<std::string> kAllObserved = {"2001:db8::8", "203.0.113.7",
                                               "203.0.113.8"};

INSTANTIATE_TEST_SUITE_P(
    Engine, PlanHttpTargetsTest,
    ::testing::ValuesIn(std::vector<Case>{
        {"resolved_is_what_each_agent_got",
         v1::PIN_MODE_RESOLVED,
         {{"octopus.com",
           {{"eu-1", {"2001:db8::8", "203.0.113.7", "203.0.113.8"}},
            {"us-1", {"203.0.113.8"}}}}}},
        {"all_observed_is_the_union_for_everyone",
         v1::PIN_MODE_ALL_OBSERVED,
         {{"octopus.com",
           {{"ap-1", kAllObserved},
            {"eu-1", kAllObserved},
            {"us-1", kAllObserved}}}}},
        {"unspecified_means_all_observed",
         v1::PIN_MODE_UNSPECIFIED,
         {{"octopus.com",
           {{"ap-1", kAllObserved},
            {"eu-1", kAllObserved},
            {"us-1", kAllObserved}}}}},
        {"explicit_is_the_spec_list",
         v1::PIN_MODE_EXPLICIT,
         {{"octopus.com",
           {{"ap-1", {"192.0.2.10", "192.0.2.20"}},
            {"eu-1", {"192.0.2.10", "192.0.2.20"}},
            {"us-1", {"192.0.2.10", "192.0.2.20"}}}}}},
    }),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(PlanHttpTargetsTest,
     ResolvedFallsBackToAuthoritativeOnlyWithoutResolvers) {
  v1::VerificationSpec spec;
  spec.add_hostnames("octopus.com");
  spec.set_pin_mode(v1::PIN_MODE_RESOLVED);
  Plan plan = PlanHttpTargets(
      spec, {{"eu-1", "eu"}},
      {Dns("eu-1", "octopus.com", "authoritative", {"203.0.113.8"})});
  EXPECT_EQ(plan, (Plan{{"octopus.com", {{"eu-1", {"203.0.113.8"}}}}}));
}

TEST(PlanHttpTargetsTest, HostnameNobodyResolvedMapsToNoAgents) {
  v1::VerificationSpec spec;
  spec.add_hostnames("gone.example");
  Plan plan = PlanHttpTargets(spec, kParticipants, DnsPhase());
  EXPECT_EQ(plan, (Plan{{"gone.example", {}}}));
}

TEST(PlanHttpTargetsTest, NonParticipantsAreNotPlanned) {
  v1::VerificationSpec spec;
  spec.add_hostnames("octopus.com");
  spec.set_pin_mode(v1::PIN_MODE_RESOLVED);
  Plan plan = PlanHttpTargets(spec, {{"us-1", "us"}}, DnsPhase());
  EXPECT_EQ(plan, (Plan{{"octopus.com", {{"us-1", {"203.0.113.8"}}}}}));
}

}  // namespace
}  // namespace propwatch
