// DnsProber against real servers on loopback: knotd (authoritative) and
// dnsmasq (a resolver serving an old, "cached" answer).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/dns/dns_prober.h"
#include "gtest/gtest.h"
#include "tests/agent/dns/dnsmasq_server.h"
#include "tests/agent/dns/knot_server.h"
#include "tests/agent/dns/prober_test_util.h"
#include "tests/testing/free_port.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsResult;
using testing::KnotServer;
using testing::ProberHarness;
using testing::Spec;

constexpr char kParentZone[] = R"($ORIGIN example.test.
$TTL 300
@        SOA  ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@        NS   ns
ns       A    127.0.0.1
two 120  A    192.0.2.1
two 120  A    192.0.2.2
alias    CNAME alias2
alias2   CNAME two
v4only   A    192.0.2.9
sub      NS   ns1.sub
sub      NS   ns2.sub
ns1.sub  A    127.0.0.1
ns2.sub  A    127.0.0.2
)";

// The delegated zone with the new answer for www.
constexpr char kChildZone[] = R"($ORIGIN sub.example.test.
$TTL 300
@    SOA  ns1 hostmaster 2 3600 600 86400 60
@    NS   ns1
@    NS   ns2
ns1  A    127.0.0.1
ns2  A    127.0.0.2
www 60 A  192.0.2.22
)";

std::vector<std::string> Strings(
    const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

class DnsProberServersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto parent = KnotServer::Start({{"example.test", kParentZone}});
    ASSERT_TRUE(parent.ok()) << parent.status();
    parent_ = parent->release();
    auto child = KnotServer::Start({{"sub.example.test", kChildZone}},
                                   {"127.0.0.1", "127.0.0.2"});
    ASSERT_TRUE(child.ok()) << child.status();
    child_ = child->release();
  }
  static void TearDownTestSuite() {
    delete parent_;
    delete child_;
    parent_ = child_ = nullptr;
  }

  static KnotServer* parent_;
  static KnotServer* child_;
};

KnotServer* DnsProberServersTest::parent_ = nullptr;
KnotServer* DnsProberServersTest::child_ = nullptr;

