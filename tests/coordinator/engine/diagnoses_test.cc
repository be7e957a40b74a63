// Every diagnosis word, and the negatives that keep them honest, as one
// table of scenarios: what each round looks like, which diagnoses it must
// give, and the verdict.
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/engine/evaluate_round.h"
#include "coordinator/engine/failure_diagnoses.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/coordinator/engine/round_builder.h"

namespace propwatch {
namespace {

using engine_testing::FakeEvidence;
using engine_testing::kBadIp;
using engine_testing::kGoodIp;
using engine_testing::RoundBuilder;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kOldIp[] = "198.51.100.9";
constexpr char kAuthority[] = "198.51.100.53:53";

// Regions eu, us, ap with `per_region` agents each, all resolving and
// passing both IPs on "/" and "/docs". Scenarios change one thing.
RoundBuilder Healthy(int per_region = 2) {
  RoundBuilder round({"www.example.com"}, {"/", "/docs"});
  for (const std::string region : {"eu", "us", "ap"}) {
    round.Agents(region, per_region);
    for (int i = 1; i <= per_region; ++i) {
      std::string agent = region + "-" + std::to_string(i);
      round.Dns(agent, "system", "10.0.0.2:53", {kBadIp, kGoodIp}, 120);
      round.HttpAllPaths(agent, kBadIp, 200).HttpAllPaths(agent, kGoodIp, 200);
    }
  }
  return round;
}

// GeoDNS: eu and us resolve the good IP, ap the other one; every region
// probes both IPs and every cell passes.
RoundBuilder GeoSplit() {
  RoundBuilder round({"www.example.com"});
  for (const std::string region : {"eu", "us", "ap"}) {
    std::string agent = region + "-1";
    round.Agent(agent, region)
        .Dns(agent, "system", "10.0.0.2:53",
             {region == "ap" ? kOldIp : kGoodIp}, 60)
        .Http(agent, kGoodIp, "/", 200)
        .Http(agent, kOldIp, "/", 200);
  }
  return round;
}

struct Scenario {
  std::string name;
  std::function<RoundBuilder()> build;
  std::vector<v1::DiagnosisKind> kinds;  // sorted, as the report orders them
  v1::Verdict verdict;
};

std::vector<Scenario> Scenarios() {
  return {
      {"healthy", [] { return Healthy(); }, {}, v1::VERDICT_PASS},
      {"bad_ip_from_every_region",
       [] {
         RoundBuilder round({"www.example.com"}, {"/", "/docs"});
         round.Agents("eu", 1).Agents("us", 1).Agents("ap", 1);
         for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
           round.HttpAllPaths(agent, kGoodIp, 200)
               .HttpAllPaths(agent, kBadIp, 502);
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_BAD_IP},
       v1::VERDICT_FAIL},
      {"one_region_failing_one_ip_is_not_a_bad_ip",
       [] {
         RoundBuilder round = Healthy(1);
         round.Agents("sa", 1)
             .HttpAllPaths("sa-1", kGoodIp, 200)
             .HttpAllPaths("sa-1", kBadIp, 404);
         return round;
       },
       {v1::DIAGNOSIS_KIND_REGION_PATH},
       v1::VERDICT_FAIL},
      {"site_down_every_ip_refuses_from_every_region",
       [] {
         RoundBuilder round({"www.example.com"}, {"/"});
         round.Agents("eu", 1).Agents("us", 1).Agents("ap", 1);
         for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
           round.Dns(agent, "system", "10.0.0.2:53", {kBadIp, kGoodIp})
               .Http(agent, kGoodIp, "/", 0, v1::ERROR_CLASS_REFUSED)
               .Http(agent, kBadIp, "/", 0, v1::ERROR_CLASS_REFUSED);
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_IP_UNREACHABLE, v1::DIAGNOSIS_KIND_IP_UNREACHABLE},
       v1::VERDICT_FAIL},
      {"one_ip_refuses_everywhere_is_unreachable_not_bad_ip",
       [] {
         RoundBuilder round({"www.example.com"}, {"/"});
         round.Agents("eu", 1).Agents("us", 1).Agents("ap", 1);
         for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
           round.Http(agent, kGoodIp, "/", 200)
               .Http(agent, kBadIp, "/", 0, v1::ERROR_CLASS_REFUSED);
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_IP_UNREACHABLE},
       v1::VERDICT_FAIL},
      {"expired_certificate_on_one_ip",
       [] {
         RoundBuilder round({"www.example.com"}, {"/"});
         round.Agents("eu", 1).Agents("us", 1).Agents("ap", 1);
         for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
           round.Http(agent, kGoodIp, "/", 200)
               .Http(agent, kBadIp, "/", 0, v1::ERROR_CLASS_TLS)
               .ErrorMessage(
                   "SSL certificate problem: certificate has expired");
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_TLS_FAILURE},
       v1::VERDICT_FAIL},
      {"https_against_a_plain_http_port",
       [] {
         RoundBuilder round({"www.example.com"}, {"/"});
         round.Agents("eu", 1).Agents("us", 1);
         for (const std::string agent : {"eu-1", "us-1"}) {
           for (const char* ip : {kGoodIp, kBadIp}) {
             round.Http(agent, ip, "/", 0, v1::ERROR_CLASS_TLS)
                 .ErrorMessage(
                     "OpenSSL/3.0.11: error:0A00010B:SSL "
                     "routines::wrong version number");
           }
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_TLS_FAILURE, v1::DIAGNOSIS_KIND_TLS_FAILURE},
       v1::VERDICT_FAIL},
      {"redirect_everywhere_when_200_is_expected",
       [] {
         RoundBuilder round({"www.example.com"}, {"/", "/docs"});
         round.spec().mutable_http_expect()->add_status_in(200);
         round.Agents("eu", 1).Agents("us", 1).Agents("ap", 1);
         for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
           round.HttpAllPaths(agent, kGoodIp, 301)
               .HttpAllPaths(agent, kBadIp, 301);
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_WRONG_STATUS},
       v1::VERDICT_FAIL},
      {"single_agent_region_times_out_to_one_ip_others_reach_it",
       [] {
         RoundBuilder round({"www.example.com"}, {"/"});
         round.Agents("eu", 1).Agents("us", 1).Agents("ap", 1);
         for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
           round.Http(agent, kGoodIp, "/", 200);
           if (agent == "ap-1") {
             round.Http(agent, kBadIp, "/", 0, v1::ERROR_CLASS_TIMEOUT);
           } else {
             round.Http(agent, kBadIp, "/", 200);
           }
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_REGION_PATH},
       v1::VERDICT_FAIL},
      {"name_does_not_exist_anywhere",
       [] {
         RoundBuilder round({"www.example.com"});
         round.Agents("eu", 1).Agents("us", 1);
         for (const std::string agent : {"eu-1", "us-1"}) {
           round.Dns(agent, "system", "10.0.0.2:53", {})
               .Dns(agent, "authoritative", kAuthority, {});
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_DNS_FAILURE, v1::DIAGNOSIS_KIND_DNS_FAILURE},
       v1::VERDICT_FAIL},
      {"one_regions_resolvers_say_nxdomain",
       [] {
         RoundBuilder eu_blind({"www.example.com"}, {"/", "/docs"});
         for (const std::string region : {"eu", "us", "ap"}) {
           std::string agent = region + "-1";
           eu_blind.Agent(agent, region)
               .Dns(agent, "system", "10.0.0.2:53",
                    region == "eu" ? std::vector<std::string>{}
                                   : std::vector<std::string>{kGoodIp})
               .HttpAllPaths(agent, kGoodIp, 200);
         }
         return eu_blind;
       },
       {v1::DIAGNOSIS_KIND_DNS_FAILURE},
       v1::VERDICT_FAIL},
      {"lossy_agent_is_agent_network_never_bad_ip",
       [] {
         // eu-3 drops every probe to the bad IP and one to the good one;
         // eu-1 and eu-2 get through. Same IPs pass everywhere else.
         RoundBuilder round = Healthy(2);
         round.Agent("eu-3", "eu")
             .HttpAllPaths("eu-3", kBadIp, 0, v1::ERROR_CLASS_TIMEOUT)
             .Http("eu-3", kGoodIp, "/", 0, v1::ERROR_CLASS_NETWORK)
             .Http("eu-3", kGoodIp, "/docs", 200);
         return round;
       },
       {v1::DIAGNOSIS_KIND_AGENT_NETWORK},
       v1::VERDICT_PASS},
      {"lossy_agent_in_every_region_is_still_not_a_bad_ip",
       [] {
         RoundBuilder round = Healthy(2);
         for (const std::string region : {"eu", "us", "ap"}) {
           round.Agent(region + "-3", region)
               .HttpAllPaths(region + "-3", kBadIp, 0, v1::ERROR_CLASS_TIMEOUT)
               .HttpAllPaths(region + "-3", kGoodIp, 200);
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_AGENT_NETWORK, v1::DIAGNOSIS_KIND_AGENT_NETWORK,
        v1::DIAGNOSIS_KIND_AGENT_NETWORK},
       v1::VERDICT_PASS},
      {"lossy_agent_that_costs_the_quorum",
       [] {
         // eu-2 times out on everything eu-1 reaches: it measured nothing,
         // and eu needs two agents.
         RoundBuilder round({"www.example.com"}, {"/"});
         round.verification().mutable_selector()->set_min_agents_per_region(2);
         round.Agents("eu", 2).Agents("us", 2);
         for (const std::string agent : {"eu-1", "us-1", "us-2"}) {
           round.Http(agent, kGoodIp, "/", 200);
         }
         round.Http("eu-2", kGoodIp, "/", 0, v1::ERROR_CLASS_TIMEOUT);
         return round;
       },
       {v1::DIAGNOSIS_KIND_AGENT_NETWORK, v1::DIAGNOSIS_KIND_NO_QUORUM},
       v1::VERDICT_INCONCLUSIVE},
      {"intermittent_within_a_region",
       [] {
         RoundBuilder round = Healthy(2);
         round.Agent("eu-3", "eu")
             .Http("eu-3", kGoodIp, "/docs", 404)
             .Http("eu-3", kGoodIp, "/", 200);
         return round;
       },
       {v1::DIAGNOSIS_KIND_INTERMITTENT},
       v1::VERDICT_FAIL},
      {"timeouts_beside_passes_are_the_agent_not_intermittent",
       [] {
         RoundBuilder round = Healthy(2);
         round.Agent("eu-3", "eu")
             .Http("eu-3", kGoodIp, "/docs", 0, v1::ERROR_CLASS_TIMEOUT);
         return round;
       },
       {v1::DIAGNOSIS_KIND_AGENT_NETWORK},
       v1::VERDICT_PASS},
      {"probes_cut_off_at_the_phase_deadline_beside_passes_are_the_agent",
       [] {
         // eu-3's path loses packets: its probes were still retrying when
         // the round's phase deadline cancelled them (what a 30 % lossy
         // link gives, tests/lab/scenario_noisy_path.sh).
         RoundBuilder round = Healthy(2);
         round.Agent("eu-3", "eu")
             .Http("eu-3", kGoodIp, "/docs", 0, v1::ERROR_CLASS_CANCELLED)
             .Http("eu-3", kBadIp, "/", 0, v1::ERROR_CLASS_CANCELLED)
             .Http("eu-3", kBadIp, "/docs", 200);
         return round;
       },
       {v1::DIAGNOSIS_KIND_AGENT_NETWORK},
       v1::VERDICT_PASS},
      {"probes_cut_off_everywhere_fail_the_ip",
       [] {
         // An IP that black-holes packets leaves every agent's probe
         // unfinished at the deadline: nobody passes, so nobody is blamed,
         // and the IP is named as unreachable (more precise than BAD_IP).
         RoundBuilder round({"www.example.com"}, {"/"});
         round.Agents("eu", 2).Agents("us", 2).Agents("ap", 2);
         for (const std::string region : {"eu", "us", "ap"}) {
           for (const std::string n : {"-1", "-2"}) {
             round.Http(region + n, kGoodIp, "/", 200)
                 .Http(region + n, kBadIp, "/", 0, v1::ERROR_CLASS_CANCELLED);
           }
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_IP_UNREACHABLE},
       v1::VERDICT_FAIL},
      {"no_quorum_never_passes",
       [] {
         RoundBuilder round = Healthy(1);
         round.verification().mutable_selector()->set_min_agents_per_region(2);
         round.Agents("eu", 2).Agents("us", 2);  // eu-2, us-2 never answer
         round.HttpAllPaths("eu-1", kGoodIp, 200);
         return round;
       },
       {v1::DIAGNOSIS_KIND_NO_QUORUM, v1::DIAGNOSIS_KIND_NO_QUORUM,
        v1::DIAGNOSIS_KIND_NO_QUORUM},
       v1::VERDICT_INCONCLUSIVE},
      {"no_quorum_beats_fail",
       [] {
         RoundBuilder round = Healthy(1);
         round.verification().mutable_selector()->add_regions("sa");
         round.verification().mutable_selector()->add_regions("eu");
         round.HttpAllPaths("eu-1", kBadIp, 404);
         return round;
       },
       {v1::DIAGNOSIS_KIND_INTERMITTENT, v1::DIAGNOSIS_KIND_NO_QUORUM},
       v1::VERDICT_INCONCLUSIVE},
      {"missing_agent_above_quorum_is_listed_not_diagnosed",
       [] {
         RoundBuilder round = Healthy(2);
         round.Agent("eu-9", "eu");
         return round;
       },
       {},
       v1::VERDICT_PASS},
      {"stale_resolver",
       [] {
         RoundBuilder round = Healthy(1);
         for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
           round.Dns(agent, "authoritative", kAuthority, {kBadIp, kGoodIp});
         }
         round.Dns("ap-1", "address", "8.8.8.8:53", {kOldIp}, 240);
         return round;
       },
       {v1::DIAGNOSIS_KIND_STALE_RESOLVER},
       v1::VERDICT_FAIL},
      {"strict_dns_region_divergent_from_the_other_regions",
       [] {
         RoundBuilder round({"www.example.com"});
         round.verification().mutable_spec()->set_dns_consistency(
             v1::DNS_CONSISTENCY_STRICT);
         for (const std::string region : {"eu", "us", "sa", "ap"}) {
           std::string agent = region + "-1";
           round.Agent(agent, region);
           round.Dns(agent, "system", "10.0.0.2:53",
                     {region == "ap" ? kOldIp : kGoodIp}, 90);
           round.Http(agent, kGoodIp, "/", 200);
         }
         return round;
       },
       {v1::DIAGNOSIS_KIND_REGION_DNS_DIVERGENT},
       v1::VERDICT_FAIL},
      {"geodns_two_regions_get_one_ip_one_region_another_all_cells_pass",
       [] {
         // The default (GEO) mode: a 2-1 split is not a majority verdict.
         return GeoSplit();
       },
       {},
       v1::VERDICT_PASS},
      {"strict_dns_fails_the_same_two_one_split",
       [] {
         RoundBuilder round = GeoSplit();
         round.verification().mutable_spec()->set_dns_consistency(
             v1::DNS_CONSISTENCY_STRICT);
         return round;
       },
       {v1::DIAGNOSIS_KIND_REGION_DNS_DIVERGENT},
       v1::VERDICT_FAIL},
      {"strict_dns_split_within_the_expected_addresses_passes",
       [] {
         RoundBuilder round = GeoSplit();
         v1::VerificationSpec& spec = *round.verification().mutable_spec();
         spec.set_dns_consistency(v1::DNS_CONSISTENCY_STRICT);
         spec.mutable_dns_expect()->add_addresses_within(kGoodIp);
         spec.mutable_dns_expect()->add_addresses_within(kOldIp);
         return round;
       },
       {},
       v1::VERDICT_PASS},
      {"geodns_gives_every_region_its_own_answer",
       [] {
         RoundBuilder round({"www.example.com"});
         int n = 0;
         for (const std::string region : {"eu", "us", "ap"}) {
           std::string agent = region + "-1";
           std::string ip = "192.0.2." + std::to_string(++n);
           round.Agent(agent, region)
               .Dns(agent, "system", "10.0.0.2:53", {ip})
               .Http(agent, ip, "/", 200);
         }
         return round;
       },
       {},
       v1::VERDICT_PASS},
      {"region_fails_the_dns_expectation",
       [] {
         RoundBuilder round = Healthy(1);
         round.Dns("ap-1", "system", "10.0.0.2:53", {kOldIp})
             .DnsFailsExpectation("198.51.100.9 is not within 203.0.113.0/24");
         return round;
       },
       {v1::DIAGNOSIS_KIND_REGION_DNS_DIVERGENT},
       v1::VERDICT_FAIL},
  };
}

class DiagnosisScenarioTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(DiagnosisScenarioTest, GivesExactlyTheseDiagnosesAndVerdict) {
  RoundBuilder round = GetParam().build();
  v1::RoundReport report = round.Evaluate();
  std::vector<v1::DiagnosisKind> kinds;
  for (const v1::Diagnosis& d : report.diagnoses()) {
    kinds.push_back(d.kind());
    EXPECT_FALSE(d.summary().empty());
    EXPECT_NE(d.kind(), v1::DIAGNOSIS_KIND_UNSPECIFIED);
  }
  EXPECT_THAT(kinds, ElementsAreArray(GetParam().kinds))
      << report.DebugString();
  EXPECT_EQ(report.verdict(), GetParam().verdict) << report.DebugString();
  // The engine's invariant: every FAIL cell is explained by a diagnosis,
  // and every diagnosis says what to check next.
  for (const v1::MatrixCell& cell : report.cells()) {
    if (cell.status() != v1::CELL_STATUS_FAIL) continue;
    bool cited = false;
    for (const v1::Diagnosis& d : report.diagnoses()) {
      cited = cited || CitesCell(d, cell);
    }
    EXPECT_TRUE(cited) << "undiagnosed FAIL cell " << cell.ShortDebugString()
                       << "\n"
                       << report.DebugString();
  }
  for (const v1::Diagnosis& d : report.diagnoses()) {
    EXPECT_FALSE(d.hint().empty()) << d.ShortDebugString();
  }
}

INSTANTIATE_TEST_SUITE_P(Engine, DiagnosisScenarioTest,
                         ::testing::ValuesIn(Scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           return info.param.name;
                         });

// The fields and sentences of each diagnosis.

const v1::Diagnosis& Only(const v1::RoundReport& report,
                          v1::DiagnosisKind kind) {
  const v1::Diagnosis* found = nullptr;
  for (const v1::Diagnosis& d : report.diagnoses()) {
    if (d.kind() == kind) {
      EXPECT_EQ(found, nullptr) << "more than one " << kind;
      found = &d;
    }
  }
  EXPECT_NE(found, nullptr) << report.DebugString();
  return found != nullptr ? *found : v1::Diagnosis::default_instance();
}

TEST(DiagnosisFieldsTest, AgentNetworkNamesTheAgentNotTheIp) {
  RoundBuilder round = Healthy(2);
  round.Agent("eu-3", "eu")
      .HttpAllPaths("eu-3", kBadIp, 0, v1::ERROR_CLASS_TIMEOUT)
      .HttpAllPaths("eu-3", kGoodIp, 200);
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_AGENT_NETWORK);
  EXPECT_EQ(d.agent_id(), "eu-3");
  EXPECT_THAT(d.regions(), ElementsAre("eu"));
  EXPECT_EQ(d.ip(), kBadIp);
  EXPECT_EQ(d.summary(),
            "Agent eu-3 in eu gets timeouts (2 probes) from 203.0.113.7 that "
            "other eu agents reach; its own network path is at fault, not "
            "the IP");
  EXPECT_THAT(d.evidence(),
              ElementsAre(FakeEvidence("eu-3", 1), FakeEvidence("eu-3", 2)));
  // The cells stay PASS: the blamed probes count but do not decide.
  for (const v1::MatrixCell& cell : report.cells()) {
    EXPECT_EQ(cell.status(), v1::CELL_STATUS_PASS);
    if (cell.region() == "eu" && cell.ip() == kBadIp) {
      EXPECT_EQ(cell.probes(), 3u);
      EXPECT_EQ(cell.passes(), 2u);
      EXPECT_EQ(cell.status_histogram().at(0), 1u);
    }
  }
}

// Cross-probing makes every region fail a bad IP; the summary also says
// whose users get it: the regions whose own resolvers hand it out.
TEST(DiagnosisFieldsTest, BadIpNamesTheRegionsWhoseResolversHandItOut) {
  RoundBuilder round({"www.example.com"}, {"/"});
  round.Agents("eu", 1).Agents("us", 1).Agents("ap", 1);
  round.Dns("eu-1", "system", "10.0.0.2:53", {kBadIp, kGoodIp}, 60)
      .Dns("us-1", "system", "10.0.0.3:53", {kBadIp}, 60)
      .Dns("ap-1", "system", "10.0.0.4:53", {kGoodIp}, 60);
  for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
    round.Dns(agent, "authoritative", kAuthority, {kBadIp, kGoodIp});
    round.Http(agent, kGoodIp, "/", 200).Http(agent, kBadIp, "/", 404);
  }
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_BAD_IP);
  EXPECT_THAT(d.regions(), ElementsAre("ap", "eu", "us"));
  EXPECT_EQ(d.summary(),
            "IP 203.0.113.7 returns 404 on / from ap, eu and us; every other "
            "IP is fine; the resolvers of eu and us hand it out");
}

TEST(DiagnosisFieldsTest, BadIpHandedOutEverywhereOrNowhere) {
  RoundBuilder everywhere({"www.example.com"}, {"/"});
  everywhere.Agents("eu", 1).Agents("us", 1);
  for (const std::string agent : {"eu-1", "us-1"}) {
    everywhere.Dns(agent, "system", "10.0.0.2:53", {kBadIp, kGoodIp}, 60)
        .Http(agent, kGoodIp, "/", 200)
        .Http(agent, kBadIp, "/", 404);
  }
  EXPECT_THAT(
      Only(everywhere.Evaluate(), v1::DIAGNOSIS_KIND_BAD_IP).summary(),
      ::testing::EndsWith("; the resolvers of every region hand it out"));
  // Explicit pins, no DNS phase: nothing to say about resolvers.
  RoundBuilder no_dns({"www.example.com"}, {"/"});
  no_dns.Agents("eu", 1).Agents("us", 1);
  for (const std::string agent : {"eu-1", "us-1"}) {
    no_dns.Http(agent, kGoodIp, "/", 200).Http(agent, kBadIp, "/", 404);
  }
  EXPECT_EQ(Only(no_dns.Evaluate(), v1::DIAGNOSIS_KIND_BAD_IP).summary(),
            "IP 203.0.113.7 returns 404 on / from eu and us; every other IP "
            "is fine");
}

TEST(DiagnosisFieldsTest, AgentNetworkSaysProbesWereCutOffAtTheDeadline) {
  RoundBuilder round = Healthy(2);
  round.Agent("eu-3", "eu")
      .HttpAllPaths("eu-3", kBadIp, 0, v1::ERROR_CLASS_CANCELLED)
      .HttpAllPaths("eu-3", kGoodIp, 200);
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_AGENT_NETWORK);
  EXPECT_EQ(d.agent_id(), "eu-3");
  EXPECT_EQ(d.summary(),
            "Agent eu-3 in eu gets probes unfinished at the phase deadline "
            "(2 probes) from 203.0.113.7 that other eu agents reach; its own "
            "network path is at fault, not the IP");
  EXPECT_EQ(report.verdict(), v1::VERDICT_PASS);
}

TEST(DiagnosisFieldsTest, LossyAgentsTimeoutsOnABadIpAreNotTheIps) {
  // The bad IP answers 404 to everyone; eu-3, whose path loses probes to
  // the good IP too, times out on it. The IP's sentence must not say
  // "timeouts", and the timeouts are blamed on eu-3.
  RoundBuilder round({"www.example.com"}, {"/", "/docs"});
  round.Agents("eu", 3).Agents("us", 2);
  for (const std::string agent : {"eu-1", "eu-2", "us-1", "us-2"}) {
    round.HttpAllPaths(agent, kGoodIp, 200).HttpAllPaths(agent, kBadIp, 404);
  }
  round.Http("eu-3", kGoodIp, "/", 0, v1::ERROR_CLASS_TIMEOUT)
      .Http("eu-3", kGoodIp, "/docs", 200)
      .HttpAllPaths("eu-3", kBadIp, 0, v1::ERROR_CLASS_TIMEOUT);
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& bad = Only(report, v1::DIAGNOSIS_KIND_BAD_IP);
  EXPECT_EQ(bad.summary(),
            "IP 203.0.113.7 returns 404 on /, /docs from eu and us; every "
            "other IP is fine");
  EXPECT_THAT(bad.statuses(), ElementsAre(404));
  const v1::Diagnosis& lossy = Only(report, v1::DIAGNOSIS_KIND_AGENT_NETWORK);
  EXPECT_EQ(lossy.agent_id(), "eu-3");
  EXPECT_THAT(lossy.evidence(), SizeIs(3));
  EXPECT_EQ(report.verdict(), v1::VERDICT_FAIL);
}

TEST(DiagnosisFieldsTest, IntermittentNamesRegionPathAndCounts) {
  RoundBuilder round = Healthy(2);
  round.Agent("eu-3", "eu").Http("eu-3", kGoodIp, "/docs", 404);
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_INTERMITTENT);
  EXPECT_EQ(d.ip(), kGoodIp);
  EXPECT_THAT(d.regions(), ElementsAre("eu"));
  EXPECT_THAT(d.paths(), ElementsAre("/docs"));
  EXPECT_THAT(d.statuses(), ElementsAre(404));
  EXPECT_EQ(d.summary(),
            "IP 203.0.113.8 both passes and fails on /docs from eu within one "
            "round: 1 of 3 probes failed (404), the rest passed");
  EXPECT_THAT(d.evidence(), ElementsAre(FakeEvidence("eu-3", 1)));
}

