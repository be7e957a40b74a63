// EvaluateRound end to end: the incident that motivates propwatch, a healthy
// rollout, the matrix and DNS views, and determinism.
#include "coordinator/engine/evaluate_round.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The 2023-01 octopus.com incident (context/incident-report-2023-01.txt):
// the endpoint resolves to two IPs; one answers 404 on /signin, /docs and
// /blog from eu and us; ap resolves only the good IP. The authoritative
// servers serve both, so nobody's DNS is wrong: the IP is.
RoundBuilder IncidentRound(bool expectation_mode) {
  RoundBuilder round({"octopus.com"}, {"/signin", "/docs", "/blog"});
  if (expectation_mode) round.spec().mutable_http_expect()->add_status_in(200);
  round.spec().set_pin_mode(v1::PIN_MODE_RESOLVED);
  round.Agents("eu", 2).Agents("us", 2).Agents("ap", 2);
  for (const std::string region : {"eu", "us", "ap"}) {
    for (const std::string& agent : {region + "-1", region + "-2"}) {
      round.Dns(agent, "authoritative", "198.51.100.53:53", {kBadIp, kGoodIp});
      if (region == "ap") {
        round.Dns(agent, "system", "10.0.0.2:53", {kGoodIp}, 60);
        round.HttpAllPaths(agent, kGoodIp, 200);
      } else {
        round.Dns(agent, "system", "10.0.0.2:53", {kBadIp, kGoodIp}, 60);
        round.HttpAllPaths(agent, kGoodIp, 200);
        round.HttpAllPaths(agent, kBadIp, 404);
      }
    }
  }
  return round;
}

class IncidentTest : public ::testing::TestWithParam<bool> {};

TEST_P(IncidentTest, BadIpNamesTheIpThePathsAndEuAndUs) {
  RoundBuilder round = IncidentRound(/*expectation_mode=*/GetParam());
  v1::RoundReport report = round.Evaluate();

  EXPECT_EQ(report.verdict(), v1::VERDICT_FAIL);
  ASSERT_THAT(report.diagnoses(), SizeIs(1));
  const v1::Diagnosis& d = report.diagnoses(0);
  EXPECT_EQ(d.kind(), v1::DIAGNOSIS_KIND_BAD_IP);
  EXPECT_EQ(d.ip(), kBadIp);
  EXPECT_THAT(d.regions(), ElementsAre("eu", "us"));
  EXPECT_THAT(d.paths(), ElementsAre("/signin", "/docs", "/blog"));
  EXPECT_THAT(d.statuses(), ElementsAre(404));
  EXPECT_EQ(d.summary(),
            "IP 203.0.113.7 returns 404 on /signin, /docs, /blog from eu and "
            "us; every other IP is fine; the resolvers of eu and us hand it "
            "out");
  // Every failing probe is cited: 2 regions x 2 agents x 3 paths.
  ASSERT_THAT(d.evidence(), SizeIs(12));
  // eu-1's results: 2 DNS, 3 good-IP probes, then the bad IP on /signin.
  EXPECT_EQ(d.evidence(0), FakeEvidence("eu-1", 6));
  EXPECT_TRUE(report.missing_agents().empty());
}

INSTANTIATE_TEST_SUITE_P(AgreementAndExpectation, IncidentTest,
                         ::testing::Bool());

TEST(EvaluateRoundTest, IncidentMatrixShowsTheBadColumn) {
  v1::RoundReport report = IncidentRound(false).Evaluate();
  // 3 regions x good IP x 3 paths + 2 regions x bad IP x 3 paths.
  ASSERT_THAT(report.cells(), SizeIs(15));
  for (const v1::MatrixCell& cell : report.cells()) {
    SCOPED_TRACE(cell.ShortDebugString());
    EXPECT_EQ(cell.hostname(), "octopus.com");
    EXPECT_EQ(cell.probes(), 2u);
    if (cell.ip() == kBadIp) {
      EXPECT_EQ(cell.status(), v1::CELL_STATUS_FAIL);
      EXPECT_EQ(cell.passes(), 0u);
      EXPECT_EQ(cell.status_histogram().at(404), 2u);
      EXPECT_THAT(cell.fingerprints(),
                  ElementsAre("status=404 cert=3f9a1c0b7d2e4f61"));
    } else {
      EXPECT_EQ(cell.status(), v1::CELL_STATUS_PASS);
      EXPECT_EQ(cell.passes(), 2u);
    }
  }
  // Sorted by region, ip, hostname, path.
  EXPECT_EQ(report.cells(0).region(), "ap");
  EXPECT_EQ(report.cells(0).path(), "/blog");
  EXPECT_EQ(report.cells(14).region(), "us");
  EXPECT_EQ(report.cells(14).ip(), kGoodIp);
}

