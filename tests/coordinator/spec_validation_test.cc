#include "coordinator/verify/spec_validation.h"

#include "common/time_convert.h"
#include "gtest/gtest.h"

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

TEST(SpecValidationTest, Hostnames) {
  EXPECT_TRUE(IsValidHostname("www.example.com"));
  EXPECT_TRUE(IsValidHostname("_dmarc.example.com"));
  EXPECT_FALSE(IsValidHostname("localhost"));
  EXPECT_FALSE(IsValidHostname("-a.example.com"));
  EXPECT_FALSE(IsValidHostname("a b.example.com"));
  EXPECT_FALSE(IsValidHostname(std::string(64, 'a') + ".com"));
}

}  // namespace
}  // namespace propwatch