TEST(DiagnosisFieldsTest, StaleResolverSaysWhenItShouldClear) {
  RoundBuilder round = Healthy(1);
  for (const std::string agent : {"eu-1", "us-1", "ap-1"}) {
    round.Dns(agent, "authoritative", kAuthority, {kBadIp, kGoodIp});
  }
  round.Dns("ap-1", "address", "8.8.8.8:53", {kOldIp}, 240);
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_STALE_RESOLVER);
  EXPECT_EQ(d.resolver(), "8.8.8.8:53");
  EXPECT_THAT(d.regions(), ElementsAre("ap"));
  EXPECT_EQ(d.ip(), kOldIp);
  EXPECT_EQ(d.ttl_left_seconds(), 240u);
  EXPECT_EQ(d.summary(),
            "Resolver 8.8.8.8:53 (address, ap) still answers 198.51.100.9 for "
            "www.example.com while the authoritative servers answer "
            "203.0.113.7, 203.0.113.8; it should clear within 240 s");
  EXPECT_THAT(d.evidence(), ElementsAre(FakeEvidence("ap-1", 7)));
  // The views say the same.
  for (const v1::DnsView& view : report.dns()) {
    bool stale = view.region() == "ap" && view.resolver_kind() == "address";
    EXPECT_EQ(view.agrees_with_authoritative(), !stale)
        << view.ShortDebugString();
  }
}

