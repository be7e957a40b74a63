#include "coordinator/verify/spec_validation.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/time_convert.h"
#include "gtest/gtest.h"
#include "spec/field_rules.h"

namespace propwatch {
namespace {

v1::CreateVerificationRequest Minimal() {
  v1::CreateVerificationRequest r;
  r.mutable_spec()->add_hostnames("WWW.Example.com.");
  return r;
}

TEST(SpecValidationTest, FillsDocumentedDefaults) {
  auto v = ValidateVerificationRequest(Minimal(), TargetPolicy({}, false));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->spec().hostnames(0), "www.example.com");
  EXPECT_EQ(v->spec().scheme(), "https");
  EXPECT_EQ(v->spec().paths(0), "/");
  EXPECT_EQ(v->spec().record_types_size(), 3);
  EXPECT_TRUE(v->spec().resolvers(0).has_system());
  EXPECT_EQ(FromProtoDuration(v->schedule().round_interval()),
            absl::Seconds(10));
  EXPECT_EQ(FromProtoDuration(v->schedule().deadline()), absl::Minutes(10));
  EXPECT_EQ(FromProtoDuration(v->schedule().phase_timeout()), absl::Seconds(5));
  EXPECT_EQ(v->schedule().stable_rounds(), 2u);
}

TEST(SpecValidationTest, ErrorsNameTheFieldAndTheProblem) {
  struct Case {
    std::function<void(v1::CreateVerificationRequest&)> mutate;
    absl::StatusCode code;
    std::string says;
  } cases[] = {
      {[](auto& r) { r.mutable_spec()->clear_hostnames(); },
       absl::StatusCode::kInvalidArgument, "spec.hostnames"},
      {[](auto& r) { r.mutable_spec()->set_hostnames(0, "bad..name"); },
       absl::StatusCode::kInvalidArgument,
       "'bad..name' is not a valid hostname"},
      {[](auto& r) { r.mutable_spec()->set_scheme("ftp"); },
       absl::StatusCode::kInvalidArgument, "spec.scheme"},
      {[](auto& r) { r.mutable_spec()->add_paths("signin"); },
       absl::StatusCode::kInvalidArgument, "must start with /"},
      {[](auto& r) { r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT); },
       absl::StatusCode::kInvalidArgument, "spec.explicit_ips"},
      {[](auto& r) {
         r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
         r.mutable_spec()->add_explicit_ips("10.0.0.1");
       },
       absl::StatusCode::kPermissionDenied, "--allow-private-targets"},
      {[](auto& r) {
         r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
         r.mutable_spec()->add_explicit_ips("nope");
       },
       absl::StatusCode::kInvalidArgument, "'nope' is not an IPv4"},
      {[](auto& r) {
         *r.mutable_schedule()->mutable_round_interval() =
             ToProtoDuration(absl::Seconds(30));
         *r.mutable_schedule()->mutable_deadline() =
             ToProtoDuration(absl::Seconds(10));
       },
       absl::StatusCode::kInvalidArgument,
       "schedule.deadline: deadline 10s is shorter than the round interval "
       "30s"},
      {[](auto& r) {
         *r.mutable_schedule()->mutable_round_interval() =
             ToProtoDuration(absl::Milliseconds(10));
       },
       absl::StatusCode::kInvalidArgument, "schedule.round_interval"},
      {[](auto& r) { r.mutable_selector()->add_regions(""); },
       absl::StatusCode::kInvalidArgument, "selector.regions"},
      {[](auto& r) { r.mutable_spec()->add_resolvers(); },
       absl::StatusCode::kInvalidArgument, "spec.resolvers"},
  };
  for (const Case& c : cases) {
    v1::CreateVerificationRequest r = Minimal();
    c.mutate(r);
    auto v = ValidateVerificationRequest(r, TargetPolicy({}, false));
    EXPECT_EQ(v.status().code(), c.code) << c.says << ": " << v.status();
    EXPECT_NE(v.status().message().find(c.says), absl::string_view::npos)
        << v.status();
  }
}

TEST(SpecValidationTest, AllowlistAppliesToHostnames) {
  auto v = ValidateVerificationRequest(Minimal(),
                                       TargetPolicy({"*.example.org"}, false));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
}

v1::CreateVerificationRequest WithResolvers(
    std::vector<std::string> addresses) {
  v1::CreateVerificationRequest r = Minimal();
  r.mutable_spec()->add_resolvers()->mutable_system();
  for (const std::string& a : addresses) {
    r.mutable_spec()->add_resolvers()->set_address(a);
  }
  return r;
}

