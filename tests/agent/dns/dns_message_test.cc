#include "agent/dns/dns_message.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/agent/dns/dns_wire_builder.h"

namespace propwatch::dns {
namespace {

using testing::DnsWireBuilder;
using testing::kFlagAa;
using testing::kFlagQr;
using testing::kFlagTc;

// A reply for www.example.test A with the question at byte 12.
DnsWireBuilder ReplyPrefix(uint16_t flags, uint16_t an, uint16_t ns = 0,
                           uint16_t ar = 0) {
  DnsWireBuilder b;
  b.Header(0x1234, flags, 1, an, ns, ar).Question("www.example.test", kTypeA);
  return b;
}

TEST(DnsMessageTest, HeaderFlagsAndRcode) {
  DnsWireBuilder b;
  b.Header(0xBEEF, kFlagQr | kFlagAa | kFlagTc | 0x0100 | 0x0080 | 3, 0, 0, 0,
           0);
  absl::StatusOr<DnsMessage> m = ParseDnsMessage(b.bytes());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->header.id, 0xBEEF);
  EXPECT_TRUE(m->header.qr);
  EXPECT_TRUE(m->header.aa);
  EXPECT_TRUE(m->header.tc);
  EXPECT_TRUE(m->header.rd);
  EXPECT_TRUE(m->header.ra);
  EXPECT_EQ(m->rcode, kRcodeNxDomain);
  EXPECT_EQ(RcodeName(m->rcode), "NXDOMAIN");
}

TEST(DnsMessageTest, AnswersInOrderWithTtlsAndCompression) {
  DnsWireBuilder b = ReplyPrefix(kFlagQr | kFlagAa, 4);
  // www.example.test CNAME edge.example.test, compressed against the
  // question name (offset 12) and its suffix "example.test" (offset 16).
  std::vector<uint8_t> edge_target = {4, 'e', 'd', 'g', 'e', 0xC0, 16};
  b.Pointer(12).U16(kTypeCname).U16(1).U32(300).U16(7).Bytes(edge_target);
  const uint16_t edge_offset = static_cast<uint16_t>(b.size() - 7);
  b.Pointer(edge_offset)
      .U16(kTypeA)
      .U16(1)
      .U32(60)
      .U16(4)
      .Bytes(std::vector<uint8_t>{192, 0, 2, 1});
  b.Pointer(edge_offset)
      .U16(kTypeA)
      .U16(1)
      .U32(61)
      .U16(4)
      .Bytes(std::vector<uint8_t>{192, 0, 2, 2});
  b.Aaaa("edge.example.test", 0x80000000u, "2001:db8::1");
  absl::StatusOr<DnsMessage> m = ParseDnsMessage(b.bytes());
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->answers.size(), 4u);
  EXPECT_EQ(m->answers[0].name, "www.example.test");
  EXPECT_EQ(m->answers[0].data, "edge.example.test");
  EXPECT_EQ(m->answers[0].ttl, 300u);
  EXPECT_EQ(m->answers[1].name, "edge.example.test");
  EXPECT_EQ(m->answers[1].data, "192.0.2.1");
  EXPECT_EQ(m->answers[1].ttl, 60u);
  EXPECT_EQ(m->answers[2].data, "192.0.2.2");
  EXPECT_EQ(m->answers[2].ttl, 61u);
  EXPECT_EQ(m->answers[3].data, "2001:db8::1");
  EXPECT_EQ(m->answers[3].ttl, 0u) << "RFC 2181 section 8: top bit means 0";
}

TEST(DnsMessageTest, SoaNsAndUnknownTypes) {
  DnsWireBuilder b = ReplyPrefix(kFlagQr, 1, 2);
  b.NameRecord("example.test", kTypeNs, 10, "ns1.example.test");
  std::vector<uint8_t> soa = testing::EncodeName("ns1.example.test");
  std::vector<uint8_t> rname = testing::EncodeName("hostmaster.example.test");
  soa.insert(soa.end(), rname.begin(), rname.end());
  for (uint32_t v : {2024010101u, 3600u, 600u, 86400u, 60u}) {
    soa.push_back(static_cast<uint8_t>(v >> 24));
    soa.push_back(static_cast<uint8_t>(v >> 16));
    soa.push_back(static_cast<uint8_t>(v >> 8));
    soa.push_back(static_cast<uint8_t>(v));
  }
  b.Record("example.test", kTypeSoa, 60, soa);
  b.Record("example.test", 16, 5, std::vector<uint8_t>{3, 'a', 'b', 'c'});
  absl::StatusOr<DnsMessage> m = ParseDnsMessage(b.bytes());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->answers[0].data, "ns1.example.test");
  EXPECT_EQ(m->authority[0].data,
            "ns1.example.test hostmaster.example.test 2024010101");
  EXPECT_EQ(m->authority[1].data, "\\# 4 03616263");
  EXPECT_EQ(TypeName(m->authority[1].type), "TYPE16");
}

