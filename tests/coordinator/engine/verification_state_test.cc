// AdvanceVerification: convergence, time to consistency, deadline outcomes.
#include "coordinator/engine/verification_state.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/coordinator/engine/round_builder.h"

namespace propwatch {
namespace {

using engine_testing::kCreatedAt;
using engine_testing::Report;
using ::testing::HasSubstr;

constexpr v1::Verdict P = v1::VERDICT_PASS;
constexpr v1::Verdict F = v1::VERDICT_FAIL;
constexpr v1::Verdict I = v1::VERDICT_INCONCLUSIVE;

v1::Verification Running(uint32_t stable_rounds = 0,
                         absl::Duration deadline = absl::ZeroDuration()) {
  v1::Verification verification;
  verification.set_id("v-0001");
  verification.set_state(v1::VERIFICATION_STATE_RUNNING);
  *verification.mutable_created_at() = ToProtoTime(kCreatedAt);
  verification.mutable_schedule()->set_stable_rounds(stable_rounds);
  if (deadline > absl::ZeroDuration()) {
    *verification.mutable_schedule()->mutable_deadline() =
        ToProtoDuration(deadline);
  }
  return verification;
}

// Rounds every 10 s; round n ends at created + 10n + 4 s.
absl::Time EndOfRound(uint32_t n) {
  return kCreatedAt + absl::Seconds(10 * n + 4);
}

std::vector<v1::RoundReport> Rounds(const std::vector<v1::Verdict>& verdicts) {
  std::vector<v1::RoundReport> reports;
  for (size_t i = 0; i < verdicts.size(); ++i) {
    reports.push_back(Report(i + 1, verdicts[i], EndOfRound(i + 1)));
  }
  return reports;
}

struct Case {
  std::string name;
  uint32_t stable_rounds;
  std::vector<v1::Verdict> verdicts;
  absl::Duration now_after_creation;
  v1::VerificationState state;
  // Expected time to consistency when CONVERGED.
  absl::Duration time_to_consistency;
  // Expected first inconsistency (round number, 0 = none).
  uint32_t first_inconsistent_round;
  std::string reason_contains;
};

class AdvanceTest : public ::testing::TestWithParam<Case> {};

TEST_P(AdvanceTest, FoldsTheRounds) {
  const Case& c = GetParam();
  v1::Verification v =
      AdvanceVerification(Running(c.stable_rounds), Rounds(c.verdicts),
                          kCreatedAt + c.now_after_creation);
  EXPECT_EQ(v.state(), c.state) << v.DebugString();
  EXPECT_EQ(v.rounds_completed(), c.verdicts.size());
  EXPECT_THAT(v.state_reason(), HasSubstr(c.reason_contains));
  if (c.state == v1::VERIFICATION_STATE_CONVERGED) {
    EXPECT_EQ(FromProtoDuration(v.time_to_consistency()),
              c.time_to_consistency);
  } else {
    EXPECT_FALSE(v.has_time_to_consistency());
  }
  bool terminal = c.state != v1::VERIFICATION_STATE_RUNNING;
  EXPECT_EQ(v.has_finished_at(), terminal);
  if (terminal) {
    EXPECT_EQ(FromProtoTime(v.finished_at()),
              kCreatedAt + c.now_after_creation);
  }
  if (c.first_inconsistent_round == 0) {
    EXPECT_FALSE(v.has_first_inconsistency_at());
  } else {
    EXPECT_EQ(FromProtoTime(v.first_inconsistency_at()),
              EndOfRound(c.first_inconsistent_round));
  }
}

const absl::Duration kSoon = absl::Seconds(60);
const absl::Duration kLate = absl::Minutes(11);  // past the 10 min default

INSTANTIATE_TEST_SUITE_P(
    Engine, AdvanceTest,
    ::testing::ValuesIn(std::vector<Case>{
        {"healthy_rollout_converges_after_two_passes",
         0,
         {P, P},
         kSoon,
         v1::VERIFICATION_STATE_CONVERGED,
         absl::Seconds(14),
         0,
         "consistent in 2 consecutive rounds (rounds 1 to 2)"},
        {"one_pass_is_not_enough",
         0,
         {P},
         kSoon,
         v1::VERIFICATION_STATE_RUNNING,
         {},
         0,
         "1 of 2 stable rounds"},
        {"time_to_consistency_ends_at_the_first_stable_round",
         0,
         {F, F, P, P},
         kSoon,
         v1::VERIFICATION_STATE_CONVERGED,
         absl::Seconds(34),
         1,
         "time to consistency 34s"},
        {"three_stable_rounds_when_asked",
         3,
         {F, P, P},
         kSoon,
         v1::VERIFICATION_STATE_RUNNING,
         {},
         1,
         "2 of 3 stable rounds"},
        {"three_stable_rounds_reached",
         3,
         {F, P, P, P},
         kSoon,
         v1::VERIFICATION_STATE_CONVERGED,
         absl::Seconds(24),
         1,
         "rounds 2 to 4"},
        {"a_failure_resets_the_run",
         0,
         {P, F, P},
         kSoon,
         v1::VERIFICATION_STATE_RUNNING,
         {},
         2,
         "Round 3 passed"},
        {"inconclusive_breaks_the_run",
         0,
         {P, I, P},
         kSoon,
         v1::VERIFICATION_STATE_RUNNING,
         {},
         0,
         "1 of 2"},
        {"failing_round_while_running",
         0,
         {F},
         kSoon,
         v1::VERIFICATION_STATE_RUNNING,
         {},
         1,
         "Round 1 failed"},
        {"deadline_after_failures_diverges",
         0,
         {F, F, F},
         kLate,
         v1::VERIFICATION_STATE_DIVERGED,
         {},
         1,
         "Deadline of 10m passed; round 3 failed"},
        {"deadline_skips_inconclusive_to_the_last_failure",
         0,
         {F, F, I},
         kLate,
         v1::VERIFICATION_STATE_DIVERGED,
         {},
         1,
         "round 2 failed"},
        {"deadline_with_no_quorum_is_inconclusive",
         0,
         {F, I, I},
         kLate,
         v1::VERIFICATION_STATE_INCONCLUSIVE,
         {},
         1,
         "without a decisive round"},
        {"deadline_while_converging_is_inconclusive",
         0,
         {F, P},
         kLate,
         v1::VERIFICATION_STATE_INCONCLUSIVE,
         {},
         1,
         "while still converging: 1 of 2"},
        {"deadline_before_any_round",
         0,
         {},
         kLate,
         v1::VERIFICATION_STATE_INCONCLUSIVE,
         {},
         0,
         "before any round"},
        {"converged_even_when_the_last_round_ends_late",
         0,
         {F, P, P},
         kLate,
         v1::VERIFICATION_STATE_CONVERGED,
         absl::Seconds(24),
         1,
         "rounds 2"},
    }),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(AdvanceVerificationTest, CustomDeadline) {
  v1::Verification v =
      AdvanceVerification(Running(0, absl::Seconds(30)), Rounds({F, F}),
                          kCreatedAt + absl::Seconds(30));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(v.state_reason(), HasSubstr("Deadline of 30s passed"));
}

TEST(AdvanceVerificationTest, TerminalStatesAreFinal) {
  for (auto state :
       {v1::VERIFICATION_STATE_CONVERGED, v1::VERIFICATION_STATE_DIVERGED,
        v1::VERIFICATION_STATE_INCONCLUSIVE,
        v1::VERIFICATION_STATE_CANCELLED}) {
    v1::Verification done = Running();
    done.set_state(state);
    done.set_state_reason("cancelled by test");
    v1::Verification v =
        AdvanceVerification(done, Rounds({F, P, P}), kCreatedAt + kLate);
    EXPECT_EQ(v.SerializeAsString(), done.SerializeAsString());
  }
}

TEST(AdvanceVerificationTest, ReasonNamesTheFailingDiagnosis) {
  std::vector<v1::RoundReport> reports = Rounds({F});
  v1::Diagnosis* d = reports[0].add_diagnoses();
  d->set_kind(v1::DIAGNOSIS_KIND_AGENT_NETWORK);
  d->set_summary("Agent eu-3 ...");
  d = reports[0].add_diagnoses();
  d->set_kind(v1::DIAGNOSIS_KIND_BAD_IP);
  d->set_summary("IP 203.0.113.7 returns 404 on /signin from eu");
  v1::Verification v =
      AdvanceVerification(Running(), reports, kCreatedAt + kLate);
  EXPECT_EQ(v.state_reason(),
            "Deadline of 10m passed; round 1 failed: IP 203.0.113.7 returns "
            "404 on /signin from eu.");
}

// Cells of `report` for every (region, IP, path) given.
void AddCells(v1::RoundReport& report, const std::vector<std::string>& regions,
              const std::vector<std::string>& ips,
              const std::vector<std::string>& paths) {
  for (const std::string& region : regions) {
    for (const std::string& ip : ips) {
      for (const std::string& path : paths) {
        v1::MatrixCell* cell = report.add_cells();
        cell->set_region(region);
        cell->set_ip(ip);
        cell->set_path(path);
      }
    }
  }
}

TEST(AdvanceVerificationTest, ConvergedReasonStatesCoverage) {
  std::vector<v1::RoundReport> reports = Rounds({P, P});
  AddCells(reports[1], {"us-east", "eu-west", "ap-south"},
           {"203.0.113.7", "203.0.113.8"}, {"/signin", "/docs", "/blog"});
  v1::Verification v = AdvanceVerification(Running(), reports, EndOfRound(2));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_CONVERGED);
  EXPECT_THAT(v.state_reason(),
              HasSubstr("across 3 regions (ap-south, eu-west, us-east), 2 IPs "
                        "and 3 paths; time to consistency"));
}

TEST(AdvanceVerificationTest, DivergedReasonStatesCoverage) {
  std::vector<v1::RoundReport> reports = Rounds({F});
  AddCells(reports[0], {"eu-west"}, {"203.0.113.7"}, {"/"});
  v1::Verification v =
      AdvanceVerification(Running(), reports, kCreatedAt + kLate);
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(v.state_reason(),
              HasSubstr(". Round 1 covered 1 region (eu-west), 1 IP and 1 "
                        "path."));
}

v1::Diagnosis Failing(v1::DiagnosisKind kind, const std::string& ip) {
  v1::Diagnosis d;
  d.set_kind(kind);
  d.set_ip(ip);
  d.add_regions("eu");
  d.set_summary(absl::StrCat("IP ", ip, " refuses from every region"));
  return d;
}

// Rounds every 10 s whose round 1 saw a 30 s TTL: rounds 4 and later start
// after it ran out.
std::vector<v1::RoundReport> FailingRounds(size_t n, const std::string& ip) {
  std::vector<v1::RoundReport> reports;
  for (size_t i = 0; i < n; ++i) {
    reports.push_back(Report(i + 1, F, EndOfRound(i + 1)));
    *reports.back().add_diagnoses() =
        Failing(v1::DIAGNOSIS_KIND_IP_UNREACHABLE, ip);
  }
  reports[0].add_dns()->set_min_ttl(30);
  return reports;
}

TEST(AdvanceVerificationTest, SameFailureAfterTheTtlsEndsDivergedEarly) {
  // Round 1 starts at +10 s, so its 30 s TTL has run out at +40 s: rounds 4
  // (starting +40 s), 5 and 6 count.
  std::vector<v1::RoundReport> reports = FailingRounds(5, "203.0.113.7");
  v1::Verification v = AdvanceVerification(Running(), reports, EndOfRound(5));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_RUNNING) << v.state_reason();
  reports = FailingRounds(6, "203.0.113.7");
  v = AdvanceVerification(Running(), reports, EndOfRound(6));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(v.state_reason(),
              HasSubstr("Rounds 4 to 6 failed the same way after every TTL "
                        "of round 1 (30s) had run out (fail_after_rounds 3): "
                        "IP 203.0.113.7 refuses"));
}

TEST(AdvanceVerificationTest, ChangingFailuresDoNotEndEarly) {
  std::vector<v1::RoundReport> reports = FailingRounds(6, "203.0.113.7");
  *reports[4].mutable_diagnoses(0) =
      Failing(v1::DIAGNOSIS_KIND_IP_UNREACHABLE, "203.0.113.8");
  v1::Verification v = AdvanceVerification(Running(), reports, EndOfRound(6));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_RUNNING);
}

