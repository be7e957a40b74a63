#include "agent/dns/dns_expectation.h"

#include <string>
#include <vector>

#include "agent/dns/ip_prefix.h"
#include "gtest/gtest.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsExpectation;
using propwatch::v1::DnsResult;

DnsResult Result(propwatch::v1::RecordType type,
                 std::vector<std::string> addresses,
                 std::string rcode = "NOERROR",
                 std::vector<std::string> chain = {}) {
  DnsResult r;
  r.set_hostname("www.example.test");
  r.set_type(type);
  r.set_server("127.0.0.1:53");
  r.set_rcode(rcode);
  for (auto& a : addresses) r.add_addresses(a);
  for (auto& c : chain) r.add_cname_chain(c);
  return r;
}

DnsExpectation Expect(std::vector<std::string> equal,
                      std::vector<std::string> within, std::string cname = "",
                      std::string rcode = "") {
  DnsExpectation e;
  for (auto& a : equal) e.add_addresses_equal(a);
  for (auto& w : within) e.add_addresses_within(w);
  e.set_cname_target(cname);
  e.set_rcode(rcode);
  return e;
}

struct Case {
  std::string label;
  DnsExpectation expect;
  DnsResult result;
  // One entry per expected failure: "field: message".
  std::vector<std::string> failures;
};

TEST(DnsExpectationTest, Table) {
  const auto A = propwatch::v1::RECORD_TYPE_A;
  const auto AAAA = propwatch::v1::RECORD_TYPE_AAAA;
  const auto CNAME = propwatch::v1::RECORD_TYPE_CNAME;
  std::vector<Case> cases = {
      {"equal sets in another order pass",
       Expect({"192.0.2.2", "192.0.2.1"}, {}),
       Result(A, {"192.0.2.1", "192.0.2.2"}),
       {}},
      {"equal compares bytes, not spelling",
       Expect({"2001:0db8:0:0::1"}, {}),
       Result(AAAA, {"2001:db8::1"}),
       {}},
      {"equal: extra and missing named",
       Expect({"192.0.2.1", "192.0.2.3"}, {}),
       Result(A, {"192.0.2.1", "192.0.2.2"}),
       {"addresses_equal: A answer {192.0.2.1, 192.0.2.2} is not {192.0.2.1, "
        "192.0.2.3}; unexpected 192.0.2.2; missing 192.0.2.3"}},
      {"equal: A result held to IPv4 entries only",
       Expect({"192.0.2.1", "2001:db8::1"}, {}),
       Result(A, {"192.0.2.1"}),
       {}},
      {"equal: AAAA NODATA passes a v4-only expectation",
       Expect({"192.0.2.1"}, {}),
       Result(AAAA, {}),
       {}},
      {"equal: AAAA answer against a v4-only expectation",
       Expect({"192.0.2.1"}, {}),
       Result(AAAA, {"2001:db8::1"}),
       {"addresses_equal: AAAA answer {2001:db8::1} is not {}; unexpected "
        "2001:db8::1"}},
      {"equal: CNAME results are not address-checked",
       Expect({"192.0.2.1"}, {}),
       Result(CNAME, {}),
       {}},
      {"within a CIDR passes",
       Expect({}, {"198.51.100.0/24"}),
       Result(A, {"198.51.100.7", "198.51.100.200"}),
       {}},
      {"within: outside named",
       Expect({}, {"198.51.100.0/24"}),
       Result(A, {"203.0.113.7"}),
       {"addresses_within: A answer {203.0.113.7} is not within "
        "198.51.100.0/24"}},
      {"within: v6 prefix and single IPs",
       Expect({}, {"2001:db8:1::/48", "192.0.2.9"}),
       Result(AAAA, {"2001:db8:1:ffff::1", "2001:db8:2::1"}),
       {"addresses_within: AAAA answer {2001:db8:2::1} is not within "
        "2001:db8:1::/48, 192.0.2.9"}},
      {"within: v4 never inside a v6 prefix",
       Expect({}, {"::/0"}),
       Result(A, {"192.0.2.1"}),
       {"addresses_within: A answer {192.0.2.1} is not within ::/0"}},
      {"cname target reached",
       Expect({}, {}, "B.example.org."),
       Result(A, {}, "NOERROR",
              {"www.example.test", "a.example.net", "b.example.org"}),
       {}},
      {"cname target missed",
       Expect({}, {}, "c.example.org"),
       Result(A, {}, "NOERROR", {"www.example.test", "a.example.net"}),
       {"cname_target: CNAME chain www.example.test -> a.example.net does "
        "not reach c.example.org"}},
      {"cname target without chain",
       Expect({}, {}, "c.example.org"),
       Result(A, {"192.0.2.1"}),
       {"cname_target: no CNAME for www.example.test; expected a chain to "
        "c.example.org"}},
      {"rcode matches case-insensitively",
       Expect({}, {}, "", "nxdomain"),
       Result(A, {}, "NXDOMAIN"),
       {}},
      {"rcode differs",
       Expect({}, {}, "", "NOERROR"),
       Result(A, {}, "NXDOMAIN"),
       {"rcode: rcode NXDOMAIN, expected NOERROR"}},
      {"no reply fails every set expectation",
       Expect({"192.0.2.1"}, {"192.0.2.0/24"}, "x.test", "NOERROR"),
       [] {
         DnsResult r = Result(A, {}, "");
         r.set_error_class(propwatch::v1::ERROR_CLASS_TIMEOUT);
         return r;
       }(),
       {"addresses_equal: no reply from 127.0.0.1:53 (ERROR_CLASS_TIMEOUT), "
        "so the answer could not be compared with {192.0.2.1}",
        "addresses_within: no reply from 127.0.0.1:53 (ERROR_CLASS_TIMEOUT), "
        "so the answer could not be checked against 192.0.2.0/24",
        "cname_target: no reply from 127.0.0.1:53 (ERROR_CLASS_TIMEOUT), so "
        "the CNAME chain could not be checked for x.test",
        "rcode: no reply from 127.0.0.1:53 (ERROR_CLASS_TIMEOUT), so there is "
        "no rcode; expected NOERROR"}},
      {"unparsable entry is a failure, not a pass",
       Expect({"nope"}, {}),
       Result(A, {"192.0.2.1"}),
       {"addresses_equal: expected address 'nope' is not an IP address"}},
      {"nothing set, nothing checked", Expect({}, {}), Result(A, {}), {}},
  };
  for (const Case& c : cases) {
    google::protobuf::RepeatedPtrField<propwatch::v1::ExpectationFailure> out;
    AppendDnsExpectationFailures(c.expect, c.result, &out);
    std::vector<std::string> got;
    for (const auto& f : out) got.push_back(f.field() + ": " + f.message());
    EXPECT_EQ(got, c.failures) << c.label;
  }
}