TEST(DnsMessageTest, RootAndEscapedLabels) {
  DnsWireBuilder b;
  b.Header(1, kFlagQr, 1, 1, 0, 0).Name(".").U16(kTypeNs).U16(1);
  b.Label("a.b").Label(std::string("c\\d\x01", 4)).U8(0);
  b.U16(kTypeA).U16(1).U32(1).U16(4).U32(0x7f000001);
  absl::StatusOr<DnsMessage> m = ParseDnsMessage(b.bytes());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->questions[0].name, ".");
  EXPECT_EQ(m->answers[0].name, "a\\.b.c\\\\d\\001");
}

TEST(DnsMessageTest, OptExtendsRcode) {
  DnsWireBuilder b = ReplyPrefix(kFlagQr, 0, 0, 1);
  // OPT: root owner, class = payload size, TTL = ext-rcode 1 (BADVERS=16).
  b.Name(".").U16(kTypeOpt).U16(1232).U32(0x01000000).U16(0);
  absl::StatusOr<DnsMessage> m = ParseDnsMessage(b.bytes());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->rcode, 16);
  EXPECT_EQ(RcodeName(m->rcode), "BADVERS");
}

TEST(DnsMessageTest, ExtendedRcodeUsesAllTwelveBits) {
  // RFC 6891 section 6.1.3: the OPT TTL's top byte is the upper eight bits
  // of a 12-bit RCODE. That field is not a TTL, so RFC 2181's "top bit set
  // reads as 0" must not apply to it.
  struct Case {
    uint32_t opt_ttl;
    uint8_t header_rcode;
    int rcode;
    const char* name;
  } cases[] = {
      {0x00000000, 0, 0, "NOERROR"},       {0x00008000, 3, 3, "NXDOMAIN"},
      {0x01000000, 0, 16, "BADVERS"},      {0x01000000, 7, 23, "BADCOOKIE"},
      {0x7f000000, 0, 2032, "RCODE2032"},  {0x80000000, 0, 2048, "RCODE2048"},
      {0x80008000, 0, 2048, "RCODE2048"},  {0xfe000000, 5, 4069, "RCODE4069"},
      {0xff000000, 15, 4095, "RCODE4095"},
  };
  for (const Case& c : cases) {
    DnsWireBuilder b;
    b.Header(0x1234, kFlagQr | c.header_rcode, 1, 0, 0, 1)
        .Question("www.example.test", kTypeA);
    b.Name(".").U16(kTypeOpt).U16(1232).U32(c.opt_ttl).U16(0);
    absl::StatusOr<DnsMessage> m = ParseDnsMessage(b.bytes());
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->rcode, c.rcode) << c.name;
    EXPECT_EQ(RcodeName(m->rcode), c.name);
    EXPECT_EQ(m->additional[0].ttl, c.opt_ttl) << c.name;
  }
}

struct MalformedCase {
  std::string label;
  std::vector<uint8_t> wire;
  std::string expect_in_message;
};