TEST(EvaluateRoundTest, IncidentDnsViewsAgreeWithAuthority) {
  v1::RoundReport report = IncidentRound(false).Evaluate();
  ASSERT_THAT(report.dns(), SizeIs(6));
  const v1::DnsView& ap_system = report.dns(1);
  EXPECT_EQ(ap_system.region(), "ap");
  EXPECT_EQ(ap_system.resolver_kind(), "system");
  EXPECT_THAT(ap_system.addresses(), ElementsAre(kGoodIp));
  EXPECT_EQ(ap_system.min_ttl(), 60u);
  // A subset of the authoritative pool is a right answer.
  EXPECT_TRUE(ap_system.agrees_with_authoritative());
  EXPECT_EQ(ap_system.authority(), v1::AUTHORITY_AGREEMENT_AGREES);
  const v1::DnsView& ap_authoritative = report.dns(0);
  EXPECT_EQ(ap_authoritative.resolver_kind(), "authoritative");
  EXPECT_THAT(ap_authoritative.addresses(), ElementsAre(kBadIp, kGoodIp));
}

TEST(EvaluateRoundTest, IncidentWithAnycastEdgesStillBlamesTheIp) {
  // All-observed cross-probing: ap probes the bad IP too and, its edge
  // being a different node, gets the right page. Two of three regions fail.
  RoundBuilder round = IncidentRound(false);
  round.HttpAllPaths("ap-1", kBadIp, 200).HttpAllPaths("ap-2", kBadIp, 200);
  v1::RoundReport report = round.Evaluate();
  ASSERT_THAT(report.diagnoses(), SizeIs(1));
  EXPECT_EQ(report.diagnoses(0).summary(),
            "IP 203.0.113.7 returns 404 on /signin, /docs, /blog from eu and "
            "us (fine from ap); every other IP is fine; the resolvers of eu "
            "and us hand it out");
  EXPECT_EQ(report.verdict(), v1::VERDICT_FAIL);
}

// A rollout that reached everyone: no diagnosis, PASS.
RoundBuilder HealthyRound() {
  RoundBuilder round({"www.example.com"}, {"/", "/api"});
  round.Agents("eu", 2).Agents("us", 2).Agents("ap", 1);
  for (const std::string agent : {"eu-1", "eu-2", "us-1", "us-2", "ap-1"}) {
    round.Dns(agent, "authoritative", "198.51.100.53:53", {kBadIp, kGoodIp});
    round.Dns(agent, "system", "10.0.0.2:53", {kBadIp, kGoodIp});
    round.HttpAllPaths(agent, kBadIp, 200).HttpAllPaths(agent, kGoodIp, 200);
  }
  return round;
}

TEST(EvaluateRoundTest, HealthyRolloutPassesWithNoDiagnosis) {
  v1::RoundReport report = HealthyRound().Evaluate();
  EXPECT_EQ(report.verdict(), v1::VERDICT_PASS);
  EXPECT_THAT(report.diagnoses(), IsEmpty());
  EXPECT_THAT(report.missing_agents(), IsEmpty());
  EXPECT_EQ(report.verification_id(), "v-0001");
  EXPECT_EQ(report.round(), 1u);
  for (const v1::MatrixCell& cell : report.cells()) {
    EXPECT_EQ(cell.status(), v1::CELL_STATUS_PASS) << cell.ShortDebugString();
  }
  for (const v1::DnsView& view : report.dns()) {
    EXPECT_TRUE(view.agrees_with_authoritative()) << view.ShortDebugString();
  }
}

TEST(EvaluateRoundTest, DnsViewSaysNotAskedWithoutAnAuthoritativeAnswer) {
  RoundBuilder round({"www.example.com"});
  round.Agent("eu-1", "eu")
      .Dns("eu-1", "system", "10.0.0.2:53", {kGoodIp})
      .Http("eu-1", kGoodIp, "/", 200);
  v1::RoundReport report = round.Evaluate();
  ASSERT_THAT(report.dns(), SizeIs(1));
  EXPECT_EQ(report.dns(0).authority(), v1::AUTHORITY_AGREEMENT_NOT_ASKED);
  EXPECT_FALSE(report.dns(0).agrees_with_authoritative());
}

TEST(EvaluateRoundTest, DnsViewSaysDisagreesWithAStaleAnswer) {
  RoundBuilder round({"www.example.com"});
  round.Agent("eu-1", "eu")
      .Dns("eu-1", "authoritative", "198.51.100.53:53", {kGoodIp})
      .Dns("eu-1", "system", "10.0.0.2:53", {kBadIp})
      .Http("eu-1", kGoodIp, "/", 200);
  v1::RoundReport report = round.Evaluate();
  ASSERT_THAT(report.dns(), SizeIs(2));
  EXPECT_EQ(report.dns(0).authority(), v1::AUTHORITY_AGREEMENT_AGREES);
  EXPECT_EQ(report.dns(1).authority(), v1::AUTHORITY_AGREEMENT_DISAGREES);
}