TEST(DiagnosisFieldsTest, RegionDnsDivergentNamesTheAnswerAndTtl) {
  RoundBuilder round({"www.example.com"});
  round.verification().mutable_spec()->set_dns_consistency(
      v1::DNS_CONSISTENCY_STRICT);
  for (const std::string region : {"eu", "us", "ap"}) {
    std::string agent = region + "-1";
    round.Agent(agent, region)
        .Dns(agent, "system", "10.0.0.2:53",
             {region == "ap" ? kOldIp : kGoodIp}, region == "ap" ? 90 : 300)
        .Http(agent, kGoodIp, "/", 200);
  }
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d =
      Only(report, v1::DIAGNOSIS_KIND_REGION_DNS_DIVERGENT);
  EXPECT_THAT(d.regions(), ElementsAre("ap"));
  EXPECT_EQ(d.ip(), kOldIp);
  EXPECT_EQ(d.ttl_left_seconds(), 90u);
  EXPECT_EQ(d.summary(),
            "Region ap resolves www.example.com to 198.51.100.9 while most "
            "regions (eu and us) get 203.0.113.8; that answer has 90 s of TTL "
            "left");
}

TEST(DiagnosisFieldsTest, ExpectedRegionWithNoAgentIsNoQuorum) {
  // us was seen when the verification was created; its only agent is gone,
  // so nobody in us was asked this round. Without the expected regions the
  // matrix would simply lack us, and the round would pass.
  RoundBuilder without_us({"www.example.com"}, {"/", "/docs"});
  for (const std::string region : {"eu", "ap"}) {
    std::string agent = region + "-1";
    without_us.Agent(agent, region)
        .Dns(agent, "system", "10.0.0.2:53", {kBadIp, kGoodIp}, 120)
        .HttpAllPaths(agent, kBadIp, 200)
        .HttpAllPaths(agent, kGoodIp, 200);
  }
  EXPECT_EQ(without_us.Evaluate().verdict(), v1::VERDICT_PASS);
  for (const std::string region : {"ap", "eu", "us"}) {
    without_us.verification().add_expected_regions(region);
  }
  v1::RoundReport report = without_us.Evaluate();
  EXPECT_EQ(report.verdict(), v1::VERDICT_INCONCLUSIVE);
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_NO_QUORUM);
  EXPECT_THAT(d.regions(), ElementsAre("us"));
  EXPECT_EQ(d.summary(),
            "Region us has 0 agents reporting of the 1 required (no connected "
            "agent of us could be asked; propwatchctl agents shows when its "
            "agents were last seen); this round cannot pass");
}

