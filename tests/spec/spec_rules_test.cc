// The spec rules alone, with a TargetRules that records what it is asked
// and refuses what a test tells it to.
#include "spec/spec_rules.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/field_rules.h"
#include "spec/probe_rules.h"

namespace propwatch::spec {
namespace {

using ::testing::ElementsAre;

class RecordingRules : public TargetRules {
 public:
  explicit RecordingRules(std::set<std::string> refused = {})
      : refused_(std::move(refused)) {}

  absl::Status CheckHostname(absl::string_view hostname) const override {
    return Record("host", hostname);
  }
  absl::Status CheckAddress(absl::string_view ip) const override {
    return Record("ip", ip);
  }
  const std::vector<std::string>& calls() const { return calls_; }

 private:
  absl::Status Record(absl::string_view kind, absl::string_view what) const {
    calls_.push_back(absl::StrCat(kind, " ", what));
    if (refused_.count(std::string(what)) == 0) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat(what, " is refused"));
  }

  std::set<std::string> refused_;
  mutable std::vector<std::string> calls_;
};

TEST(SpecRulesTest, Hostnames) {
  EXPECT_TRUE(IsValidHostname("www.example.com"));
  EXPECT_TRUE(IsValidHostname("_dmarc.example.com"));
  EXPECT_TRUE(IsValidHostname("WWW.Example.COM"));
  EXPECT_TRUE(IsValidHostname("a-b.c1.example"));
  EXPECT_TRUE(IsValidHostname(std::string(63, 'a') + ".example.com"));
  // One trailing dot: the same node (RFC 1034 3.1); accepted everywhere and
  // canonicalised by the coordinator.
  EXPECT_TRUE(IsValidHostname("www.example.com."));
  EXPECT_FALSE(IsValidHostname("www.example.com.."));
  EXPECT_FALSE(IsValidHostname("."));
  EXPECT_FALSE(IsValidHostname(""));
  EXPECT_FALSE(IsValidHostname("localhost"));
  EXPECT_FALSE(IsValidHostname("localhost."));
  EXPECT_FALSE(IsValidHostname("-a.example.com"));
  EXPECT_FALSE(IsValidHostname("a-.example.com"));
  EXPECT_FALSE(IsValidHostname("a..example.com"));
  EXPECT_FALSE(IsValidHostname(".example.com"));
  EXPECT_FALSE(IsValidHostname("a b.example.com"));
  EXPECT_FALSE(IsValidHostname("user@example.com"));
  EXPECT_FALSE(IsValidHostname("example.com:80"));
  EXPECT_FALSE(IsValidHostname("[::1]"));
  EXPECT_FALSE(IsValidHostname(std::string(64, 'a') + ".example.com"));
  std::string long_name;
  while (long_name.size() < 251) long_name += "abcdefghi.";  // 260
  EXPECT_FALSE(IsValidHostname(long_name + "com"));

  EXPECT_EQ(CanonicalHostname("WWW.Example.com."), "www.example.com");
  EXPECT_EQ(CanonicalHostname("www.example.com"), "www.example.com");
}

v1::CreateVerificationRequest Request() {
  v1::CreateVerificationRequest r;
  r.mutable_spec()->add_hostnames("WWW.Example.com.");
  r.mutable_spec()->add_hostnames("api.example.com");
  r.mutable_spec()->add_resolvers()->mutable_system();
  r.mutable_spec()->add_resolvers()->set_address("[2001:4860::8888]:53");
  r.mutable_spec()->add_resolvers()->mutable_authoritative()->set_bootstrap(
      "9.9.9.9");
  r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
  r.mutable_spec()->add_explicit_ips("93.184.216.34");
  return r;
}

TEST(SpecRulesTest, TargetRulesSeeEveryTargetCanonicalInOrder) {
  RecordingRules rules;
  EXPECT_EQ(FindProblem(Request(), rules), std::nullopt);
  EXPECT_THAT(
      rules.calls(),
      ElementsAre("host www.example.com", "host api.example.com",
                  "ip 2001:4860::8888", "ip 9.9.9.9", "ip 93.184.216.34"));
}

TEST(SpecRulesTest, RefusalsKeepTheirCodeAndGetTheFieldPath) {
  struct Case {
    std::string refused;
    std::string path;
  } cases[] = {
      {"api.example.com", "spec.hostnames[1]"},
      {"2001:4860::8888", "spec.resolvers[1].address"},
      {"9.9.9.9", "spec.resolvers[2].authoritative.bootstrap"},
      {"93.184.216.34", "spec.explicit_ips[0]"},
  };
  for (const Case& c : cases) {
    RecordingRules rules({c.refused});
    auto p = FindProblem(Request(), rules);
    ASSERT_TRUE(p.has_value()) << c.refused;
    EXPECT_EQ(p->path, c.path);
    EXPECT_EQ(p->message, c.refused + " is refused");
    EXPECT_EQ(p->code, absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(ToStatus(*p), absl::PermissionDeniedError(absl::StrCat(
                                c.path, ": ", c.refused, " is refused")));
  }
}

TEST(SpecRulesTest, SyntaxComesBeforeTheTargetRules) {
  v1::CreateVerificationRequest r = Request();
  r.mutable_spec()->set_hostnames(1, "bad..example.com");
  RecordingRules rules;
  auto p = FindProblem(r, rules);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->path, "spec.hostnames[1]");
  EXPECT_EQ(p->code, absl::StatusCode::kInvalidArgument);
  // The bad name never reached the policy.
  EXPECT_THAT(rules.calls(), ElementsAre("host www.example.com"));
}

TEST(SpecRulesTest, ScheduleRulesJudgeTheDefaultsToo) {
  v1::CreateVerificationRequest r = Request();
  *r.mutable_schedule()->mutable_round_interval() =
      ToProtoDuration(absl::Minutes(30));
  auto p = FindProblem(r, NoTargetRules());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->path, "schedule.deadline");
  EXPECT_EQ(p->message,
            "deadline 10m (the default) is shorter than the round interval "
            "30m");
  *r.mutable_schedule()->mutable_deadline() = ToProtoDuration(absl::Hours(1));
  EXPECT_EQ(FindProblem(r, NoTargetRules()), std::nullopt);
}