TEST(SpecValidationTest, ResolverAddressesPassTheTargetPolicy) {
  struct Case {
    std::string address;
    absl::StatusCode code;
    std::string says;
  } cases[] = {
      {"169.254.169.254", absl::StatusCode::kPermissionDenied,
       "spec.resolvers[1].address: 169.254.169.254 is link-local (cloud "
       "metadata) in 169.254.0.0/16; refused unless the coordinator runs "
       "with --allow-private-targets"},
      {"169.254.169.254:53", absl::StatusCode::kPermissionDenied,
       "spec.resolvers[1].address: 169.254.169.254 is link-local"},
      {"127.0.0.1:5353", absl::StatusCode::kPermissionDenied,
       "spec.resolvers[1].address: 127.0.0.1 is loopback in 127.0.0.0/8"},
      {"10.0.0.2", absl::StatusCode::kPermissionDenied, "10.0.0.0/8"},
      {"[::1]:53", absl::StatusCode::kPermissionDenied, "::1/128"},
      {"::1", absl::StatusCode::kPermissionDenied, "::1/128"},
      {"[fd00::53]:5353", absl::StatusCode::kPermissionDenied, "fc00::/7"},
      {"[::ffff:169.254.169.254]", absl::StatusCode::kPermissionDenied,
       "IPv4-mapped"},
      {"[64:ff9b::a9fe:a9fe]:53", absl::StatusCode::kPermissionDenied, "NAT64"},
      {"[2002:7f00:1::1]", absl::StatusCode::kPermissionDenied, "6to4"},
      {"[2001::1]", absl::StatusCode::kPermissionDenied, "Teredo"},
      {"198.18.0.1", absl::StatusCode::kPermissionDenied, "198.18.0.0/15"},
      {"192.0.0.8", absl::StatusCode::kPermissionDenied, "192.0.0.0/24"},
      {"100.64.0.1", absl::StatusCode::kPermissionDenied, "100.64.0.0/10"},
      {"resolver.internal", absl::StatusCode::kInvalidArgument,
       "spec.resolvers[1].address: 'resolver.internal' is not ip or ip:port "
       "([v6]:port for IPv6, port 1-65535)"},
      {"8.8.8.8:0", absl::StatusCode::kInvalidArgument,
       "spec.resolvers[1].address"},
      {"8.8.8.8:99999", absl::StatusCode::kInvalidArgument,
       "spec.resolvers[1].address"},
      {"", absl::StatusCode::kInvalidArgument, "spec.resolvers[1].address"},
  };
  for (const Case& c : cases) {
    auto v = ValidateVerificationRequest(WithResolvers({c.address}),
                                         TargetPolicy({}, false));
    EXPECT_EQ(v.status().code(), c.code) << c.address << ": " << v.status();
    EXPECT_NE(v.status().message().find(c.says), absl::string_view::npos)
        << c.address << ": " << v.status();
  }
}

TEST(SpecValidationTest, ResolverFieldPathNamesTheIndex) {
  auto v = ValidateVerificationRequest(
      WithResolvers({"8.8.8.8", "[2606:4700:4700::1111]:53", "127.0.0.53"}),
      TargetPolicy({}, false));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StartsWith(v.status().message(),
                               "spec.resolvers[3].address: 127.0.0.53 "))
      << v.status();
}

TEST(SpecValidationTest, AuthoritativeBootstrapPassesTheTargetPolicy) {
  v1::CreateVerificationRequest r = Minimal();
  r.mutable_spec()->add_resolvers()->mutable_authoritative()->set_bootstrap(
      "169.254.169.254");
  auto v = ValidateVerificationRequest(r, TargetPolicy({}, false));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StartsWith(
      v.status().message(),
      "spec.resolvers[0].authoritative.bootstrap: 169.254.169.254 is "
      "link-local"))
      << v.status();
  // No bootstrap: the agent's system resolvers, nothing to check.
  r.mutable_spec()
      ->mutable_resolvers(0)
      ->mutable_authoritative()
      ->clear_bootstrap();
  EXPECT_TRUE(ValidateVerificationRequest(r, TargetPolicy({}, false)).ok());
}

