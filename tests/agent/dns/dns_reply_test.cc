#include "agent/dns/dns_reply.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsResult;

DnsRecord Rr(std::string name, uint16_t type, std::string data,
             uint32_t ttl = 60) {
  return DnsRecord{std::move(name), type, kClassIn, ttl, std::move(data)};
}

DnsMessage Reply(int rcode, std::vector<DnsRecord> answers,
                 uint16_t qtype = kTypeA, bool aa = false) {
  DnsMessage m;
  m.header.qr = true;
  m.header.aa = aa;
  m.rcode = rcode;
  m.questions = {{"www.example.test", qtype, kClassIn}};
  m.answers = std::move(answers);
  return m;
}

struct Case {
  std::string label;
  DnsMessage reply;
  uint16_t type;
  propwatch::v1::ErrorClass error_class;
  std::vector<std::string> chain;
  std::vector<std::string> addresses;
};

TEST(DnsReplyTest, Table) {
  std::vector<Case> cases = {
      {"two A records in order",
       Reply(0, {Rr("www.example.test", kTypeA, "192.0.2.2"),
                 Rr("www.example.test", kTypeA, "192.0.2.1")}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_UNSPECIFIED,
       {},
       {"192.0.2.2", "192.0.2.1"}},
      {"CNAME chain to addresses, case-insensitive owners",
       Reply(0, {Rr("WWW.example.test", kTypeCname, "a.example.net"),
                 Rr("a.example.net", kTypeCname, "b.example.org"),
                 Rr("B.Example.Org", kTypeA, "198.51.100.1")}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_UNSPECIFIED,
       {"www.example.test", "a.example.net", "b.example.org"},
       {"198.51.100.1"}},
      {"addresses off the chain are ignored",
       Reply(0, {Rr("www.example.test", kTypeA, "192.0.2.1"),
                 Rr("evil.example", kTypeA, "203.0.113.9")}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_UNSPECIFIED,
       {},
       {"192.0.2.1"}},
      {"chain out of order still followed",
       Reply(0, {Rr("a.example.net", kTypeA, "192.0.2.5"),
                 Rr("www.example.test", kTypeCname, "a.example.net")}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_UNSPECIFIED,
       {"www.example.test", "a.example.net"},
       {"192.0.2.5"}},
      {"CNAME without data is NODATA",
       Reply(0, {Rr("www.example.test", kTypeCname, "a.example.net")},
             kTypeAaaa),
       kTypeAaaa,
       propwatch::v1::ERROR_CLASS_NODATA,
       {"www.example.test", "a.example.net"},
       {}},
      {"CNAME question answered",
       Reply(0, {Rr("www.example.test", kTypeCname, "a.example.net")},
             kTypeCname),
       kTypeCname,
       propwatch::v1::ERROR_CLASS_UNSPECIFIED,
       {"www.example.test", "a.example.net"},
       {}},
      {"CNAME question without CNAME is NODATA",
       Reply(0, {}, kTypeCname),
       kTypeCname,
       propwatch::v1::ERROR_CLASS_NODATA,
       {},
       {}},
      {"empty NOERROR is NODATA",
       Reply(0, {}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_NODATA,
       {},
       {}},
      {"NXDOMAIN",
       Reply(kRcodeNxDomain, {}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_NXDOMAIN,
       {},
       {}},
      {"SERVFAIL",
       Reply(kRcodeServFail, {}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_SERVFAIL,
       {},
       {}},
      {"REFUSED",
       Reply(kRcodeRefused, {}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_REFUSED,
       {},
       {}},
      {"NOTIMP",
       Reply(kRcodeNotImp, {}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_PROTOCOL,
       {},
       {}},
      {"CNAME loop",
       Reply(0, {Rr("www.example.test", kTypeCname, "a.example.net"),
                 Rr("a.example.net", kTypeCname, "www.example.test")}),
       kTypeA,
       propwatch::v1::ERROR_CLASS_MALFORMED,
       {"www.example.test", "a.example.net"},
       {}},
      {"wrong question",
       Reply(0, {}, kTypeAaaa),
       kTypeA,
       propwatch::v1::ERROR_CLASS_MALFORMED,
       {},
       {}},
  };
  for (const Case& c : cases) {
    DnsResult result;
    ReadReplyInto(c.reply, "www.example.test", c.type, "127.0.0.1:53", &result);
    EXPECT_EQ(result.error_class(), c.error_class) << c.label;
    EXPECT_EQ(std::vector<std::string>(result.cname_chain().begin(),
                                       result.cname_chain().end()),
              c.chain)
        << c.label;
    EXPECT_EQ(std::vector<std::string>(result.addresses().begin(),
                                       result.addresses().end()),
              c.addresses)
        << c.label;
    EXPECT_EQ(result.answers_size(), static_cast<int>(c.reply.answers.size()))
        << c.label;
    if (c.error_class != propwatch::v1::ERROR_CLASS_UNSPECIFIED) {
      EXPECT_NE(result.error_message().find("127.0.0.1:53"), std::string::npos)
          << c.label << ": " << result.error_message();
    }
  }
}

TEST(DnsReplyTest, RcodeAaAndAnswersCopied) {
  DnsMessage reply =
      Reply(0, {Rr("www.example.test", kTypeA, "192.0.2.1", 42)}, kTypeA,
            /*aa=*/true);
  DnsResult result;
  ReadReplyInto(reply, "www.example.test", kTypeA, "127.0.0.1:53", &result);
  EXPECT_EQ(result.rcode(), "NOERROR");
  EXPECT_TRUE(result.authoritative_answer());
  ASSERT_EQ(result.answers_size(), 1);
  EXPECT_EQ(result.answers(0).ttl(), 42u);
  EXPECT_EQ(result.answers(0).type(), propwatch::v1::RECORD_TYPE_A);
}

TEST(DnsReplyTest, ReferralIsNamedInNodataMessage) {
  DnsMessage reply = Reply(0, {});
  reply.authority = {Rr("example.test", kTypeNs, "ns1.example.test")};
  DnsResult result;
  ReadReplyInto(reply, "www.example.test", kTypeA, "127.0.0.1:53", &result);
  EXPECT_EQ(result.error_class(), propwatch::v1::ERROR_CLASS_NODATA);
  EXPECT_NE(result.error_message().find("referral to example.test"),
            std::string::npos)
      << result.error_message();
}

}  // namespace
}  // namespace propwatch::dns