TEST_F(DnsProberServersTest, TwoARecordsInOrderWithTtls) {
  ProberHarness h;
  testing::ProbeRun run = h.Run(Spec(
      "two.example.test", {propwatch::v1::RECORD_TYPE_A}, parent_->address()));
  ASSERT_TRUE(run.completed);
  ASSERT_EQ(run.results.size(), 1u);
  const DnsResult& r = run.results[0];
  EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_UNSPECIFIED)
      << r.error_message();
  EXPECT_EQ(r.rcode(), "NOERROR");
  EXPECT_EQ(r.resolver_kind(), "address");
  EXPECT_EQ(r.server(), parent_->address());
  EXPECT_TRUE(r.authoritative_answer());
  EXPECT_EQ(Strings(r.addresses()),
            (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  ASSERT_EQ(r.answers_size(), 2);
  for (const auto& answer : r.answers()) {
    EXPECT_EQ(answer.name(), "two.example.test");
    EXPECT_EQ(answer.ttl(), 120u);
    EXPECT_EQ(answer.type(), propwatch::v1::RECORD_TYPE_A);
  }
  EXPECT_EQ(r.answers(0).data(), "192.0.2.1");
  EXPECT_EQ(r.answers(1).data(), "192.0.2.2");
  EXPECT_GT(r.latency().nanos() + r.latency().seconds(), 0);
}

TEST_F(DnsProberServersTest, CnameChainNxdomainNodataAndDefaultTypes) {
  ProberHarness h;
  std::vector<testing::ProbeRun> runs = h.RunAll({
      Spec("alias.example.test", {propwatch::v1::RECORD_TYPE_A},
           parent_->address()),
      Spec("nope.example.test", {propwatch::v1::RECORD_TYPE_A},
           parent_->address()),
      Spec("v4only.example.test", {propwatch::v1::RECORD_TYPE_AAAA},
           parent_->address()),
      Spec("v4only.example.test", {}, parent_->address()),
  });
  for (const auto& run : runs) ASSERT_TRUE(run.completed);

  const DnsResult& alias = runs[0].results.at(0);
  EXPECT_EQ(alias.error_class(), propwatch::v1::ERROR_CLASS_UNSPECIFIED)
      << alias.error_message();
  EXPECT_EQ(
      Strings(alias.cname_chain()),
      (std::vector<std::string>{"alias.example.test", "alias2.example.test",
                                "two.example.test"}));
  EXPECT_EQ(Strings(alias.addresses()),
            (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));

  const DnsResult& nx = runs[1].results.at(0);
  EXPECT_EQ(nx.error_class(), propwatch::v1::ERROR_CLASS_NXDOMAIN);
  EXPECT_EQ(nx.rcode(), "NXDOMAIN");
  EXPECT_NE(nx.error_message().find(parent_->address()), std::string::npos);
  EXPECT_NE(nx.error_message().find("nope.example.test"), std::string::npos);

  const DnsResult& nodata = runs[2].results.at(0);
  EXPECT_EQ(nodata.error_class(), propwatch::v1::ERROR_CLASS_NODATA);
  EXPECT_EQ(nodata.rcode(), "NOERROR");
  EXPECT_TRUE(nodata.addresses().empty());

  ASSERT_EQ(runs[3].results.size(), 3u);
  EXPECT_EQ(runs[3].results[0].type(), propwatch::v1::RECORD_TYPE_A);
  EXPECT_EQ(runs[3].results[1].type(), propwatch::v1::RECORD_TYPE_AAAA);
  EXPECT_EQ(runs[3].results[2].type(), propwatch::v1::RECORD_TYPE_CNAME);
  EXPECT_EQ(Strings(runs[3].results[0].addresses()),
            (std::vector<std::string>{"192.0.2.9"}));
  EXPECT_EQ(runs[3].results[2].error_class(),
            propwatch::v1::ERROR_CLASS_NODATA);
}

TEST_F(DnsProberServersTest, ExpectationsAreEvaluatedOnEachResult) {
  ProberHarness h;
  auto spec = Spec("two.example.test", {propwatch::v1::RECORD_TYPE_A},
                   parent_->address());
  spec.mutable_expect()->add_addresses_within("198.51.100.0/24");
  spec.mutable_expect()->set_rcode("NOERROR");
  testing::ProbeRun run = h.Run(spec);
  ASSERT_TRUE(run.completed);
  const DnsResult& r = run.results.at(0);
  ASSERT_EQ(r.failures_size(), 1);
  EXPECT_EQ(r.failures(0).field(), "addresses_within");
  EXPECT_EQ(r.failures(0).message(),
            "A answer {192.0.2.1, 192.0.2.2} is not within 198.51.100.0/24");
}

TEST_F(DnsProberServersTest, SystemResolverReportsTheServerThatAnswered) {
  // The first system resolver is a closed port; c-ares fails over to knot.
  const uint16_t closed = ::propwatch::testing::FreePort();
  ProberHarness h({absl::StrCat("127.0.0.1:", closed), parent_->address()});
  propwatch::v1::DnsProbeSpec spec;
  spec.set_hostname("two.example.test");
  spec.add_types(propwatch::v1::RECORD_TYPE_A);
  testing::ProbeRun run = h.Run(spec);
  ASSERT_TRUE(run.completed);
  const DnsResult& r = run.results.at(0);
  EXPECT_EQ(r.resolver_kind(), "system");
  EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_UNSPECIFIED)
      << r.error_message();
  EXPECT_EQ(r.server(), parent_->address());
}