TEST(DiagnosisFieldsTest, NoQuorumNamesTheRegionAndTheMissingAgents) {
  RoundBuilder round = Healthy(1);
  round.verification().mutable_selector()->set_min_agents_per_region(2);
  round.Agents("eu", 3);  // eu-2 and eu-3 never answer
  round.Agents("us", 2).Agents("ap", 2);
  round.HttpAllPaths("us-2", kGoodIp, 200).HttpAllPaths("ap-2", kGoodIp, 200);
  v1::RoundReport report = round.Evaluate();
  EXPECT_EQ(report.verdict(), v1::VERDICT_INCONCLUSIVE);
  EXPECT_THAT(report.missing_agents(), ElementsAre("eu-2", "eu-3"));
  // Asked and answered per region, sorted by region.
  std::vector<std::string> rows;
  for (const v1::RegionAgents& r : report.agents_by_region()) {
    rows.push_back(absl::StrCat(r.region(), " ", r.answered(), "/", r.asked()));
  }
  EXPECT_THAT(rows, ElementsAre("ap 2/2", "eu 1/3", "us 2/2"));
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_NO_QUORUM);
  EXPECT_THAT(d.regions(), ElementsAre("eu"));
  EXPECT_EQ(d.summary(),
            "Region eu has 1 agent reporting of the 2 required (eu-2 and eu-3 "
            "sent no results); this round cannot pass");
}