TEST(DnsExpectationTest, ValidateNamesTheBadField) {
  struct V {
    DnsExpectation expect;
    std::string field;  // empty: valid
  };
  std::vector<V> cases = {
      {Expect({"192.0.2.1", "::1"}, {"10.0.0.0/8", "fd00::/8", "192.0.2.1"},
              "a.test", "SERVFAIL"),
       ""},
      {Expect({"192.0.2.256"}, {}), "expect.addresses_equal"},
      {Expect({}, {"10.0.0.0/33"}), "expect.addresses_within"},
      {Expect({}, {"10.0.0.0/"}), "expect.addresses_within"},
      {Expect({}, {"10.0.0.0/+8"}), "expect.addresses_within"},
      {Expect({}, {}, "", "NOSUCH"), "expect.rcode"},
      {Expect({}, {}, "a..b", ""), "expect.cname_target"},
  };
  for (const V& v : cases) {
    absl::Status s = ValidateDnsExpectation(v.expect);
    if (v.field.empty()) {
      EXPECT_TRUE(s.ok()) << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << v.field;
      EXPECT_NE(s.message().find(v.field), absl::string_view::npos) << s;
    }
  }
}

TEST(IpPrefixTest, ParseAndContain) {
  struct P {
    std::string prefix;
    std::string address;
    bool inside;
  };
  std::vector<P> cases = {
      {"198.51.100.0/24", "198.51.100.255", true},
      {"198.51.100.0/24", "198.51.101.0", false},
      {"198.51.100.7/24", "198.51.100.1", true},  // host bits ignored
      {"0.0.0.0/0", "203.0.113.1", true},
      {"192.0.2.1", "192.0.2.1", true},
      {"192.0.2.1", "192.0.2.2", false},
      {"10.0.0.0/9", "10.127.255.255", true},
      {"10.0.0.0/9", "10.128.0.0", false},
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/33", "2001:db8:8000::1", false},
      {"::ffff:0:0/96", "192.0.2.1", false},  // families never mix
  };
  for (const P& p : cases) {
    absl::StatusOr<IpPrefix> prefix = ParseIpPrefix(p.prefix);
    ASSERT_TRUE(prefix.ok()) << p.prefix;
    absl::StatusOr<IpAddress> address = ParseIpAddress(p.address);
    ASSERT_TRUE(address.ok()) << p.address;
    EXPECT_EQ(prefix->Contains(*address), p.inside)
        << p.prefix << " " << p.address;
  }
  EXPECT_EQ(ParseIpPrefix("198.51.100.7/24")->ToString(), "198.51.100.0/24");
  for (std::string bad : {"", "/8", "1.2.3.4/", "1.2.3.4/33", "::/129",
                          "1.2.3.4/x", "host.test", "1.2.3.4/-1"}) {
    EXPECT_FALSE(ParseIpPrefix(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace propwatch::dns
