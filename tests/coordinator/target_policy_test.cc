#include "coordinator/verify/target_policy.h"

#include <string>

#include "gtest/gtest.h"

namespace propwatch {
namespace {

struct RangeCase {
  const char* ip;
  // The range the refusal must name ("" for a global address).
  const char* range;
};

// Every IANA special-purpose range (RFC 6890 registries) that the policy
// refuses, one address inside each, plus the embeddings of IPv4 in IPv6
// that are judged by the IPv4 address they carry.
constexpr RangeCase kNonGlobal[] = {
    {"0.0.0.0", "0.0.0.0/8"},
    {"0.1.2.3", "0.0.0.0/8"},
    {"10.1.2.3", "10.0.0.0/8"},
    {"100.64.0.1", "100.64.0.0/10"},
    {"100.127.255.254", "100.64.0.0/10"},
    {"127.0.0.1", "127.0.0.0/8"},
    {"127.255.0.9", "127.0.0.0/8"},
    {"169.254.169.254", "169.254.0.0/16"},
    {"172.16.0.1", "172.16.0.0/12"},
    {"172.31.255.1", "172.16.0.0/12"},
    {"192.0.0.1", "192.0.0.0/24"},
    {"192.0.0.170", "192.0.0.0/24"},
    {"192.0.2.1", "192.0.2.0/24"},
    {"192.88.99.1", "192.88.99.0/24"},
    {"192.168.1.1", "192.168.0.0/16"},
    {"198.18.0.1", "198.18.0.0/15"},
    {"198.19.255.254", "198.18.0.0/15"},
    {"198.51.100.7", "198.51.100.0/24"},
    {"203.0.113.7", "203.0.113.0/24"},
    {"224.0.0.1", "224.0.0.0/4"},
    {"239.255.255.250", "224.0.0.0/4"},
    {"240.0.0.1", "240.0.0.0/4"},
    {"255.255.255.254", "240.0.0.0/4"},
    {"255.255.255.255", "255.255.255.255/32"},
    {"::", "::/128"},
    {"::1", "::1/128"},
    {"::a9fe:a9fe", "::/96"},
    {"::8.8.8.8", "::/96"},
    {"::ffff:10.0.0.1", "10.0.0.0/8"},
    {"::ffff:169.254.169.254", "169.254.0.0/16"},
    {"::ffff:127.0.0.1", "127.0.0.0/8"},
    {"64:ff9b::a9fe:a9fe", "169.254.0.0/16"},
    {"64:ff9b::7f00:1", "127.0.0.0/8"},
    {"64:ff9b::10.0.0.1", "10.0.0.0/8"},
    {"64:ff9b:1::8.8.8.8", "64:ff9b:1::/48"},
    {"64:ff9b:1:ffff::1", "64:ff9b:1::/48"},
    {"100::1", "100::/64"},
    {"2001::1", "2001::/32"},
    {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32"},
    {"2001:2::1", "2001:2::/48"},
    {"2001:10::1", "2001:10::/28"},
    {"2001:db8::1", "2001:db8::/32"},
    {"2002:a9fe:a9fe::1", "169.254.0.0/16"},
    {"2002:7f00:1::", "127.0.0.0/8"},
    {"2002:c0a8:101::1", "192.168.0.0/16"},
    {"3fff::1", "3fff::/20"},
    {"5f00::1", "5f00::/16"},
    {"fc00::1", "fc00::/7"},
    {"fd00::1", "fc00::/7"},
    {"fe80::1", "fe80::/10"},
    {"febf::1", "fe80::/10"},
    {"fec0::1", "fec0::/10"},
    {"ff02::1", "ff00::/8"},
    {"ff0e::1", "ff00::/8"},
    {"4000::1", "2000::/3"},
    {"1::1", "2000::/3"},
};

constexpr const char* kGlobal[] = {
    "8.8.8.8",
    "1.1.1.1",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "172.15.255.255",
    "172.32.0.1",
    "191.255.255.255",
    "192.0.1.255",
    "192.0.3.0",
    "192.88.98.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "198.51.99.255",
    "198.51.101.0",
    "203.0.112.255",
    "203.0.114.0",
    "223.255.255.255",
    "2606:4700::1111",
    "2a00:1450:4001:80b::200e",
    "2001:4860:4860::8888",
    "2001:1::1",  // PCP anycast: globally reachable (RFC 7723)
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  // DNS64/NAT64 for a public IPv4 (RFC 6052 3.1)
    "2002:808:808::1",
};

TEST(TargetPolicyTest, EverySpecialPurposeRangeIsNonGlobal) {
  for (const RangeCase& c : kNonGlobal) {
    EXPECT_TRUE(IsNonGlobalAddress(c.ip)) << c.ip;
    std::optional<NonGlobalRange> range = FindNonGlobalRange(c.ip);
    ASSERT_TRUE(range.has_value()) << c.ip;
    EXPECT_EQ(range->prefix, c.range) << c.ip << ": " << range->description;
    EXPECT_FALSE(range->description.empty()) << c.ip;
  }
}

TEST(TargetPolicyTest, GlobalAddresses) {
  for (const char* ip : kGlobal) {
    EXPECT_FALSE(IsNonGlobalAddress(ip)) << ip;
    EXPECT_FALSE(FindNonGlobalRange(ip).has_value()) << ip;
    EXPECT_TRUE(TargetPolicy({}, false).CheckAddress(ip).ok()) << ip;
  }
}

TEST(TargetPolicyTest, RefusalNamesTheRangeAndTheFlag) {
  TargetPolicy strict({}, false);
  TargetPolicy lab({}, true);
  for (const RangeCase& c : kNonGlobal) {
    absl::Status s = strict.CheckAddress(c.ip);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << c.ip;
    EXPECT_NE(s.message().find(c.ip), absl::string_view::npos) << s;
    EXPECT_NE(s.message().find(c.range), absl::string_view::npos) << s;
    EXPECT_NE(s.message().find("--allow-private-targets"),
              absl::string_view::npos)
        << s;
    EXPECT_TRUE(lab.CheckAddress(c.ip).ok()) << c.ip;
  }
}

TEST(TargetPolicyTest, EmbeddedAddressesNameTheEmbedding) {
  absl::Status s =
      TargetPolicy({}, false).CheckAddress("::ffff:169.254.169.254");
  EXPECT_NE(s.message().find("IPv4-mapped"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("cloud metadata"), absl::string_view::npos) << s;
  s = TargetPolicy({}, false).CheckAddress("2002:a9fe:a9fe::1");
  EXPECT_NE(s.message().find("6to4"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("169.254.169.254"), absl::string_view::npos) << s;
  s = TargetPolicy({}, false).CheckAddress("64:ff9b::7f00:1");
  EXPECT_NE(s.message().find("NAT64"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("127.0.0.1"), absl::string_view::npos) << s;
}

TEST(TargetPolicyTest, PrivateAddressesNeedTheFlag) {
  TargetPolicy strict({}, false);
  absl::Status s = strict.CheckAddress("169.254.169.254");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "169.254.169.254 is link-local (cloud metadata) in "
            "169.254.0.0/16; refused unless the coordinator runs with "
            "--allow-private-targets");
  EXPECT_TRUE(strict.CheckAddress("8.8.8.8").ok());
  for (const char* bad : {"not-an-ip", "", "1.2.3", "1.2.3.4:53", "[::1]",
                          "fe80::1%eth0", "::ffff:1.2.3.256"}) {
    EXPECT_EQ(strict.CheckAddress(bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_TRUE(IsNonGlobalAddress(bad)) << bad;
  }
  EXPECT_TRUE(TargetPolicy({}, true).CheckAddress("127.0.0.1").ok());
  EXPECT_TRUE(TargetPolicy({}, true).CheckAddress("203.0.113.7").ok());
}

TEST(TargetPolicyTest, HostnamePatterns) {
  TargetPolicy policy({"*.Example.com", "status.example.org"}, false);
  EXPECT_TRUE(policy.CheckHostname("www.example.com").ok());
  EXPECT_TRUE(policy.CheckHostname("a.b.example.com").ok());
  EXPECT_TRUE(policy.CheckHostname("status.example.org").ok());
  EXPECT_FALSE(policy.CheckHostname("example.com").ok());
  EXPECT_FALSE(policy.CheckHostname("evilexample.com").ok());
  absl::Status s = policy.CheckHostname("intranet.corp");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("--allow-target"), absl::string_view::npos);
  EXPECT_TRUE(TargetPolicy({}, false).CheckHostname("anything.test").ok());
}

}  // namespace
}  // namespace propwatch
