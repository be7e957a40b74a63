// Every spec rule through both of its users: propwatchctl's offline dry run
// (`verify -f spec --dry-run`, and flag-built requests) and the
// coordinator's ValidateVerificationRequest. Both must refuse the same
// request at the same field with the same text; only the coordinator's
// target policy is the coordinator's alone.
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/commands/verify_command.h"
#include "cli/coordinator_client.h"
#include "common/time_convert.h"
#include "coordinator/verify/spec_validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

using ::testing::HasSubstr;
using Edit = std::function<void(v1::CreateVerificationRequest&)>;

struct CliRun {
  ExitCode exit_code;
  std::string out;
  std::string err;
};

std::string ReadAll(FILE* f) {
  std::string text;
  std::rewind(f);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

// `propwatchctl verify -f <file> --dry-run` with `request` written to the
// file as JSON (which is YAML) with proto field names, one field a line.
CliRun DryRun(const v1::CreateVerificationRequest& request,
              const std::string& file) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(request, &json, options)
          .ok());
  std::ofstream(file) << json;
  ClientOptions client_options;
  client_options.coordinator = "127.0.0.1:9";  // never called in a dry run
  client_options.insecure = true;
  auto client = CoordinatorClient::Create(client_options);
  EXPECT_TRUE(client.ok()) << client.status();
  CommandContext ctx{**client};
  ctx.out = std::tmpfile();
  ctx.err = std::tmpfile();
  VerifyFlags flags;
  flags.spec_file = file;
  flags.dry_run = true;
  const ExitCode code = RunVerifyCommand(ctx, flags);
  return {code, ReadAll(ctx.out), ReadAll(ctx.err)};
}

v1::CreateVerificationRequest Minimal() {
  v1::CreateVerificationRequest r;
  r.mutable_spec()->add_hostnames("www.example.com");
  return r;
}

void SetSchedule(v1::CreateVerificationRequest& r, absl::Duration interval,
                 absl::Duration deadline) {
  if (interval != absl::ZeroDuration()) {
    *r.mutable_schedule()->mutable_round_interval() = ToProtoDuration(interval);
  }
  if (deadline != absl::ZeroDuration()) {
    *r.mutable_schedule()->mutable_deadline() = ToProtoDuration(deadline);
  }
}

struct RuleCase {
  const char* name;
  Edit edit;
  std::string path;
  std::string message;
};

const std::string kBadHostname =
    "' is not a valid hostname (RFC 1123: letters, digits, '-' and '_', two "
    "labels or more, e.g. www.example.com)";
const std::string kNotResolver =
    "' is not ip or ip:port ([v6]:port for IPv6, port 1-65535)";

