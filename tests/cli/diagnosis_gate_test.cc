// Every common failure named in the report a pipeline gets, end to end: real
// propwatchctl, coordinator, agents, knotd and nginx (gate_lab.h). Each
// verification ends with the diagnosis that says what is wrong, not "some
// cells failed".
#include <google/protobuf/util/json_util.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/control.pb.h"
#include "tests/cli/gate_lab.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kRunLimit = absl::Seconds(60);

std::vector<std::string> Concat(std::vector<std::string> a,
                                const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class DiagnosisGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lab = GateLab::Start();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = std::move(*lab);
  }

  // Runs `verify --wait -o json` with `args`; the final event.
  v1::VerificationEvent Verify(std::vector<std::string> args, int exit_code) {
    CommandResult r =
        RunCommand(lab_->Ctl(Concat(std::move(args), {"--wait", "-o", "json"})),
                   kRunLimit);
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err << lab_->Logs();
    v1::VerificationEvent event;
    auto s = google::protobuf::util::JsonStringToMessage(r.out, &event);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << r.out << r.err;
    return event;
  }

  // The diagnosis of `kind` in the final round; fails the test without one.
  static v1::Diagnosis Find(const v1::VerificationEvent& event,
                            v1::DiagnosisKind kind) {
    for (const v1::Diagnosis& d : event.round().diagnoses()) {
      if (d.kind() == kind) return d;
    }
    ADD_FAILURE() << "no " << v1::DiagnosisKind_Name(kind) << " in "
                  << event.DebugString();
    return v1::Diagnosis();
  }

  std::unique_ptr<GateLab> lab_;
};

TEST_F(DiagnosisGateTest, NxdomainAtTheAuthorityEndsLongBeforeTheDeadline) {
  // The zone is asked directly (knotd is authoritative for example.test):
  // NXDOMAIN there is final, so a 60 s deadline is not waited out.
  const std::vector<std::string> knot =
      absl::StrSplit(lab_->knot_address(), ':');
  const std::string spec = lab_->dir().File("nxdomain.yaml");
  std::ofstream(spec) << "spec:\n"
                         "  hostnames: [nope.example.test]\n"
                         "  record_types: [A]\n"
                         "  scheme: http\n"
                         "  resolvers:\n"
                         "    - system\n"
                         "    - authoritative: {bootstrap: \""
                      << lab_->knot_address() << "\", port: " << knot[1]
                      << "}\n"
                         "schedule:\n"
                         "  round_interval: 1s\n"
                         "  phase_timeout: 800ms\n"
                         "  deadline: 60s\n";
  const absl::Time start = absl::Now();
  v1::VerificationEvent event = Verify({"verify", "-f", spec}, 1);
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_EQ(event.verification().state(), v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(event.verification().state_reason(),
              HasSubstr("The authoritative servers answer NXDOMAIN for "
                        "nope.example.test: the name does not exist"));
  v1::Diagnosis d = Find(event, v1::DIAGNOSIS_KIND_DNS_FAILURE);
  EXPECT_FALSE(d.hint().empty());
}

TEST_F(DiagnosisGateTest, AnIpThatRefusesConnectionsIsNamedUnreachable) {
  // 127.0.0.4 has nothing listening on the lab port.
  v1::VerificationEvent event =
      Verify(Concat(lab_->VerifyFlags("good.example.test", "4s"),
                    {"--pin-ip", absl::StrCat(kGoodIp, ",127.0.0.4")}),
             1);
  v1::Diagnosis d = Find(event, v1::DIAGNOSIS_KIND_IP_UNREACHABLE);
  EXPECT_EQ(d.ip(), "127.0.0.4");
  EXPECT_THAT(d.summary(), HasSubstr("refuses"));
  EXPECT_THAT(d.hint(), HasSubstr("Nothing listens on 127.0.0.4"));
  EXPECT_THAT(event.verification().state_reason(),
              HasSubstr("IP 127.0.0.4 refuses"));
}

TEST_F(DiagnosisGateTest, HttpsAgainstAPlainHttpPortIsATlsFailure) {
  std::vector<std::string> flags = lab_->VerifyFlags("good.example.test", "4s");
  for (size_t i = 0; i + 1 < flags.size(); ++i) {
    if (flags[i] == "--scheme") flags[i + 1] = "https";
  }
  v1::VerificationEvent event = Verify(flags, 1);
  v1::Diagnosis d = Find(event, v1::DIAGNOSIS_KIND_TLS_FAILURE);
  EXPECT_EQ(d.ip(), kGoodIp);
  EXPECT_THAT(d.summary(), HasSubstr("TLS fails on 127.0.0.2"));
  EXPECT_THAT(d.hint(), HasSubstr("plain HTTP"));
}

TEST_F(DiagnosisGateTest, TheSameUnexpectedStatusEverywhereIsWrongStatus) {
  // Every edge answers 200; the spec expects a redirect: the expectation
  // (or the origin), not an edge, is wrong.
  std::vector<std::string> flags = lab_->VerifyFlags("good.example.test", "4s");
  for (size_t i = 0; i + 1 < flags.size(); ++i) {
    if (flags[i] == "--expect-status") flags[i + 1] = "301";
  }
  v1::VerificationEvent event = Verify(flags, 1);
  v1::Diagnosis d = Find(event, v1::DIAGNOSIS_KIND_WRONG_STATUS);
  EXPECT_THAT(d.statuses(), ::testing::ElementsAre(200u));
  EXPECT_THAT(d.summary(),
              HasSubstr("from every region (ap-south, eu-west and us-east) "
                        "answers 200 for good.example.test on /signin"));
  for (const v1::Diagnosis& other : event.round().diagnoses()) {
    EXPECT_NE(other.kind(), v1::DIAGNOSIS_KIND_BAD_IP);
  }
}

}  // namespace
}  // namespace propwatch::testing