TEST(AdvanceVerificationTest, FailAfterRoundsZeroTurnsTheRuleOff) {
  v1::Verification running = Running();
  running.mutable_schedule()->set_fail_after_rounds(0);
  v1::Verification v = AdvanceVerification(
      running, FailingRounds(9, "203.0.113.7"), EndOfRound(9));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_RUNNING);
}

TEST(AdvanceVerificationTest, AuthoritativeNxdomainEndsDivergedAtOnce) {
  std::vector<v1::RoundReport> reports = Rounds({F});
  v1::Diagnosis* d = reports[0].add_diagnoses();
  d->set_kind(v1::DIAGNOSIS_KIND_DNS_FAILURE);
  d->set_resolver("authoritative");
  d->set_summary(
      "The authoritative servers answer NXDOMAIN for nope.example.test: the "
      "name does not exist");
  v1::Verification v = AdvanceVerification(Running(), reports, EndOfRound(1));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(v.state_reason(),
              HasSubstr("Round 1: The authoritative servers answer NXDOMAIN "
                        "for nope.example.test"));
}

// Rounds 1..n failing only with a stale resolver whose answer had `ttl`
// seconds left when round 1 (starting at +10 s) first saw it, counting down.
std::vector<v1::RoundReport> StaleRounds(size_t n, uint32_t ttl) {
  std::vector<v1::RoundReport> reports;
  for (size_t i = 0; i < n; ++i) {
    reports.push_back(Report(i + 1, F, EndOfRound(i + 1)));
    v1::Diagnosis* d = reports.back().add_diagnoses();
    d->set_kind(v1::DIAGNOSIS_KIND_STALE_RESOLVER);
    d->set_resolver("10.0.0.2:53");
    d->add_regions("us-east");
    const int64_t left =
        static_cast<int64_t>(ttl) - 10 * static_cast<int64_t>(i);
    d->set_ttl_left_seconds(static_cast<uint32_t>(std::max<int64_t>(0, left)));
    d->set_summary("Resolver 10.0.0.2:53 (system, us-east) still answers");
  }
  return reports;
}

