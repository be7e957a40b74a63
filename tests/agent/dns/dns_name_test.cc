#include "agent/dns/dns_name.h"

#include "agent/dns/dns_message.h"
#include "agent/dns/dns_query.h"
#include "agent/dns/resolv_conf.h"
#include "gtest/gtest.h"

namespace propwatch::dns {
namespace {

TEST(DnsNameTest, NormalizeHostname) {
  EXPECT_EQ(*NormalizeHostname("www.example.test."), "www.example.test");
  EXPECT_EQ(*NormalizeHostname("localhost"), "localhost");
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "a..b", ".a", "a b",
                                std::string(64, 'x'), std::string(254, 'x')}) {
    EXPECT_FALSE(NormalizeHostname(bad).ok()) << bad;
  }
}

TEST(DnsNameTest, Relations) {
  EXPECT_TRUE(SameName("WWW.Example.test", "www.example.test."));
  EXPECT_TRUE(IsAncestorOrSelf("example.test", "www.EXAMPLE.test"));
  EXPECT_TRUE(IsAncestorOrSelf("example.test", "example.test"));
  EXPECT_TRUE(IsAncestorOrSelf(".", "example.test"));
  EXPECT_FALSE(IsAncestorOrSelf("ample.test", "example.test"));
  EXPECT_FALSE(IsAncestorOrSelf("www.example.test", "example.test"));
  EXPECT_FALSE(IsAncestorOrSelf("b.c", "a\\.b.c"));  // one label "a.b"
  EXPECT_EQ(ParentName("www.example.test"), "example.test");
  EXPECT_EQ(ParentName("test"), ".");
  EXPECT_EQ(LabelCount("www.example.test"), 3);
  EXPECT_EQ(LabelCount("."), 0);
}

TEST(DnsQueryTest, BuiltQueryParsesWithTheRequestedRdBit) {
  for (bool rd : {true, false}) {
    absl::StatusOr<std::vector<uint8_t>> wire =
        BuildDnsQuery("www.example.test", kTypeAaaa, rd);
    ASSERT_TRUE(wire.ok()) << wire.status();
    absl::StatusOr<DnsMessage> m = ParseDnsMessage(*wire);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->header.rd, rd);
    EXPECT_FALSE(m->header.qr);
    ASSERT_EQ(m->questions.size(), 1u);
    EXPECT_EQ(m->questions[0].name, "www.example.test");
    EXPECT_EQ(m->questions[0].type, kTypeAaaa);
    EXPECT_TRUE(m->additional.empty()) << "no EDNS OPT";
  }
  EXPECT_FALSE(
      BuildDnsQuery(std::string(64, 'x') + ".test", kTypeA, true).ok());
}

TEST(ResolvConfTest, ParsesNameserversInOrder) {
  const std::vector<HostPort> servers = ParseResolvConfNameservers(
      "# comment\n"
      "search example.test\n"
      "nameserver 192.0.2.53 # trailing\n"
      "nameserver\t2001:db8::53\n"
      "; nameserver 192.0.2.99\n"
      "nameserver fe80::1%eth0\n"
      "nameserver not-an-ip\n"
      "options ndots:2\n"
      "nameserver 127.0.0.53\r\n");
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(FormatHostPort(servers[0]), "192.0.2.53:53");
  EXPECT_EQ(FormatHostPort(servers[1]), "[2001:db8::53]:53");
  EXPECT_EQ(FormatHostPort(servers[2]), "127.0.0.53:53");
  EXPECT_FALSE(ReadResolvConfNameservers("/nonexistent/resolv.conf").ok());
}

}  // namespace
}  // namespace propwatch::dns