TEST(EvaluateRoundTest, UnsupportedIpv6IsNeverAFailure) {
  RoundBuilder round = HealthyRound();
  round.Http("ap-1", "2001:db8::8", "/", 0, v1::ERROR_CLASS_UNSUPPORTED)
      .Http("ap-1", "2001:db8::8", "/api", 0, v1::ERROR_CLASS_UNSUPPORTED);
  v1::RoundReport report = round.Evaluate();
  EXPECT_EQ(report.verdict(), v1::VERDICT_PASS);
  EXPECT_THAT(report.diagnoses(), IsEmpty());
  auto unsupported = std::count_if(
      report.cells().begin(), report.cells().end(), [](const auto& cell) {
        return cell.status() == v1::CELL_STATUS_UNSUPPORTED;
      });
  EXPECT_EQ(unsupported, 2);
}

TEST(EvaluateRoundTest, UnmeasuredHostnameIsInconclusive) {
  RoundBuilder round = HealthyRound();
  round.spec().add_hostnames("api.example.com");
  EXPECT_EQ(round.Evaluate().verdict(), v1::VERDICT_INCONCLUSIVE);
}

TEST(EvaluateRoundTest, OneRegionFailingEveryIpIsThatRegionsPath) {
  // Every IP fails from one region only: not a bad IP (the region is the
  // odd one out), not intermittent: the region's path to each IP, and with
  // one agent there, that agent cannot be told from its region.
  RoundBuilder round = HealthyRound();
  round.Agent("sa-1", "sa")
      .HttpAllPaths("sa-1", kBadIp, 503)
      .HttpAllPaths("sa-1", kGoodIp, 503);
  v1::RoundReport report = round.Evaluate();
  ASSERT_THAT(report.diagnoses(), SizeIs(2));
  for (const v1::Diagnosis& d : report.diagnoses()) {
    EXPECT_EQ(d.kind(), v1::DIAGNOSIS_KIND_REGION_PATH);
    EXPECT_THAT(d.regions(), ElementsAre("sa"));
    EXPECT_EQ(d.agent_id(), "sa-1");
    EXPECT_THAT(d.summary(), HasSubstr("answers 503 in sa"));
    EXPECT_THAT(d.summary(), HasSubstr("cannot be told apart"));
  }
  EXPECT_EQ(report.verdict(), v1::VERDICT_FAIL);
}

TEST(EvaluateRoundTest, HostnamesAreComparedNormalized) {
  RoundBuilder round({"WWW.Example.COM."});
  round.Agent("eu-1", "eu").Http("eu-1", kGoodIp, "/", 200);
  v1::RoundReport report = round.Evaluate();
  ASSERT_THAT(report.cells(), SizeIs(1));
  EXPECT_EQ(report.cells(0).hostname(), "www.example.com");
  EXPECT_EQ(report.verdict(), v1::VERDICT_PASS);
}

TEST(EvaluateRoundTest, ReportDoesNotDependOnResultOrder) {
  RoundBuilder round = IncidentRound(false);
  round.Http("eu-1", kGoodIp, "/docs", 0, v1::ERROR_CLASS_TIMEOUT);
  RoundInput input = round.Build();
  std::string expected = SerializeReportDeterministically(EvaluateRound(input));

  std::vector<size_t> order(input.results.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 random(7);
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::shuffle(order.begin(), order.end(), random);
    RoundInput shuffled = input;
    for (size_t i = 0; i < order.size(); ++i) {
      shuffled.results[i] = input.results[order[i]];
      shuffled.result_keys[i] = input.result_keys[order[i]];
    }
    EXPECT_EQ(SerializeReportDeterministically(EvaluateRound(shuffled)),
              expected);
  }
}

TEST(EvaluateRoundTest, WithoutKeysDiagnosesCarryNoEvidence) {
  RoundBuilder round = IncidentRound(false);
  RoundInput input = round.Build();
  input.result_keys.clear();
  v1::RoundReport report = EvaluateRound(input);
  ASSERT_THAT(report.diagnoses(), SizeIs(1));
  EXPECT_THAT(report.diagnoses(0).evidence(), IsEmpty());
}

TEST(EvaluateRoundTest, ValidateRoundInputCatchesWhatTheRunnerCanGetWrong) {
  RoundBuilder round = IncidentRound(false);
  RoundInput input = round.Build();
  EXPECT_TRUE(ValidateRoundInput(input).ok());
  RoundInput short_keys = input;
  short_keys.result_keys.pop_back();
  EXPECT_FALSE(ValidateRoundInput(short_keys).ok());
  RoundInput other_round = input;
  other_round.results[3].set_round(2);
  EXPECT_FALSE(ValidateRoundInput(other_round).ok());
  RoundInput no_verification = input;
  no_verification.verification = nullptr;
  EXPECT_FALSE(ValidateRoundInput(no_verification).ok());
  // EvaluateRound never crashes on it either.
  EXPECT_EQ(EvaluateRound(no_verification).verdict(), v1::VERDICT_FAIL);
}

}  // namespace
}  // namespace propwatch
