// The link's security with real processes: mutual TLS with a CA made in the
// test, per-agent tokens, and refusals that both sides explain.
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agent/http/test_pki.h"
#include "tests/agent/link/link_test_util.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;

class LinkAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = TestCa::Create("propwatch test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::move(*ca);
    auto other = TestCa::Create("someone else's CA");
    ASSERT_TRUE(other.ok()) << other.status();
    other_ca_ = std::move(*other);
    ASSERT_TRUE(WriteFile(dir_.File("ca.pem"), ca_->cert_pem()));
    Issue(*ca_, "coordinator", {"IP:127.0.0.1"}, "coordinator");
    Issue(*ca_, "eu-1", {"DNS:eu-1"}, "eu-1");
    Issue(*other_ca_, "eu-1", {"DNS:eu-1"}, "eu-1-untrusted");
  }

  void Issue(TestCa& ca, const std::string& cn, std::vector<std::string> sans,
             const std::string& name) {
    LeafOptions leaf;
    leaf.common_name = cn;
    leaf.subject_alt_names = std::move(sans);
    leaf.not_before = absl::Now() - absl::Hours(1);
    leaf.not_after = absl::Now() + absl::Hours(24);
    leaf.extended_key_usage = "serverAuth,clientAuth";
    auto issued = ca.Issue(leaf);
    ASSERT_TRUE(issued.ok()) << issued.status();
    ASSERT_TRUE(WriteFile(dir_.File(name + ".crt"), issued->cert_pem));
    ASSERT_TRUE(WriteFile(dir_.File(name + ".key"), issued->key_pem));
  }

  std::vector<std::string> CoordinatorTls() {
    return {"--tls-cert", dir_.File("coordinator.crt"),
            "--tls-key",  dir_.File("coordinator.key"),
            "--tls-ca",   dir_.File("ca.pem")};
  }
  std::vector<std::string> AgentTls(const std::string& name) {
    return {"--tls-ca",   dir_.File("ca.pem"),
            "--tls-cert", dir_.File(name + ".crt"),
            "--tls-key",  dir_.File(name + ".key")};
  }

  // Waits for the agent to exit; true when it exited with status 1.
  static bool RefusedAndExited(Subprocess& agent) {
    auto status = agent.Wait(absl::Seconds(20));
    return status.has_value() && WIFEXITED(*status) &&
           WEXITSTATUS(*status) == 1;
  }

  TempDir dir_;
  std::unique_ptr<TestCa> ca_;
  std::unique_ptr<TestCa> other_ca_;
};

TEST_F(LinkAuthTest, AgentWithItsOwnCertificateConnects) {
  CoordinatorProcess coordinator(CoordinatorTls());
  auto agent = StartAgentProcess(coordinator.address(), "eu-1", "eu",
                                 dir_.File("agent"), AgentTls("eu-1"));
  EXPECT_TRUE(WaitFor(
      [&] {
        return agent->Stderr().find("connected to coordinator") !=
               std::string::npos;
      },
      absl::Seconds(20)))
      << agent->Stderr() << coordinator.process().Stderr();
}

TEST_F(LinkAuthTest, CertificateClaimingAnotherAgentIsRefused) {
  CoordinatorProcess coordinator(CoordinatorTls());
  auto agent = StartAgentProcess(coordinator.address(), "us-1", "us",
                                 dir_.File("agent"), AgentTls("eu-1"));
  ASSERT_TRUE(RefusedAndExited(*agent)) << agent->Stderr();
  EXPECT_THAT(agent->Stderr(), HasSubstr("the client certificate names [eu-1"));
  EXPECT_THAT(coordinator.process().Stderr(), HasSubstr("refused hello"));
  EXPECT_THAT(coordinator.process().Stderr(), HasSubstr("not agent 'us-1'"));
}

TEST_F(LinkAuthTest, UntrustedCertificateIsRefusedAtTheHandshake) {
  CoordinatorProcess coordinator(CoordinatorTls());
  auto agent =
      StartAgentProcess(coordinator.address(), "eu-1", "eu", dir_.File("agent"),
                        AgentTls("eu-1-untrusted"));
  // The TLS handshake fails, which the agent cannot tell from a network
  // fault, so it retries; both sides log the reason.
  EXPECT_TRUE(WaitFor(
      [&] {
        return agent->Stderr().find("reconnecting") != std::string::npos &&
               coordinator.process().Stderr().find(
                   "certificate verify "
                   "failed") != std::string::npos;
      },
      absl::Seconds(20)))
      << "agent:\n"
      << agent->Stderr() << "\ncoordinator:\n"
      << coordinator.process().Stderr();
  EXPECT_THAT(coordinator.process().Stderr(),
              ::testing::Not(HasSubstr("agent eu-1 connected")));
}

