#include "coordinator/verify/target_policy.h"

#include "gtest/gtest.h"

namespace propwatch {
namespace {

TEST(TargetPolicyTest, NonGlobalAddresses) {
  for (const char* ip :
       {"10.1.2.3", "127.0.0.1", "169.254.169.254", "172.16.0.1",
        "172.31.255.1", "192.168.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1",
        "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "ff02::1",
        "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(IsNonGlobalAddress(ip)) << ip;
  }
  for (const char* ip : {"203.0.113.7", "8.8.8.8", "172.32.0.1", "192.0.2.1",
                         "2001:db8::1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
    EXPECT_FALSE(IsNonGlobalAddress(ip)) << ip;
  }
}

TEST(TargetPolicyTest, PrivateAddressesNeedTheFlag) {
  TargetPolicy strict({}, false);
  absl::Status s = strict.CheckAddress("169.254.169.254");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("--allow-private-targets"),
            absl::string_view::npos);
  EXPECT_TRUE(strict.CheckAddress("203.0.113.7").ok());
  EXPECT_EQ(strict.CheckAddress("not-an-ip").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(TargetPolicy({}, true).CheckAddress("127.0.0.1").ok());
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
