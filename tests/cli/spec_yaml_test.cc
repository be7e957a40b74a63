#include "cli/spec_yaml.h"

#include "absl/strings/match.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/field_rules.h"

namespace propwatch {
namespace {

using ::testing::HasSubstr;

constexpr char kFull[] = R"(# every section of CreateVerificationRequest
spec:
  hostnames: [www.example.com, api.example.com]
  record_types: [A, aaaa]
  resolvers:
    - system
    - 9.9.9.9:53
    - authoritative: {bootstrap: 1.1.1.1, port: 5353}
  scheme: https
  port: 8443
  paths: [/, /signin]
  pin_mode: explicit
  explicit_ips: [192.0.2.10, "2001:db8::1"]
  dns_expect:
    addresses_within: [192.0.2.0/24]
  http_expect:
    status_in: [200, 301]
    header_matches: {x-version: "v2.*"}
    tls_min_days_left: 14
  fingerprint_headers: [x-version]
  fingerprint_body: true
selector:
  regions: [eu-west, us-east]
  labels: {tier: edge}
  min_agents_per_region: 2
schedule:
  round_interval: 10s
  deadline: 2m
  stable_rounds: 3
  phase_timeout: 800ms
source:
  pipeline: deploy-web
  release: v42
  commit: abc123
  description: move www to the new CDN
)";

TEST(SpecYamlTest, ParsesEverySection) {
  auto loaded = ParseSpecYaml(kFull, "spec.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const v1::CreateVerificationRequest& r = loaded->request;
  EXPECT_THAT(r.spec().hostnames(),
              ::testing::ElementsAre("www.example.com", "api.example.com"));
  EXPECT_THAT(r.spec().record_types(),
              ::testing::ElementsAre(v1::RECORD_TYPE_A, v1::RECORD_TYPE_AAAA));
  ASSERT_EQ(r.spec().resolvers_size(), 3);
  EXPECT_TRUE(r.spec().resolvers(0).has_system());
  EXPECT_EQ(r.spec().resolvers(1).address(), "9.9.9.9:53");
  EXPECT_EQ(r.spec().resolvers(2).authoritative().bootstrap(), "1.1.1.1");
  EXPECT_EQ(r.spec().resolvers(2).authoritative().port(), 5353u);
  EXPECT_EQ(r.spec().port(), 8443u);
  EXPECT_EQ(r.spec().pin_mode(), v1::PIN_MODE_EXPLICIT);
  EXPECT_EQ(r.spec().explicit_ips(1), "2001:db8::1");
  EXPECT_EQ(r.spec().dns_expect().addresses_within(0), "192.0.2.0/24");
  EXPECT_THAT(r.spec().http_expect().status_in(),
              ::testing::ElementsAre(200, 301));
  EXPECT_EQ(r.spec().http_expect().header_matches().at("x-version"), "v2.*");
  EXPECT_EQ(r.spec().http_expect().tls_min_days_left(), 14u);
  EXPECT_TRUE(r.spec().fingerprint_body());
  EXPECT_EQ(r.selector().labels().at("tier"), "edge");
  EXPECT_EQ(r.selector().min_agents_per_region(), 2u);
  EXPECT_EQ(FromProtoDuration(r.schedule().round_interval()),
            absl::Seconds(10));
  EXPECT_EQ(FromProtoDuration(r.schedule().deadline()), absl::Minutes(2));
  EXPECT_EQ(FromProtoDuration(r.schedule().phase_timeout()),
            absl::Milliseconds(800));
  EXPECT_EQ(r.schedule().stable_rounds(), 3u);
  EXPECT_EQ(r.source().description(), "move www to the new CDN");
  EXPECT_EQ(loaded->locations.LineOf("spec.paths[1]"), 11);
  EXPECT_EQ(loaded->locations.LineOf("schedule.deadline"), 28);
  // Unrecorded children fall back to their parent's line.
  EXPECT_EQ(loaded->locations.LineOf("spec.http_expect.body_regex"), 16);
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* want;  // substring of the error, with the line
};

class SpecYamlRejectTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(SpecYamlRejectTest, NamesTheLine) {
  auto loaded = ParseSpecYaml(GetParam().yaml, "s.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(loaded.status().message()),
              HasSubstr(GetParam().want));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SpecYamlRejectTest,
    ::testing::Values(
        BadCase{"UnknownTopKey", "spec:\n  hostnames: [a.example]\nschedul:\n",
                "s.yaml:3: unknown key 'schedul' (did you mean 'schedule'?)"},
        BadCase{"UnknownNestedKey",
                "spec:\n  hostnames: [a.example]\n  hostname: x\n",
                "s.yaml:3: unknown key 'hostname' in spec (did you mean "
                "'hostnames'?)"},
        BadCase{"BadHostname",
                "spec:\n  hostnames:\n    - www.example.com\n    - "
                "bad..example\n",
                "s.yaml:4: spec.hostnames[1]: 'bad..example' is not a valid "
                "hostname"},
        BadCase{"NoHostnames", "source:\n  pipeline: x\n",
                "s.yaml: spec.hostnames: give at least one hostname"},
        BadCase{"BadDuration",
                "spec: {hostnames: [a.example]}\nschedule:\n  deadline: 10\n",
                "s.yaml:3: schedule.deadline: '10' is not a positive "
                "duration"},
        BadCase{"BadEnum", "spec:\n  hostnames: [a.example]\n  pin_mode: all\n",
                "s.yaml:3: spec.pin_mode: 'all' is not one of: resolved, "
                "all_observed, explicit"},
        BadCase{"BadRecordType",
                "spec:\n  hostnames: [a.example]\n  record_types: [A, MX]\n",
                "s.yaml:3: spec.record_types[1]: 'MX' is not one of"},
        BadCase{"NotAList", "spec:\n  hostnames: a.example\n",
                "s.yaml:2: spec.hostnames: expected a list"},
        BadCase{"NotANumber",
                "spec:\n  hostnames: [a.example]\n  port: https\n",
                "s.yaml:3: spec.port: 'https' is not a whole number"},
        BadCase{"NegativeNumber",
                "spec:\n  hostnames: [a.example]\n  port: -1\n",
                "s.yaml:3: spec.port: '-1' is not a whole number"},
        BadCase{"BadBool",
                "spec:\n  hostnames: [a.example]\n  fingerprint_body: maybe\n",
                "s.yaml:3: spec.fingerprint_body: 'maybe' is not true or "
                "false"},
        BadCase{"DuplicateKey",
                "spec:\n  hostnames: [a.example]\n  port: 1\n  port: 2\n",
                "s.yaml:4: 'port' is given twice"},
        BadCase{"BothOneofs",
                "spec:\n  hostnames: [a.example]\n  resolvers:\n    - "
                "address: 1.1.1.1\n      system: {}\n",
                "s.yaml:5: 'system' and 'address' are alternatives"},
        BadCase{"BadResolverAddress",
                "spec:\n  hostnames: [a.example]\n  resolvers: [dns.google]\n",
                "s.yaml:3: spec.resolvers[0].address: 'dns.google' is not ip "
                "or ip:port"},
        BadCase{"BadPath",
                "spec:\n  hostnames: [a.example]\n  paths: [/ok, nope]\n",
                "s.yaml:3: spec.paths[1]: 'nope' must start with /"},
        BadCase{"ExplicitWithoutIps",
                "spec:\n  hostnames: [a.example]\n  pin_mode: explicit\n",
                "s.yaml:1: spec.explicit_ips: pin_mode explicit needs"},
        BadCase{"BadStatus",
                "spec:\n  hostnames: [a.example]\n  http_expect:\n    "
                "status_in: [200, 999]\n",
                "s.yaml:4: spec.http_expect.status_in[1]: 999 is not an HTTP "
                "status"},
        BadCase{"DeadlineBelowInterval",
                "spec: {hostnames: [a.example]}\nschedule:\n  round_interval: "
                "30s\n  deadline: 10s\n",
                "s.yaml:4: schedule.deadline: deadline 10s is shorter than "
                "the round interval 30s"},
        BadCase{"BrokenYaml", "spec:\n  hostnames: [a.example\n",
                "s.yaml:3: not valid YAML"},
        BadCase{"TopLevelList", "- a\n- b\n", "s.yaml:1: expected a mapping"},
        BadCase{"Empty", "", "s.yaml: the spec is empty"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      return std::string(info.param.name);
    });

// The hostname rule is spec/'s (tests/spec); a spec file gets it whole,
// trailing dot included.
TEST(SpecCheckTest, Hostnames) {
  EXPECT_TRUE(spec::IsValidHostname("www.example.com."));
  auto loaded = ParseSpecYaml(
      "spec:\n  hostnames: [www.example.com., _dmarc.Example.com]\n", "s.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  loaded = ParseSpecYaml("spec:\n  hostnames: [localhost]\n", "s.yaml");
  EXPECT_FALSE(loaded.ok());
}

TEST(SpecYamlTest, MissingFileSaysWhich) {
  auto loaded = LoadSpecFile("/nonexistent/spec.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(std::string(loaded.status().message()),
              HasSubstr("/nonexistent/spec.yaml"));
}

}  // namespace
}  // namespace propwatch