// One case per rule of spec/spec_rules.cc and spec/field_rules.cc, in the
// order they run.
const RuleCase kRules[] = {
    {"NoHostnames", [](auto& r) { r.mutable_spec()->clear_hostnames(); },
     "spec.hostnames", "give at least one hostname to verify"},
    {"TooManyHostnames",
     [](auto& r) {
       for (int i = 0; i < 20; ++i) {
         r.mutable_spec()->add_hostnames(absl::StrCat("h", i, ".example.com"));
       }
     },
     "spec.hostnames", "at most 20 hostnames per verification"},
    {"BadHostname",
     [](auto& r) { r.mutable_spec()->add_hostnames("Bad..Example.com"); },
     "spec.hostnames[1]", "'Bad..Example.com" + kBadHostname},
    {"SingleLabel", [](auto& r) { r.mutable_spec()->set_hostnames(0, "db"); },
     "spec.hostnames[0]", "'db" + kBadHostname},
    {"ResolverOfNoKind", [](auto& r) { r.mutable_spec()->add_resolvers(); },
     "spec.resolvers[0]", "give one of system, address or authoritative"},
    {"ResolverByName",
     [](auto& r) {
       r.mutable_spec()->add_resolvers()->set_address("dns.google");
     },
     "spec.resolvers[0].address", "'dns.google" + kNotResolver},
    {"ResolverPortZero",
     [](auto& r) {
       r.mutable_spec()->add_resolvers()->mutable_system();
       r.mutable_spec()->add_resolvers()->set_address("8.8.8.8:0");
     },
     "spec.resolvers[1].address", "'8.8.8.8:0" + kNotResolver},
    {"ResolverPortTooBig",
     [](auto& r) {
       r.mutable_spec()->add_resolvers()->set_address("[::1]:99999");
     },
     "spec.resolvers[0].address", "'[::1]:99999" + kNotResolver},
    {"BootstrapByName",
     [](auto& r) {
       r.mutable_spec()
           ->add_resolvers()
           ->mutable_authoritative()
           ->set_bootstrap("ns.example.com");
     },
     "spec.resolvers[0].authoritative.bootstrap",
     "'ns.example.com" + kNotResolver},
    {"AuthoritativePort",
     [](auto& r) {
       r.mutable_spec()->add_resolvers()->mutable_authoritative()->set_port(
           70000);
     },
     "spec.resolvers[0].authoritative.port", "must be 0-65535"},
    {"Scheme", [](auto& r) { r.mutable_spec()->set_scheme("ftp"); },
     "spec.scheme", "'ftp' is not http or https"},
    {"Port", [](auto& r) { r.mutable_spec()->set_port(70000); }, "spec.port",
     "must be 1-65535"},
    {"TooManyPaths",
     [](auto& r) {
       for (int i = 0; i < 51; ++i) r.mutable_spec()->add_paths("/p");
     },
     "spec.paths", "at most 50 paths"},
    {"RelativePath", [](auto& r) { r.mutable_spec()->add_paths("signin"); },
     "spec.paths[0]",
     "'signin' must start with / and contain no spaces or fragment"},
    {"PathWithFragment",
     [](auto& r) {
       r.mutable_spec()->add_paths("/");
       r.mutable_spec()->add_paths("/a#b");
     },
     "spec.paths[1]",
     "'/a#b' must start with / and contain no spaces or fragment"},
    {"ExplicitWithoutIps",
     [](auto& r) { r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT); },
     "spec.explicit_ips", "pin_mode explicit needs the IPs to probe"},
    {"IpsWithoutExplicit",
     [](auto& r) { r.mutable_spec()->add_explicit_ips("93.184.216.34"); },
     "spec.explicit_ips", "only used with pin_mode explicit"},
    {"ExplicitIpSyntax",
     [](auto& r) {
       r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
       r.mutable_spec()->add_explicit_ips("93.184.216.34");
       r.mutable_spec()->add_explicit_ips("nope");
     },
     "spec.explicit_ips[1]", "'nope' is not an IPv4 or IPv6 address"},
    {"AddressesEqual",
     [](auto& r) {
       r.mutable_spec()->mutable_dns_expect()->add_addresses_equal("x");
     },
     "spec.dns_expect.addresses_equal[0]",
     "'x' is not an IPv4 or IPv6 address"},
    {"AddressesWithin",
     [](auto& r) {
       r.mutable_spec()->mutable_dns_expect()->add_addresses_within(
           "10.0.0.0/33");
     },
     "spec.dns_expect.addresses_within[0]",
     "'10.0.0.0/33' is not an IP or CIDR"},
    {"CnameTarget",
     [](auto& r) {
       r.mutable_spec()->mutable_dns_expect()->set_cname_target("cdn");
     },
     "spec.dns_expect.cname_target", "'cdn" + kBadHostname},
    {"Status",
     [](auto& r) {
       r.mutable_spec()->mutable_http_expect()->add_status_in(999);
     },
     "spec.http_expect.status_in[0]", "999 is not an HTTP status (100-599)"},
    {"BodySha256",
     [](auto& r) {
       r.mutable_spec()->mutable_http_expect()->set_body_sha256("ABCD");
     },
     "spec.http_expect.body_sha256", "must be 64 lowercase hex digits"},
    {"IntervalTooShort",
     [](auto& r) { SetSchedule(r, absl::Milliseconds(10), {}); },
     "schedule.round_interval", "must be between 1s and 1h"},
    {"IntervalTooLong", [](auto& r) { SetSchedule(r, absl::Hours(2), {}); },
     "schedule.round_interval", "must be between 1s and 1h"},
    {"DeadlineBelowInterval",
     [](auto& r) { SetSchedule(r, absl::Seconds(30), absl::Seconds(10)); },
     "schedule.deadline",
     "deadline 10s is shorter than the round interval 30s"},
    {"DefaultDeadlineBelowInterval",
     [](auto& r) { SetSchedule(r, absl::Minutes(30), {}); },
     "schedule.deadline",
     "deadline 10m (the default) is shorter than the round interval 30m"},
    {"DeadlineTooLong", [](auto& r) { SetSchedule(r, {}, absl::Hours(200)); },
     "schedule.deadline", "at most 7 days (168h)"},
    {"StableRounds",
     [](auto& r) { r.mutable_schedule()->set_stable_rounds(101); },
     "schedule.stable_rounds", "at most 100"},
    {"PhaseTooShort",
     [](auto& r) {
       *r.mutable_schedule()->mutable_phase_timeout() =
           ToProtoDuration(absl::Milliseconds(100));
     },
     "schedule.phase_timeout", "must be between 200ms and the round interval"},
    {"PhaseLongerThanInterval",
     [](auto& r) {
       *r.mutable_schedule()->mutable_phase_timeout() =
           ToProtoDuration(absl::Seconds(20));
     },
     "schedule.phase_timeout", "must be between 200ms and the round interval"},
    {"EmptyRegion",
     [](auto& r) {
       r.mutable_selector()->add_regions("eu-west");
       r.mutable_selector()->add_regions("");
     },
     "selector.regions[1]", "empty region name"},
    {"MinAgents",
     [](auto& r) { r.mutable_selector()->set_min_agents_per_region(1001); },
     "selector.min_agents_per_region", "at most 1000"},
};