std::vector<MalformedCase> MalformedCases() {
  std::vector<MalformedCase> cases;
  cases.push_back({"empty", {}, "shorter than the 12-byte header"});
  cases.push_back({"eleven bytes", std::vector<uint8_t>(11, 0),
                   "shorter than the 12-byte header"});
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0);
    cases.push_back(
        {"question count but no question", b.bytes(), "runs past the end"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 2);
    b.A("www.example.test", 1, "192.0.2.1");
    cases.push_back({"answer count too high", b.bytes(), "answer record 2"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 0);
    b.A("www.example.test", 1, "192.0.2.1");
    cases.push_back({"answer count too low", b.bytes(), "bytes follow"});
  }
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0).Pointer(12).U16(1).U16(1);
    cases.push_back({"pointer to itself", b.bytes(), "loop"});
  }
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0).Label("a").Pointer(12).U16(1).U16(1);
    cases.push_back({"pointer back into its own name", b.bytes(), "loop"});
  }
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0).Pointer(40).U16(1).U16(1);
    cases.push_back({"pointer forward", b.bytes(), "loop"});
  }
  {
    // Two names pointing at each other: 12 -> 16 -> 12.
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 2, 0, 0, 0);
    b.Pointer(16).U16(1).U16(1).Pointer(12).U16(1).U16(1);
    cases.push_back({"mutual pointers", b.bytes(), "loop"});
  }
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0).U8(0xC0);
    cases.push_back({"pointer cut short", b.bytes(), "cut short"});
  }
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0).U8(0x40).U8(0).U16(1).U16(1);
    cases.push_back({"extended label type", b.bytes(), "label type"});
  }
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0).U8(10).Bytes(std::vector<uint8_t>{'a'});
    cases.push_back({"label past end", b.bytes(), "past the end"});
  }
  {
    DnsWireBuilder b;
    b.Header(1, kFlagQr, 1, 0, 0, 0);
    for (int i = 0; i < 5; ++i) b.Label(std::string(63, 'x'));
    b.U8(0).U16(1).U16(1);
    cases.push_back({"name over 255 octets", b.bytes(), "longer than 255"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 1);
    b.Record("www.example.test", kTypeA, 1, std::vector<uint8_t>{1, 2, 3});
    cases.push_back({"A with 3 bytes", b.bytes(), "RDLENGTH 3, expected 4"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 1);
    b.Record("www.example.test", kTypeAaaa, 1, std::vector<uint8_t>(4, 1));
    cases.push_back({"AAAA with 4 bytes", b.bytes(), "expected 16"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 1);
    std::vector<uint8_t> rdata = testing::EncodeName("x.test");
    rdata.push_back(0);  // one byte more than the name
    b.Record("www.example.test", kTypeCname, 1, rdata);
    cases.push_back(
        {"CNAME rdata longer than its name", b.bytes(), "RDLENGTH says"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 1);
    b.Name("www.example.test")
        .U16(kTypeCname)
        .U16(1)
        .U32(1)
        .U16(3)
        .Bytes(std::vector<uint8_t>{5, 'a', 'b'});
    cases.push_back(
        {"CNAME name runs past RDLENGTH", b.bytes(), "past the end"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 1);
    b.Record("example.test", kTypeSoa, 1, testing::EncodeName("a.test"));
    cases.push_back(
        {"SOA missing RNAME and numbers", b.bytes(), "past the end"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 1);
    b.Name("www.example.test").U16(kTypeA).U16(1).U32(1).U16(4).U8(1);
    cases.push_back({"rdata cut short", b.bytes(), "rdata"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 1);
    b.Name("www.example.test").U16(kTypeA).U16(1);
    cases.push_back(
        {"record fixed fields cut short", b.bytes(), "fixed fields"});
  }
  {
    DnsWireBuilder b = ReplyPrefix(kFlagQr, 0, 0, 2);
    b.Name(".").U16(kTypeOpt).U16(512).U32(0).U16(0);
    b.Name(".").U16(kTypeOpt).U16(512).U32(0).U16(0);
    cases.push_back({"two OPT records", b.bytes(), "more than one OPT"});
  }
  return cases;
}

TEST(DnsMessageTest, MalformedInputsAreRejectedWithAReason) {
  for (const MalformedCase& c : MalformedCases()) {
    absl::StatusOr<DnsMessage> m = ParseDnsMessage(c.wire);
    ASSERT_FALSE(m.ok()) << c.label;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << c.label;
    EXPECT_NE(m.status().message().find(c.expect_in_message),
              absl::string_view::npos)
        << c.label << ": " << m.status();
  }
}

TEST(DnsMessageTest, EveryTruncationOfAValidReplyFailsCleanly) {
  DnsWireBuilder b = ReplyPrefix(kFlagQr | kFlagAa, 2, 0, 0);
  b.NameRecord("www.example.test", kTypeCname, 5, "edge.example.test");
  b.A("edge.example.test", 5, "192.0.2.7");
  ASSERT_TRUE(ParseDnsMessage(b.bytes()).ok());
  for (size_t n = 0; n < b.size(); ++n) {
    std::vector<uint8_t> cut(b.bytes().begin(), b.bytes().begin() + n);
    EXPECT_FALSE(ParseDnsMessage(cut).ok()) << "length " << n;
  }
}

TEST(DnsMessageTest, LimitsBoundBytesAndRecords) {
  DnsWireBuilder b = ReplyPrefix(kFlagQr, 3);
  for (int i = 0; i < 3; ++i) b.A("www.example.test", 1, "192.0.2.1");
  DnsParseLimits limits;
  limits.max_records = 3;  // question + 3 answers = 4
  absl::StatusOr<DnsMessage> m = ParseDnsMessage(b.bytes(), limits);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kResourceExhausted);
  limits.max_records = 4;
  limits.max_message_bytes = b.size() - 1;
  m = ParseDnsMessage(b.bytes(), limits);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kResourceExhausted);
  limits.max_message_bytes = b.size();
  EXPECT_TRUE(ParseDnsMessage(b.bytes(), limits).ok());
}

TEST(DnsMessageTest, RcodeNamesRoundTrip) {
  for (int rcode : {0, 1, 2, 3, 4, 5, 9, 16, 23}) {
    EXPECT_EQ(RcodeFromName(RcodeName(rcode)), rcode) << rcode;
  }
  EXPECT_EQ(RcodeFromName("nxdomain"), kRcodeNxDomain);
  EXPECT_EQ(RcodeFromName("BOGUS"), -1);
  EXPECT_EQ(RcodeFromName("RCODE99999"), -1);
}

}  // namespace
}  // namespace propwatch::dns