TEST(DiagnosisFieldsTest, SelectedRegionWithNoAgentsHasNoQuorum) {
  RoundBuilder round = Healthy(1);
  round.verification().mutable_selector()->add_regions("eu");
  round.verification().mutable_selector()->add_regions("sa");
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_NO_QUORUM);
  EXPECT_EQ(d.summary(),
            "Region sa has 0 agents reporting of the 1 required (no connected "
            "agent of sa could be asked; propwatchctl agents shows when its "
            "agents were last seen); this round cannot pass");
}

TEST(DiagnosisFieldsTest, StaleEdgeFoundByAgreementOnAVersionHeader) {
  // No expectation: the majority decides. One IP still serves version 41.
  RoundBuilder round({"www.example.com"});
  round.spec().add_fingerprint_headers("X-Version");
  for (const std::string region : {"eu", "us", "ap"}) {
    std::string agent = region + "-1";
    round.Agent(agent, region);
    round.Http(agent, kGoodIp, "/", 200).Header("x-version", "42");
    round.Http(agent, kBadIp, "/", 200).Header("X-Version", "41");
    round.Http(agent, "203.0.113.9", "/", 200).Header("x-version", "42");
  }
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_BAD_IP);
  EXPECT_EQ(d.summary(),
            "IP 203.0.113.7 serves a different answer than the majority on / "
            "from ap, eu and us; every other IP is fine");
  EXPECT_THAT(d.statuses(), ElementsAre(200));
  EXPECT_EQ(report.cells(0).fingerprints(0),
            "status=200 cert=3f9a1c0b7d2e4f61 x-version=41");
}