class RuleParityTest : public ::testing::TestWithParam<RuleCase> {
 protected:
  testing::TempDir dir_;
};

TEST_P(RuleParityTest, SameFieldSameTextOnBothSides) {
  const RuleCase& c = GetParam();
  v1::CreateVerificationRequest request = Minimal();
  c.edit(request);
  const std::string expected = absl::StrCat(c.path, ": ", c.message);

  // The coordinator, with a policy that refuses nothing the rules allow.
  auto coordinator =
      ValidateVerificationRequest(request, TargetPolicy({}, true));
  EXPECT_EQ(coordinator.status(), absl::InvalidArgumentError(expected));

  // propwatchctl verify -f spec.json --dry-run: exit 3, the file (and the
  // line when the field was written), then the same text.
  const std::string file = dir_.File("spec.json");
  CliRun cli = DryRun(request, file);
  EXPECT_EQ(cli.exit_code, kExitUsage);
  EXPECT_EQ(cli.out, "");
  EXPECT_TRUE(absl::StartsWith(cli.err, "propwatchctl: " + file)) << cli.err;
  EXPECT_TRUE(absl::EndsWith(cli.err, ": " + expected + "\n")) << cli.err;

  // Flag-built requests: "bad spec: <path> (<flag>): <message>".
  auto flags = BuildVerifyRequest(VerifyFlags{}, request);
  EXPECT_EQ(flags.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(flags.status().message(), "bad spec: " + c.path))
      << flags.status();
  EXPECT_TRUE(absl::EndsWith(flags.status().message(), ": " + c.message))
      << flags.status();
}

INSTANTIATE_TEST_SUITE_P(EveryRule, RuleParityTest, ::testing::ValuesIn(kRules),
                         [](const ::testing::TestParamInfo<RuleCase>& info) {
                           return std::string(info.param.name);
                         });