void ExpectAuthoritativeAnswers(const std::vector<DnsResult>& results,
                                uint16_t port) {
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].server(), absl::StrCat("127.0.0.1:", port));
  EXPECT_EQ(results[1].server(), absl::StrCat("127.0.0.2:", port));
  for (const DnsResult& r : results) {
    EXPECT_EQ(r.resolver_kind(), "authoritative");
    EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_UNSPECIFIED)
        << r.error_message();
    EXPECT_TRUE(r.authoritative_answer()) << r.server();
    EXPECT_EQ(Strings(r.addresses()), (std::vector<std::string>{"192.0.2.22"}));
    EXPECT_TRUE(r.failures().empty()) << r.failures(0).message();
  }
}

propwatch::v1::DnsProbeSpec AuthoritativeSpec(const std::string& bootstrap,
                                              uint16_t port) {
  propwatch::v1::DnsProbeSpec spec;
  spec.set_hostname("www.sub.example.test");
  spec.add_types(propwatch::v1::RECORD_TYPE_A);
  spec.mutable_resolver()->mutable_authoritative()->set_bootstrap(bootstrap);
  spec.mutable_resolver()->mutable_authoritative()->set_port(port);
  spec.mutable_expect()->add_addresses_equal("192.0.2.22");
  return spec;
}

TEST_F(DnsProberServersTest, AuthoritativeThroughAReferralWithGlue) {
  // The parent only refers: NS in authority, addresses as glue.
  ProberHarness h;
  testing::ProbeRun run =
      h.Run(AuthoritativeSpec(parent_->address(), child_->port()));
  ASSERT_TRUE(run.completed);
  ExpectAuthoritativeAnswers(run.results, child_->port());
}

TEST_F(DnsProberServersTest, AuthoritativeThroughSoaInAuthority) {
  // Asking the child itself: NS for www is NODATA with the zone's SOA.
  ProberHarness h;
  testing::ProbeRun run =
      h.Run(AuthoritativeSpec(child_->address(), child_->port()));
  ASSERT_TRUE(run.completed);
  ExpectAuthoritativeAnswers(run.results, child_->port());
}

TEST_F(DnsProberServersTest, AuthoritativeDiffersFromAStaleResolver) {
  auto stale = testing::DnsmasqServer::Start(
      {"--host-record=www.sub.example.test,192.0.2.11", "--local-ttl=600",
       "--local=/example.test/"},
      "example.test");
  ASSERT_TRUE(stale.ok()) << stale.status();
  ProberHarness h;
  auto resolver_spec = AuthoritativeSpec("", 0);
  resolver_spec.mutable_resolver()->set_address((*stale)->address());
  std::vector<testing::ProbeRun> runs = h.RunAll(
      {AuthoritativeSpec(parent_->address(), child_->port()), resolver_spec});
  ASSERT_TRUE(runs[0].completed && runs[1].completed);
  ExpectAuthoritativeAnswers(runs[0].results, child_->port());
  const DnsResult& cached = runs[1].results.at(0);
  EXPECT_EQ(cached.server(), (*stale)->address());
  EXPECT_EQ(Strings(cached.addresses()),
            (std::vector<std::string>{"192.0.2.11"}));
  EXPECT_EQ(cached.answers(0).ttl(), 600u);
  ASSERT_EQ(cached.failures_size(), 1);
  EXPECT_EQ(cached.failures(0).message(),
            "A answer {192.0.2.11} is not {192.0.2.22}; unexpected "
            "192.0.2.11; missing 192.0.2.22");
}

TEST_F(DnsProberServersTest, AuthoritativeDiscoveryFailureIsReported) {
  ProberHarness h;
  auto spec = AuthoritativeSpec(parent_->address(), child_->port());
  spec.set_hostname("www.other.invalid");
  testing::ProbeRun run = h.Run(spec);
  ASSERT_TRUE(run.completed);
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_NE(run.results[0].error_class(),
            propwatch::v1::ERROR_CLASS_UNSPECIFIED);
  EXPECT_NE(run.results[0].error_message().find("www.other.invalid"),
            std::string::npos)
      << run.results[0].error_message();
}

}  // namespace
}  // namespace propwatch::dns