TEST_F(LinkAuthTest, TokenOfAnotherAgentIsRefused) {
  ASSERT_TRUE(WriteFile(dir_.File("tokens"),
                        "# agent_id token\n"
                        "eu-1 0123456789abcdef0123456789abcdef\n"
                        "us-1 fedcba9876543210fedcba9876543210\n"));
  ASSERT_TRUE(
      WriteFile(dir_.File("eu-1.token"), "0123456789abcdef0123456789abcdef\n"));
  std::vector<std::string> flags = CoordinatorTls();
  flags.insert(flags.end(), {"--agent-tokens", dir_.File("tokens")});
  CoordinatorProcess coordinator(flags);
  const std::vector<std::string> agent_flags = {
      "--tls-ca", dir_.File("ca.pem"), "--token-file", dir_.File("eu-1.token")};

  auto imposter = StartAgentProcess(coordinator.address(), "us-1", "us",
                                    dir_.File("imposter"), agent_flags);
  ASSERT_TRUE(RefusedAndExited(*imposter)) << imposter->Stderr();
  EXPECT_THAT(imposter->Stderr(),
              HasSubstr("this token belongs to agent 'eu-1', not to 'us-1'"));
  EXPECT_THAT(coordinator.process().Stderr(), HasSubstr("refused hello"));
  // Refusals are logged on both sides; no token ever is.
  for (const std::string& log :
       {imposter->Stderr(), coordinator.process().Stderr()}) {
    EXPECT_THAT(log, ::testing::Not(HasSubstr("0123456789abcdef0123")));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("fedcba9876543210fedc")));
  }

  auto honest = StartAgentProcess(coordinator.address(), "eu-1", "eu",
                                  dir_.File("honest"), agent_flags);
  EXPECT_TRUE(WaitFor(
      [&] {
        return honest->Stderr().find("connected to coordinator") !=
               std::string::npos;
      },
      absl::Seconds(20)))
      << honest->Stderr();
}

TEST_F(LinkAuthTest, TokenBoundToARegionCannotClaimAnother) {
  ASSERT_TRUE(
      WriteFile(dir_.File("tokens"),
                "eu-1 0123456789abcdef0123456789abcdef eu,eu-central\n"));
  ASSERT_TRUE(
      WriteFile(dir_.File("eu-1.token"), "0123456789abcdef0123456789abcdef\n"));
  std::vector<std::string> flags = CoordinatorTls();
  flags.insert(flags.end(), {"--agent-tokens", dir_.File("tokens")});
  CoordinatorProcess coordinator(flags);
  const std::vector<std::string> agent_flags = {
      "--tls-ca", dir_.File("ca.pem"), "--token-file", dir_.File("eu-1.token")};

  auto elsewhere = StartAgentProcess(coordinator.address(), "eu-1", "us",
                                     dir_.File("elsewhere"), agent_flags);
  ASSERT_TRUE(RefusedAndExited(*elsewhere)) << elsewhere->Stderr();
  EXPECT_THAT(elsewhere->Stderr(),
              HasSubstr("agent 'eu-1' may claim region eu, eu-central"));
  // Refusals are logged on both sides; the token never is.
  EXPECT_THAT(elsewhere->Stderr(),
              ::testing::Not(HasSubstr("0123456789abcdef0123456789abcdef")));
  EXPECT_THAT(coordinator.process().Stderr(),
              ::testing::Not(HasSubstr("0123456789abcdef0123456789abcdef")));

  auto honest = StartAgentProcess(coordinator.address(), "eu-1", "eu",
                                  dir_.File("honest"), agent_flags);
  EXPECT_TRUE(WaitFor(
      [&] {
        return honest->Stderr().find("connected to coordinator") !=
               std::string::npos;
      },
      absl::Seconds(20)))
      << honest->Stderr();
}

TEST_F(LinkAuthTest, PlaintextNeedsAnExplicitFlagOnBothSides) {
  // The coordinator refuses to start without TLS or --insecure.
  auto r =
      RunCommand({BuildPath("coordinator/propwatch-coordinator"), "--listen",
                  "127.0.0.1:0", "--data-dir", dir_.File("db")},
                 absl::Seconds(20));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--insecure"));
  // A TLS agent cannot talk to a plaintext coordinator: it keeps retrying
  // rather than silently downgrading.
  CoordinatorProcess plaintext;
  auto agent = StartAgentProcess(plaintext.address(), "eu-1", "eu",
                                 dir_.File("agent"), AgentTls("eu-1"));
  absl::SleepFor(absl::Seconds(2));
  EXPECT_THAT(agent->Stderr(), ::testing::Not(HasSubstr("connected to")));
  EXPECT_THAT(agent->Stderr(), HasSubstr("reconnecting"));
}

}  // namespace
}  // namespace propwatch::testing