TEST(DiagnosisFieldsTest, ExpectationFailureOtherThanStatusIsNamed) {
  RoundBuilder round({"www.example.com"});
  round.spec().mutable_http_expect()->set_body_regex("Welcome");
  for (const std::string region : {"eu", "us"}) {
    std::string agent = region + "-1";
    round.Agent(agent, region);
    round.Http(agent, kGoodIp, "/", 200);
    round.Http(agent, kBadIp, "/", 200).HttpFailure("body_regex", "no match");
  }
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_BAD_IP);
  EXPECT_EQ(d.summary(),
            "IP 203.0.113.7 fails the body_regex expectation on / from eu and "
            "us; every other IP is fine");
}

TEST(DiagnosisFieldsTest, EvidenceIsCapped) {
  RoundBuilder round({"www.example.com"});
  for (int i = 1; i <= 40; ++i) {
    std::string agent = "eu-" + std::to_string(i);
    round.Agent(agent, "eu")
        .Http(agent, kGoodIp, "/", 200)
        .Http(agent, kBadIp, "/", 404);
  }
  v1::RoundReport report = round.Evaluate();
  const v1::Diagnosis& d = Only(report, v1::DIAGNOSIS_KIND_BAD_IP);
  EXPECT_THAT(d.evidence(), SizeIs(32));
}

}  // namespace
}  // namespace propwatch