TEST(SpecRulesTest, WithDefaults) {
  v1::CreateVerificationRequest r;
  r.mutable_spec()->add_hostnames("WWW.Example.com.");
  r = WithDefaults(r);
  EXPECT_THAT(r.spec().hostnames(), ElementsAre("www.example.com"));
  EXPECT_EQ(r.spec().scheme(), "https");
  EXPECT_THAT(r.spec().paths(), ElementsAre("/"));
  EXPECT_THAT(r.spec().record_types(),
              ElementsAre(v1::RECORD_TYPE_A, v1::RECORD_TYPE_AAAA,
                          v1::RECORD_TYPE_CNAME));
  ASSERT_EQ(r.spec().resolvers_size(), 1);
  EXPECT_TRUE(r.spec().resolvers(0).has_system());
  EXPECT_EQ(FromProtoDuration(r.schedule().round_interval()),
            absl::Seconds(10));
  EXPECT_EQ(FromProtoDuration(r.schedule().deadline()), absl::Minutes(10));
  EXPECT_EQ(FromProtoDuration(r.schedule().phase_timeout()), absl::Seconds(5));
  EXPECT_EQ(r.schedule().stable_rounds(), 2u);
}

v1::HttpProbeSpec Http(std::string url) {
  v1::HttpProbeSpec probe;
  probe.set_url(std::move(url));
  probe.set_pinned_ip("93.184.216.34");
  return probe;
}

TEST(ProbeRulesTest, UrlsAreSplitLikeASpec) {
  struct Case {
    std::string url;
    std::string message;  // empty: accepted
  } cases[] = {
      {"https://www.example.com/signin?x=1", ""},
      {"http://WWW.Example.com.:8080/", ""},
      {"https://www.example.com", ""},
      {"www.example.com/",
       "'www.example.com/' is not an absolute http:// or https:// URL"},
      {"ftp://www.example.com/", "'ftp' is not http or https"},
      {"HTTP://www.example.com/", "'HTTP' is not http or https"},
      {"http://user@www.example.com/", "'user@www.example.com' is not a valid"},
      {"http://www.example.com\\@evil.example/",
       "'www.example.com\\@evil.example' is not a valid"},
      {"http://[::1]:80/", "'[::1]' is not a valid hostname"},
      {"http://[::1]/", "'[::1]' is not a valid hostname"},
      {"http://localhost/", "'localhost' is not a valid hostname"},
      {"http://www.example.com:0/", "port '0' must be 1-65535"},
      {"http://www.example.com:65536/", "port '65536' must be 1-65535"},
      {"http://www.example.com:+80/", "port '+80' must be 1-65535"},
      {"http://www.example.com:/", "port '' must be 1-65535"},
      {"http://www.example.com?x", "'?x' must start with /"},
      {"http://www.example.com/a b", "'/a b' must start with / and contain"},
      {"http://www.example.com/a\r\nX-Evil: 1",
       "must start with / and contain no spaces"},
  };
  for (const Case& c : cases) {
    RecordingRules rules;
    auto p = CheckHttpProbe(Http(c.url), "http[0]", rules);
    if (c.message.empty()) {
      EXPECT_EQ(p, std::nullopt) << c.url << ": " << p->message;
      continue;
    }
    ASSERT_TRUE(p.has_value()) << c.url;
    EXPECT_EQ(p->path, "http[0].url") << c.url;
    EXPECT_THAT(p->message, ::testing::HasSubstr(c.message)) << c.url;
  }
  RecordingRules rules;
  EXPECT_EQ(
      CheckHttpProbe(Http("http://WWW.Example.com.:8080/"), "http[3]", rules),
      std::nullopt);
  EXPECT_THAT(rules.calls(),
              ElementsAre("host www.example.com", "ip 93.184.216.34"));
}