// Where a spec file line is known, the dry run names it.
TEST(RuleParityLineTest, DryRunNamesTheLine) {
  testing::TempDir dir;
  v1::CreateVerificationRequest request = Minimal();
  request.mutable_spec()->add_hostnames("bad..example.com");
  CliRun cli = DryRun(request, dir.File("spec.json"));
  // {, "spec": {, "hostnames": [, "www...", "bad..." on line 5.
  EXPECT_THAT(cli.err, HasSubstr("spec.json:5: spec.hostnames[1]: "
                                 "'bad..example.com' is not a valid hostname"));
}

// Good specs pass both sides; the coordinator also fills the defaults.
TEST(RuleParityGoodTest, AcceptedOnBothSides) {
  const Edit good[] = {
      [](auto&) {},
      [](auto& r) { r.mutable_spec()->set_hostnames(0, "WWW.Example.COM."); },
      [](auto& r) {
        r.mutable_spec()->add_resolvers()->set_address("[2001:4860::8888]:53");
        r.mutable_spec()->add_resolvers()->mutable_authoritative()->set_port(
            5353);
      },
      [](auto& r) {
        r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
        r.mutable_spec()->add_explicit_ips("2606:4700::1111");
      },
      [](auto& r) { SetSchedule(r, absl::Minutes(30), absl::Hours(1)); },
      [](auto& r) { r.mutable_spec()->add_paths("/search?q=a"); },
  };
  testing::TempDir dir;
  for (const Edit& edit : good) {
    v1::CreateVerificationRequest request = Minimal();
    edit(request);
    EXPECT_TRUE(
        ValidateVerificationRequest(request, TargetPolicy({}, false)).ok())
        << request.ShortDebugString();
    CliRun cli = DryRun(request, dir.File("spec.json"));
    EXPECT_EQ(cli.exit_code, kExitPass) << cli.err;
  }
}

// The coordinator's policy is its own: offline the dry run accepts what a
// coordinator refuses for its allowlist or address ranges, and the
// coordinator's refusal still names the field.
TEST(RuleParityPolicyTest, PolicyIsTheCoordinatorsAlone) {
  struct Case {
    Edit edit;
    std::string expected;
  } cases[] = {
      {[](auto& r) { r.mutable_spec()->set_hostnames(0, "db.internal.corp"); },
       "spec.hostnames[0]: hostname 'db.internal.corp' is not in the "
       "coordinator's target allowlist (*.example.com); add it with "
       "--allow-target"},
      {[](auto& r) {
         r.mutable_spec()->add_resolvers()->set_address("127.0.0.1");
       },
       "spec.resolvers[0].address: 127.0.0.1 is loopback in 127.0.0.0/8; "
       "refused unless the coordinator runs with --allow-private-targets"},
      {[](auto& r) {
         r.mutable_spec()
             ->add_resolvers()
             ->mutable_authoritative()
             ->set_bootstrap("169.254.169.254:53");
       },
       "spec.resolvers[0].authoritative.bootstrap: 169.254.169.254 is "
       "link-local (cloud metadata) in 169.254.0.0/16; refused unless the "
       "coordinator runs with --allow-private-targets"},
      {[](auto& r) {
         r.mutable_spec()->set_pin_mode(v1::PIN_MODE_EXPLICIT);
         r.mutable_spec()->add_explicit_ips("10.1.2.3");
       },
       "spec.explicit_ips[0]: 10.1.2.3 is private (RFC 1918) in 10.0.0.0/8; "
       "refused unless the coordinator runs with --allow-private-targets"},
  };
  testing::TempDir dir;
  for (const Case& c : cases) {
    v1::CreateVerificationRequest request = Minimal();
    c.edit(request);
    EXPECT_EQ(ValidateVerificationRequest(
                  request, TargetPolicy({"*.example.com"}, false))
                  .status(),
              absl::PermissionDeniedError(c.expected));
    CliRun cli = DryRun(request, dir.File("spec.json"));
    EXPECT_EQ(cli.exit_code, kExitPass) << cli.err;
  }
}

}  // namespace
}  // namespace propwatch