TEST(AdvanceVerificationTest, StaleCacheWithinItsTtlIsStillConverging) {
  // Round 1 saw 100 s left: until +110 s the cache may hold the old answer.
  EXPECT_EQ(StillConverging(StaleRounds(3, 100)),
            (std::vector<bool>{true, true, true}));
  v1::Verification v =
      AdvanceVerification(Running(), StaleRounds(3, 100), kCreatedAt + kLate);
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_INCONCLUSIVE);
  EXPECT_THAT(v.state_reason(),
              HasSubstr("still within the TTL of their old answer"));
}

TEST(AdvanceVerificationTest, StaleCachePastItsTtlIsAFailure) {
  // 5 s left at +10 s: by round 2 (+20 s) the cache should have let go.
  std::vector<v1::RoundReport> reports = StaleRounds(3, 5);
  for (v1::RoundReport& r : reports) {
    r.mutable_diagnoses(0)->set_ttl_left_seconds(60);  // a reset TTL: broken
  }
  reports[0].mutable_diagnoses(0)->set_ttl_left_seconds(5);
  EXPECT_EQ(StillConverging(reports), (std::vector<bool>{true, false, false}));
  v1::Verification v =
      AdvanceVerification(Running(), reports, kCreatedAt + kLate);
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(v.state_reason(), HasSubstr("round 3 failed: Resolver"));
}

TEST(AdvanceVerificationTest, UnspecifiedStateIsReadAsRunning) {
  v1::Verification fresh = Running();
  fresh.set_state(v1::VERIFICATION_STATE_UNSPECIFIED);
  v1::Verification v =
      AdvanceVerification(fresh, {}, kCreatedAt + absl::Seconds(1));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_RUNNING);
  EXPECT_EQ(v.state_reason(), "No round completed yet.");
}

}  // namespace
}  // namespace propwatch
