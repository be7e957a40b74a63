#include "absl/strings/match.h"
#include "cli/commands/verify_command.h"
#include "cli/spec_yaml.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(VerifyFlagsTest, FlagsBecomeTheRequest) {
  VerifyFlags f;
  f.hosts = {"www.example.com"};
  f.paths = {"/", "/signin"};
  f.record_types = {"a", "AAAA"};
  f.resolvers = {"system", "127.0.0.1:5300", "authoritative"};
  f.scheme = "http";
  f.port = 8080;
  f.expect_status = {200, 204};
  f.regions = {"eu", "us"};
  f.labels = {"tier=edge", "cloud=a=b"};
  f.min_agents = 2;
  f.interval = "2s";
  f.deadline = "1m";
  f.phase_timeout = "800ms";
  f.stable_rounds = 3;
  f.source = "cdn move";
  f.pipeline = "deploy";
  f.release = "v1";
  f.commit = "abc";
  auto r = BuildVerifyRequest(f, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->spec().paths(), ElementsAre("/", "/signin"));
  EXPECT_THAT(r->spec().record_types(),
              ElementsAre(v1::RECORD_TYPE_A, v1::RECORD_TYPE_AAAA));
  ASSERT_EQ(r->spec().resolvers_size(), 3);
  EXPECT_TRUE(r->spec().resolvers(0).has_system());
  EXPECT_EQ(r->spec().resolvers(1).address(), "127.0.0.1:5300");
  EXPECT_TRUE(r->spec().resolvers(2).has_authoritative());
  EXPECT_EQ(r->spec().port(), 8080u);
  EXPECT_THAT(r->spec().http_expect().status_in(), ElementsAre(200, 204));
  EXPECT_THAT(r->selector().regions(), ElementsAre("eu", "us"));
  EXPECT_EQ(r->selector().labels().at("cloud"), "a=b");
  EXPECT_EQ(r->selector().min_agents_per_region(), 2u);
  EXPECT_EQ(FromProtoDuration(r->schedule().round_interval()),
            absl::Seconds(2));
  EXPECT_EQ(FromProtoDuration(r->schedule().deadline()), absl::Minutes(1));
  EXPECT_EQ(FromProtoDuration(r->schedule().phase_timeout()),
            absl::Milliseconds(800));
  EXPECT_EQ(r->schedule().stable_rounds(), 3u);
  EXPECT_EQ(r->source().description(), "cdn move");
  EXPECT_EQ(r->source().commit(), "abc");
}

TEST(VerifyFlagsTest, UnsetDurationsStayUnsetForTheCoordinatorDefaults) {
  VerifyFlags f;
  f.hosts = {"www.example.com"};
  auto r = BuildVerifyRequest(f, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->schedule().has_round_interval());
  EXPECT_FALSE(r->schedule().has_deadline());
  EXPECT_FALSE(r->schedule().has_phase_timeout());
}

TEST(VerifyFlagsTest, FlagsOverrideTheSpecFile) {
  auto loaded = ParseSpecYaml(
      "spec:\n  hostnames: [a.example.com]\n  paths: [/a]\nschedule:\n  "
      "deadline: 5m\n",
      "s.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  VerifyFlags f;
  f.deadline = "90s";
  f.pin_ips = {"192.0.2.1"};
  auto r = BuildVerifyRequest(f, loaded->request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->spec().hostnames(), ElementsAre("a.example.com"));
  EXPECT_THAT(r->spec().paths(), ElementsAre("/a"));
  EXPECT_EQ(FromProtoDuration(r->schedule().deadline()), absl::Seconds(90));
  // --pin-ip alone means explicit pinning.
  EXPECT_EQ(r->spec().pin_mode(), v1::PIN_MODE_EXPLICIT);
}

TEST(VerifyFlagsTest, ErrorsNameTheFlag) {
  struct Case {
    VerifyFlags flags;
    const char* want;
  };
  auto with = [](auto edit) {
    VerifyFlags f;
    f.hosts = {"www.example.com"};
    edit(f);
    return f;
  };
  const Case cases[] = {
      {with([](VerifyFlags& f) { f.hosts = {"nodots"}; }),
       "spec.hostnames[0] (--host): 'nodots' is not a valid hostname"},
      {with([](VerifyFlags& f) { f.interval = "soon"; }),
       "--interval 'soon': not a positive duration"},
      {with([](VerifyFlags& f) { f.pin = "some"; }),
       "--pin 'some': not one of all_observed, resolved, explicit"},
      {with([](VerifyFlags& f) { f.record_types = {"MX"}; }),
       "--record-type 'MX'"},
      {with([](VerifyFlags& f) { f.labels = {"novalue"}; }),
       "--label 'novalue': write it as key=value"},
      {with([](VerifyFlags& f) { f.expect_status = {42}; }),
       "(--expect-status): 42 is not an HTTP status"},
      {with([](VerifyFlags& f) { f.resolvers = {"resolver.example"}; }),
       "(--resolver): 'resolver.example' is not ip or ip:port"},
      {with([](VerifyFlags& f) { f.pin_ips = {"not-an-ip"}; }),
       "spec.explicit_ips[0] (--pin-ip): 'not-an-ip' is not an IPv4"},
      {with([](VerifyFlags& f) {
         f.interval = "10s";
         f.deadline = "5s";
       }),
       "schedule.deadline (--deadline): deadline 5s is shorter"},
  };
  for (const Case& c : cases) {
    auto r = BuildVerifyRequest(c.flags, {});
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.want));
  }
}

}  // namespace
}  // namespace propwatch
