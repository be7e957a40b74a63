// `propwatch-agent probe` as a user runs it: a real process against real
// knotd and nginx on loopback, checked through its JSON and exit code.
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/probe.pb.h"
#include "tests/agent/dns/knot_server.h"
#include "tests/agent/http/nginx_server.h"
#include "tests/testing/free_port.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGoodIp[] = "127.0.0.2";
constexpr char kStaleIp[] = "127.0.0.3";

class ProbeToolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto knot = dns::testing::KnotServer::Start({{"example.test", R"(
$TTL 300
@    SOA ns1 hostmaster 1 3600 600 86400 300
@    NS  ns1
ns1  A   127.0.0.1
www  A   127.0.0.2
www  A   127.0.0.3
)"}});
    ASSERT_TRUE(knot.ok()) << knot.status();
    knot_ = knot->release();

    dir_ = new TempDir();
    port_ = FreePort();
    NginxOptions options;
    options.work_dir = dir_->path();
    options.http_config = absl::StrCat(
        "server { listen ", kGoodIp, ":", port_,
        "; location = /signin { return 200 'ok'; } }\n"
        "server { listen ",
        kStaleIp, ":", port_, "; location = /signin { return 404; } }\n");
    options.ready_addresses = {{kGoodIp, port_}, {kStaleIp, port_}};
    auto nginx = NginxServer::Start(options);
    ASSERT_TRUE(nginx.ok()) << nginx.status();
    nginx_ = nginx->release();
  }
  static void TearDownTestSuite() {
    delete nginx_;
    delete dir_;
    delete knot_;
  }

  static CommandResult Probe(std::vector<std::string> args) {
    args.insert(args.begin(), {BuildPath("agent/propwatch-agent"), "probe",
                               "--timeout", "3"});
    return RunCommand(args, absl::Seconds(30));
  }

  static v1::ProbeRun ParseRun(const CommandResult& r) {
    v1::ProbeRun run;
    auto s = google::protobuf::util::JsonStringToMessage(r.out, &run);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << r.out << r.err;
    return run;
  }

  std::string Url() const {
    return absl::StrCat("http://www.example.test:", port_, "/signin");
  }

  static dns::testing::KnotServer* knot_;
  static TempDir* dir_;
  static NginxServer* nginx_;
  static uint16_t port_;
};
dns::testing::KnotServer* ProbeToolTest::knot_ = nullptr;
TempDir* ProbeToolTest::dir_ = nullptr;
NginxServer* ProbeToolTest::nginx_ = nullptr;
uint16_t ProbeToolTest::port_ = 0;

TEST_F(ProbeToolTest, DnsAnswerMatchingTheExpectationExitsZero) {
  CommandResult r =
      Probe({"--dns", "www.example.test", "--type", "A", "--resolver",
             knot_->address(), "--expect-addresses", "127.0.0.3,127.0.0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  v1::ProbeRun run = ParseRun(r);
  ASSERT_EQ(run.results_size(), 1);
  const v1::DnsResult& dns = run.results(0).dns();
  EXPECT_EQ(dns.rcode(), "NOERROR");
  EXPECT_EQ(dns.server(), knot_->address());
  EXPECT_TRUE(dns.authoritative_answer());
  EXPECT_THAT(dns.addresses(),
              ::testing::UnorderedElementsAre("127.0.0.2", "127.0.0.3"));
  EXPECT_EQ(dns.answers(0).ttl(), 300u);
  EXPECT_EQ(run.failed(), 0u);
}

TEST_F(ProbeToolTest, DnsExpectationFailureExitsOneWithASentence) {
  CommandResult r =
      Probe({"--dns", "www.example.test", "--type", "A", "--resolver",
             knot_->address(), "--expect-within", "127.0.0.2/32"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  v1::ProbeRun run = ParseRun(r);
  ASSERT_EQ(run.results_size(), 1);
  ASSERT_EQ(run.results(0).dns().failures_size(), 1);
  EXPECT_THAT(run.results(0).dns().failures(0).message(),
              HasSubstr("127.0.0.3"));
  EXPECT_EQ(run.failed(), 1u);
}

TEST_F(ProbeToolTest, EveryPinnedIpGetsItsOwnVerdict) {
  CommandResult r =
      Probe({"--http", Url(), "--pin", absl::StrCat(kGoodIp, ",", kStaleIp),
             "--expect-status", "200"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  v1::ProbeRun run = ParseRun(r);
  ASSERT_EQ(run.results_size(), 2);
  EXPECT_EQ(run.failed(), 1u);
  for (const v1::ProbeResult& result : run.results()) {
    const v1::HttpResult& http = result.http();
    EXPECT_EQ(http.dialled_ip(), http.pinned_ip());
    if (http.pinned_ip() == kGoodIp) {
      EXPECT_EQ(http.status(), 200u);
      EXPECT_EQ(http.failures_size(), 0);
    } else {
      EXPECT_EQ(http.status(), 404u);
      ASSERT_EQ(http.failures_size(), 1);
      EXPECT_THAT(http.failures(0).message(), HasSubstr("404"));
    }
  }
}

TEST_F(ProbeToolTest, DnsAndHttpTogetherPassWhenAllPass) {
  CommandResult r = Probe({"--dns", "www.example.test", "--resolver",
                           knot_->address(), "--type", "A,AAAA", "--http",
                           Url(), "--pin", kGoodIp, "--expect-status", "200"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ParseRun(r).results_size(), 3);  // A, AAAA, one HTTP
}

TEST_F(ProbeToolTest, BadFlagsExitThreeNamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{}, "--dns HOST"},
      {{"--dns", "x.test", "--type", "MX"}, "--type 'MX'"},
      {{"--dns", "x.test", "--resolver", "nowhere"}, "--resolver 'nowhere'"},
      {{"--http", "http://x.test/"}, "--pin"},
      {{"--http", "http://x.test/", "--pin", "not-ip"}, "--pin 'not-ip'"},
      {{"--dns", "bad..name", "--resolver", "127.0.0.1:1"}, "hostname"},
  };
  for (const Case& c : cases) {
    CommandResult r = Probe(c.args);
    EXPECT_EQ(r.exit_code, 3) << c.says << ": " << r.out << r.err;
    EXPECT_THAT(r.err + r.out, HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace propwatch::testing
