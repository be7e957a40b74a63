#include "common/host_port.h"

#include "gtest/gtest.h"

namespace propwatch {
namespace {

struct Case {
  const char* text;
  const char* host;
  uint16_t port;
};

TEST(HostPortTest, ParsesTheAcceptedForms) {
  const Case cases[] = {
      {"127.0.0.1", "127.0.0.1", 53},
      {"127.0.0.1:5353", "127.0.0.1", 5353},
      {"localhost:7411", "localhost", 7411},
      {"[::1]", "::1", 53},
      {"[::1]:8053", "::1", 8053},
      {"2001:db8::1", "2001:db8::1", 53},
      {"127.0.0.1:0", "127.0.0.1", 0},
  };
  for (const Case& c : cases) {
    auto hp = ParseHostPort(c.text, 53);
    ASSERT_TRUE(hp.ok()) << c.text << ": " << hp.status();
    EXPECT_EQ(hp->host, c.host) << c.text;
    EXPECT_EQ(hp->port, c.port) << c.text;
  }
}

TEST(HostPortTest, RejectsWithAMessageNamingTheInput) {
  for (const char* bad : {"", ":53", "host:", "host:65536", "host:x", "[::1",
                          "[::1]x", "[host]:1", "1:2:3:zz"}) {
    auto hp = ParseHostPort(bad, 53);
    EXPECT_FALSE(hp.ok()) << bad;
    if (*bad != '\0') {
      EXPECT_NE(hp.status().message().find(bad), absl::string_view::npos)
          << hp.status();
    }
  }
}

TEST(HostPortTest, FormatBracketsIpv6) {
  EXPECT_EQ(FormatHostPort({"::1", 53}), "[::1]:53");
  EXPECT_EQ(FormatHostPort({"10.0.0.1", 80}), "10.0.0.1:80");
}

TEST(HostPortTest, IsIpLiteral) {
  EXPECT_TRUE(IsIpLiteral("203.0.113.7"));
  EXPECT_TRUE(IsIpLiteral("2001:db8::7"));
  EXPECT_FALSE(IsIpLiteral("example.com"));
  EXPECT_FALSE(IsIpLiteral("203.0.113.256"));
}

}  // namespace
}  // namespace propwatch