TEST(ProbeRulesTest, ProbesSendWhatVerificationsSend) {
  struct Case {
    std::function<void(v1::HttpProbeSpec&)> edit;
    std::string path;  // empty: accepted
    std::string message;
  } cases[] = {
      {[](auto&) {}, "", ""},
      {[](auto& p) { p.set_method("GET"); }, "", ""},
      {[](auto& p) { p.set_method("HEAD"); }, "", ""},
      {[](auto& p) { p.set_method("DELETE"); }, "http[0].method",
       "'DELETE' is not allowed; probes send GET (the default) or HEAD, as "
       "verifications do"},
      {[](auto& p) { p.set_method("get"); }, "http[0].method",
       "'get' is not allowed"},
      {[](auto& p) { p.set_method("POST"); }, "http[0].method",
       "'POST' is not allowed"},
      {[](auto& p) { p.add_headers("Host: db.internal.corp"); },
       "http[0].headers[0]", "extra request headers are not allowed"},
      {[](auto& p) { p.add_headers("X-Probe: 1"); }, "http[0].headers[0]",
       "extra request headers are not allowed"},
      {[](auto& p) { p.set_ca_bundle("/etc/shadow"); }, "http[0].ca_bundle",
       "not allowed in ad-hoc probes"},
      {[](auto& p) { p.clear_pinned_ip(); }, "http[0].pinned_ip",
       "give the IP to connect to"},
      {[](auto& p) { p.set_pinned_ip("www.example.com"); }, "http[0].pinned_ip",
       "'www.example.com' is not an IPv4 or IPv6 address"},
      {[](auto& p) { p.set_port(70000); }, "http[0].port", "must be 1-65535"},
      {[](auto& p) { p.mutable_expect()->add_status_in(99); },
       "http[0].expect.status_in[0]", "99 is not an HTTP status (100-599)"},
      {[](auto& p) { p.mutable_expect()->set_body_sha256("ABC"); },
       "http[0].expect.body_sha256", "must be 64 lowercase hex digits"},
  };
  for (const Case& c : cases) {
    v1::HttpProbeSpec probe = Http("https://www.example.com/");
    c.edit(probe);
    auto p = CheckHttpProbe(probe, "http[0]", NoTargetRules());
    if (c.path.empty()) {
      EXPECT_EQ(p, std::nullopt) << p->path << ": " << p->message;
      continue;
    }
    ASSERT_TRUE(p.has_value()) << c.path;
    EXPECT_EQ(p->path, c.path);
    EXPECT_THAT(p->message, ::testing::HasSubstr(c.message));
  }
}

TEST(ProbeRulesTest, DnsProbes) {
  v1::RunProbesRequest request;
  v1::DnsProbeSpec& dns = *request.add_dns();
  dns.set_hostname("WWW.Example.com.");
  RecordingRules rules;
  EXPECT_EQ(FindProblem(request, rules), std::nullopt);
  dns.mutable_resolver()->set_address("127.0.0.1:5353");
  dns.mutable_expect()->add_addresses_within("192.0.2.0/24");
  EXPECT_EQ(FindProblem(request, rules), std::nullopt);
  EXPECT_THAT(rules.calls(),
              ElementsAre("host www.example.com", "host www.example.com",
                          "ip 127.0.0.1"));

  RecordingRules refusing({"127.0.0.1"});
  auto p = FindProblem(request, refusing);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->path, "dns[0].resolver.address");
  EXPECT_EQ(p->code, absl::StatusCode::kPermissionDenied);

  dns.mutable_resolver()->Clear();  // set, but none of the three
  p = FindProblem(request, NoTargetRules());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->path, "dns[0].resolver");
  EXPECT_EQ(p->message, "give one of system, address or authoritative");

  dns.clear_resolver();
  dns.set_hostname("db");
  p = FindProblem(request, NoTargetRules());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->path, "dns[0].hostname");

  dns.set_hostname("www.example.com");
  dns.mutable_expect()->set_cname_target("bad..target");
  p = FindProblem(request, NoTargetRules());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->path, "dns[0].expect.cname_target");
}

}  // namespace
}  // namespace propwatch::spec
