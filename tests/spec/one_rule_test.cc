// propwatchctl's library and the coordinator's in one binary: with two
// copies of the spec rules (two propwatch::IsValidHostname, one accepting a
// trailing dot) this binary did not link. Both now run spec/'s one rule.
#include "cli/commands/verify_command.h"
#include "cli/spec_check.h"
#include "coordinator/engine/url_parts.h"
#include "coordinator/verify/spec_validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/field_rules.h"

namespace propwatch {
namespace {

v1::CreateVerificationRequest WithHostname(const std::string& hostname) {
  v1::CreateVerificationRequest r;
  r.mutable_spec()->add_hostnames(hostname);
  return r;
}

// The trailing-dot question, decided once: "www.example.com." names the
// same node as "www.example.com" (RFC 1034 3.1), so both sides accept it
// and the coordinator stores the canonical spelling the engine compares.
TEST(OneRuleTest, TrailingDotAcceptedEverywhereAndCanonicalised) {
  for (const std::string host : {"www.example.com.", "WWW.Example.COM."}) {
    EXPECT_EQ(CheckVerificationRequest(WithHostname(host)), std::nullopt)
        << host;
    VerifyFlags flags;
    flags.hosts = {host};
    EXPECT_TRUE(BuildVerifyRequest(flags, {}).ok()) << host;
    auto v = ValidateVerificationRequest(
        WithHostname(host), TargetPolicy({"*.example.com"}, false));
    ASSERT_TRUE(v.ok()) << host << ": " << v.status();
    EXPECT_THAT(v->spec().hostnames(),
                ::testing::ElementsAre("www.example.com"));
  }
  // Only one dot: "x.." is an empty label on either side.
  const std::string two_dots = "www.example.com..";
  auto cli = CheckVerificationRequest(WithHostname(two_dots));
  ASSERT_TRUE(cli.has_value());
  auto coordinator = ValidateVerificationRequest(WithHostname(two_dots),
                                                 TargetPolicy({}, true));
  EXPECT_EQ(coordinator.status(), spec::ToStatus(*cli));
}

// The coordinator's canonical hostnames are the engine's: results are
// matched to spec hostnames by NormalizeHostname.
TEST(OneRuleTest, CanonicalHostnameIsTheEnginesNormalizeHostname) {
  for (const char* host :
       {"www.example.com", "WWW.Example.com.", "_dmarc.EXAMPLE.org.",
        "a-b.c.example", "x.example.", "xn--bcher-kva.example"}) {
    EXPECT_EQ(spec::CanonicalHostname(host), NormalizeHostname(host)) << host;
    EXPECT_TRUE(IsNormalizedHostname(spec::CanonicalHostname(host))) << host;
  }
}

}  // namespace
}  // namespace propwatch
