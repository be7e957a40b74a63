// Issue 15, end to end: RunProbes against a real coordinator goes through
// the target policy and spec rules of verifications, and refuses with the
// text CreateVerification gives for the same target (after the field path).
// No agent is connected: a request that passes every check ends with
// FAILED_PRECONDITION ("no connected agent matches"), so nothing is probed.
#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/control.grpc.pb.h"
#include "tests/agent/link/link_test_util.h"
#include "tests/testing/coordinator_process.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;

// The message after "<field path>: ".
std::string AfterPath(const grpc::Status& s) {
  const std::string& m = s.error_message();
  const size_t colon = m.find(": ");
  return colon == std::string::npos ? m : m.substr(colon + 2);
}

v1::RunProbesRequest HttpProbe(const std::string& url,
                               const std::string& pinned_ip) {
  v1::RunProbesRequest r;
  v1::HttpProbeSpec& probe = *r.add_http();
  probe.set_url(url);
  probe.set_pinned_ip(pinned_ip);
  return r;
}

v1::RunProbesRequest DnsProbe(const std::string& hostname,
                              const std::string& resolver) {
  v1::RunProbesRequest r;
  v1::DnsProbeSpec& probe = *r.add_dns();
  probe.set_hostname(hostname);
  if (!resolver.empty()) probe.mutable_resolver()->set_address(resolver);
  return r;
}

v1::CreateVerificationRequest Verification(const std::string& hostname) {
  v1::CreateVerificationRequest r;
  r.mutable_spec()->add_hostnames(hostname);
  return r;
}

class RunProbesTest : public ::testing::Test {
 protected:
  // The allowlist of a production coordinator, no private targets.
  RunProbesTest()
      : coordinator_({"--allow-target", "*.example.test"}),
        control_(PlaintextControl(coordinator_.address())) {}

  grpc::Status RunProbes(const v1::RunProbesRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::RunProbesResponse response;
    return control_->RunProbes(&context, request, &response);
  }

  grpc::Status Create(const v1::CreateVerificationRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::Verification response;
    return control_->CreateVerification(&context, request, &response);
  }

  CoordinatorProcess coordinator_;
  std::unique_ptr<v1::ControlService::Stub> control_;
};

TEST_F(RunProbesTest, HostOutsideTheAllowlistIsRefusedAsForVerifications) {
  const grpc::Status verification = Create(Verification("db.internal.corp"));
  ASSERT_EQ(verification.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(verification.error_message(),
            "spec.hostnames[0]: hostname 'db.internal.corp' is not in the "
            "coordinator's target allowlist (*.example.test); add it with "
            "--allow-target");

  const grpc::Status http =
      RunProbes(HttpProbe("http://db.internal.corp/admin", "93.184.216.34"));
  EXPECT_EQ(http.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StartsWith(http.error_message(), "http[0].url: "))
      << http.error_message();
  EXPECT_EQ(AfterPath(http), AfterPath(verification));

  // Case and the trailing dot do not get a name past the allowlist.
  const grpc::Status dns = RunProbes(DnsProbe("DB.Internal.Corp.", ""));
  EXPECT_EQ(dns.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StartsWith(dns.error_message(), "dns[0].hostname: "))
      << dns.error_message();
  EXPECT_EQ(AfterPath(dns), AfterPath(verification));
}

TEST_F(RunProbesTest, LoopbackResolverIsRefusedAsForVerifications) {
  v1::CreateVerificationRequest request = Verification("www.example.test");
  request.mutable_spec()->add_resolvers()->set_address("127.0.0.1:53");
  const grpc::Status verification = Create(request);
  ASSERT_EQ(verification.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(verification.error_message(),
            "spec.resolvers[0].address: 127.0.0.1 is loopback in "
            "127.0.0.0/8; refused unless the coordinator runs with "
            "--allow-private-targets");

  // The case: an allowlisted-looking name through a loopback
  // resolver, and a name outside the allowlist through it.
  const grpc::Status probe =
      RunProbes(DnsProbe("www.example.test", "127.0.0.1:53"));
  EXPECT_EQ(probe.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      absl::StartsWith(probe.error_message(), "dns[0].resolver.address: "))
      << probe.error_message();
  EXPECT_EQ(AfterPath(probe), AfterPath(verification));
  EXPECT_EQ(
      RunProbes(DnsProbe("db.internal.corp", "127.0.0.1:53")).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RunProbesTest, PinnedIpIsCheckedAsExplicitIps) {
  v1::CreateVerificationRequest request = Verification("www.example.test");
  request.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
  request.mutable_spec()->add_explicit_ips("169.254.169.254");
  const grpc::Status verification = Create(request);
  ASSERT_EQ(verification.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status probe =
      RunProbes(HttpProbe("http://www.example.test/", "169.254.169.254"));
  EXPECT_EQ(probe.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StartsWith(probe.error_message(), "http[0].pinned_ip: "))
      << probe.error_message();
  EXPECT_EQ(AfterPath(probe), AfterPath(verification));
}

TEST_F(RunProbesTest, OnlyWhatAVerificationSends) {
  v1::RunProbesRequest request =
      HttpProbe("https://www.example.test/", "93.184.216.34");
  request.mutable_http(0)->set_method("DELETE");
  grpc::Status s = RunProbes(request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "http[0].method: 'DELETE' is not allowed; probes send GET (the "
            "default) or HEAD, as verifications do");

  request.mutable_http(0)->set_method("HEAD");
  request.mutable_http(0)->add_headers("Host: db.internal.corp");
  s = RunProbes(request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("http[0].headers[0]: extra request headers are not "
                        "allowed"));
}

TEST_F(RunProbesTest, AllowedProbesPassEveryCheck) {
  v1::RunProbesRequest request =
      HttpProbe("https://www.example.test/signin", "93.184.216.34");
  request.mutable_http(0)->set_method("GET");
  *request.add_dns() = DnsProbe("www.example.test", "9.9.9.9:53").dns(0);
  request.add_dns()->set_hostname("WWW.Example.Test.");
  const grpc::Status s = RunProbes(request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("no connected agent"));
}

TEST(RunProbesPrivateTargetsTest, AllowedWithAllowPrivateTargets) {
  CoordinatorProcess coordinator(
      {"--allow-target", "*.example.test", "--allow-private-targets"});
  auto control = PlaintextControl(coordinator.address());
  v1::RunProbesRequest request = DnsProbe("www.example.test", "127.0.0.1:53");
  *request.add_http() =
      HttpProbe("http://www.example.test/", "127.0.0.1").http(0);
  grpc::ClientContext context;
  v1::RunProbesResponse response;
  const grpc::Status s = control->RunProbes(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  // The allowlist still holds.
  grpc::ClientContext context2;
  const grpc::Status outside = control->RunProbes(
      &context2, DnsProbe("db.internal.corp", "127.0.0.1:53"), &response);
  EXPECT_EQ(outside.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace propwatch::testing