TEST(SpecValidationTest, PublicAndAllowedResolvers) {
  auto v = ValidateVerificationRequest(
      WithResolvers({"8.8.8.8", "1.1.1.1:53", "[2606:4700:4700::1111]:53",
                     "2001:4860:4860::8888"}),
      TargetPolicy({}, false));
  EXPECT_TRUE(v.ok()) << v.status();
  // Labs run their resolvers on loopback with --allow-private-targets.
  v = ValidateVerificationRequest(
      WithResolvers(
          {"127.0.0.1:5353", "169.254.169.254", "[::1]:53", "203.0.113.53"}),
      TargetPolicy({}, true));
  EXPECT_TRUE(v.ok()) << v.status();
  // Even then the address must be an IP literal.
  v = ValidateVerificationRequest(WithResolvers({"localhost:53"}),
                                  TargetPolicy({}, true));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SpecValidationTest, CheckResolverForOtherCallers) {
  v1::ResolverSpec r;
  r.set_address("[::ffff:127.0.0.1]:5353");
  absl::Status s = CheckResolver(r, "dns[2].resolver", TargetPolicy({}, false));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StartsWith(s.message(), "dns[2].resolver.address: ")) << s;
  EXPECT_TRUE(CheckResolver(r, "x", TargetPolicy({}, true)).ok());
  r.mutable_system();
  EXPECT_TRUE(CheckResolver(r, "x", TargetPolicy({}, false)).ok());
  EXPECT_EQ(
      CheckResolver(v1::ResolverSpec(), "x", TargetPolicy({}, false)).code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(SpecValidationTest, Hostnames) {
  EXPECT_TRUE(spec::IsValidHostname("www.example.com"));
  EXPECT_TRUE(spec::IsValidHostname("_dmarc.example.com"));
  EXPECT_FALSE(spec::IsValidHostname("localhost"));
  EXPECT_FALSE(spec::IsValidHostname("-a.example.com"));
  EXPECT_FALSE(spec::IsValidHostname("a b.example.com"));
  EXPECT_FALSE(spec::IsValidHostname(std::string(64, 'a') + ".com"));
}

TEST(SpecValidationTest, PolicyRefusalsNameTheField) {
  const TargetPolicy policy({"*.example.com"}, false);
  v1::CreateVerificationRequest r = Minimal();
  r.mutable_spec()->set_hostnames(0, "db.internal.corp");
  EXPECT_EQ(ValidateVerificationRequest(r, policy).status(),
            absl::PermissionDeniedError(
                "spec.hostnames[0]: hostname 'db.internal.corp' is not in the "
                "coordinator's target allowlist (*.example.com); add it with "
                "--allow-target"));
  r = Minimal();
  r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
  r.mutable_spec()->add_explicit_ips("10.0.0.1");
  EXPECT_EQ(ValidateVerificationRequest(r, policy).status(),
            absl::PermissionDeniedError(
                "spec.explicit_ips[0]: 10.0.0.1 is private (RFC 1918) in "
                "10.0.0.0/8; refused unless the coordinator runs with "
                "--allow-private-targets"));
}

v1::RunProbesRequest OneHttpProbe(const std::string& url,
                                  const std::string& pinned_ip) {
  v1::RunProbesRequest r;
  v1::HttpProbeSpec& probe = *r.add_http();
  probe.set_url(url);
  probe.set_pinned_ip(pinned_ip);
  return r;
}

// Issue 15: ad-hoc probes go through the spec rules and the target policy
// of verifications; the text after the field path is a verification's.
TEST(SpecValidationTest, RunProbesFollowsTheVerificationRules) {
  const TargetPolicy policy({"*.example.com"}, false);
  auto after_path = [](const absl::Status& s) {
    const std::string message(s.message());
    return message.substr(message.find(": ") + 2);
  };
  v1::CreateVerificationRequest verification = Minimal();
  verification.mutable_spec()->set_hostnames(0, "db.internal.corp");
  const absl::Status refused_host =
      ValidateVerificationRequest(verification, policy).status();
  ASSERT_EQ(refused_host.code(), absl::StatusCode::kPermissionDenied);

  absl::Status s = ValidateRunProbesRequest(
      OneHttpProbe("http://db.internal.corp/", "93.184.216.34"), policy);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StartsWith(s.message(), "http[0].url: ")) << s;
  EXPECT_EQ(after_path(s), after_path(refused_host));

  v1::RunProbesRequest dns;
  dns.add_dns()->set_hostname("DB.internal.corp.");
  s = ValidateRunProbesRequest(dns, policy);
  EXPECT_TRUE(absl::StartsWith(s.message(), "dns[0].hostname: ")) << s;
  EXPECT_EQ(after_path(s), after_path(refused_host));

  verification = WithResolvers({"127.0.0.1:53"});
  const absl::Status refused_resolver =
      ValidateVerificationRequest(verification, policy).status();
  dns.mutable_dns(0)->set_hostname("www.example.com");
  dns.mutable_dns(0)->mutable_resolver()->set_address("127.0.0.1:53");
  s = ValidateRunProbesRequest(dns, policy);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StartsWith(s.message(), "dns[0].resolver.address: ")) << s;
  EXPECT_EQ(after_path(s), after_path(refused_resolver));
  EXPECT_TRUE(ValidateRunProbesRequest(dns, TargetPolicy({}, true)).ok());

  s = ValidateRunProbesRequest(
      OneHttpProbe("https://www.example.com/", "127.0.0.1"), policy);
  EXPECT_EQ(s, absl::PermissionDeniedError(
                   "http[0].pinned_ip: 127.0.0.1 is loopback in 127.0.0.0/8; "
                   "refused unless the coordinator runs with "
                   "--allow-private-targets"));

  v1::RunProbesRequest del =
      OneHttpProbe("https://www.example.com/", "93.184.216.34");
  del.mutable_http(0)->set_method("DELETE");
  s = ValidateRunProbesRequest(del, policy);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "http[0].method: 'DELETE'")) << s;

  EXPECT_TRUE(
      ValidateRunProbesRequest(
          OneHttpProbe("https://www.example.com/", "93.184.216.34"), policy)
          .ok());
}

}  // namespace
}  // namespace propwatch
