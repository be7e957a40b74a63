#include "agent/http/http_probe_plan.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::HttpProbeSpec Spec(const std::string& text) {
  v1::HttpProbeSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &spec));
  return spec;
}

TEST(HttpProbePlanTest, AppliesDefaults) {
  auto plan = PlanHttpProbe(
      Spec("url: 'https://WWW.Example.test/signin' pinned_ip: '127.0.0.2'"),
      HttpProbeLimits{});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->scheme, "https");
  EXPECT_EQ(plan->url_port, 443);
  EXPECT_EQ(plan->dial_port, 443);
  EXPECT_EQ(plan->method, "GET");
  EXPECT_EQ(plan->connect_timeout, absl::Seconds(5));
  EXPECT_EQ(plan->total_timeout, absl::Seconds(10));
  EXPECT_EQ(plan->body_cap, 1u << 20);
  EXPECT_EQ(plan->keep_body_bytes, 0u);
  EXPECT_EQ(ConnectToEntry(*plan), "::127.0.0.2:443");
}

TEST(HttpProbePlanTest, CanonicalisesAndBracketsIpv6) {
  auto plan = PlanHttpProbe(
      Spec("url: 'http://[2001:DB8::0:1]:8080/' pinned_ip: '2001:db8:0::5' "
           "port: 9090"),
      HttpProbeLimits{});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->host, "2001:db8::1");
  EXPECT_EQ(plan->url_port, 8080);
  EXPECT_TRUE(plan->pinned_ipv6);
  EXPECT_EQ(plan->pinned_ip, "2001:db8::5");
  EXPECT_EQ(ConnectToEntry(*plan), "::[2001:db8::5]:9090");
}

TEST(HttpProbePlanTest, CapturesRecordedAndExpectedHeadersOnce) {
  auto plan = PlanHttpProbe(
      Spec("url: 'http://a.test/' pinned_ip: '127.0.0.1' "
           "record_headers: ['X-Version', 'server'] "
           "expect { header_matches { key: 'x-version' value: 'v.*' } "
           "header_matches { key: 'ETag' value: '.*' } body_regex: 'ok' }"),
      HttpProbeLimits{});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->capture_headers,
              ElementsAre("etag", "server", "x-version"));
  EXPECT_EQ(plan->keep_body_bytes, 1u << 20);
}

TEST(HttpProbePlanTest, ConnectTimeoutNeverExceedsTotal) {
  auto plan = PlanHttpProbe(
      Spec("url: 'http://a.test/' pinned_ip: '127.0.0.1' "
           "total_timeout { seconds: 2 } connect_timeout { seconds: 4 }"),
      HttpProbeLimits{});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->connect_timeout, absl::Seconds(2));
}

TEST(HttpProbePlanTest, RejectsBadSpecsNamingTheField) {
  struct Case {
    std::string spec;
    std::string error_has;
  };
  const std::vector<Case> cases = {
      {"url: 'ftp://a.test/' pinned_ip: '127.0.0.1'", "http:// or https://"},
      {"url: 'not a url' pinned_ip: '127.0.0.1'", "does not parse"},
      {"url: 'http://a.test/' pinned_ip: 'a.test'", "pinned_ip 'a.test'"},
      {"url: 'http://a.test/' pinned_ip: ''", "pinned_ip ''"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' port: 70000", "port"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' method: 'GE T'",
       "method 'GE T'"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "headers: 'X-A: 1\\r\\nX-B: 2'",
       "CR, LF or NUL"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' headers: 'no colon'",
       "'Name: value'"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' headers: 'Host: b.test'",
       "URL's host"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "total_timeout { seconds: -1 }",
       "total_timeout"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "total_timeout { seconds: 3600 }",
       "total_timeout"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "body_cap_bytes: 1000000000",
       "body_cap_bytes"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "expect { body_regex: '(' }",
       "expect.body_regex"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "expect { body_regex: '(a)\\\\1' }",
       "expect.body_regex"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "expect { header_matches { key: 'x' value: '[' } }",
       "expect.header_matches[x]"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "expect { body_sha256: 'abc' }",
       "expect.body_sha256"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "expect { tls_min_days_left: 3 }",
       "https://"},
      {"url: 'http://a.test/' pinned_ip: '127.0.0.1' "
       "expect { status_in: 42 }",
       "status_in"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.spec);
    auto plan = PlanHttpProbe(Spec(c.spec), HttpProbeLimits{});
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(plan.status().message()), HasSubstr(c.error_has));
  }
}

TEST(HttpProbePlanTest, SameOriginComparesSchemeHostAndPort) {
  auto plan = PlanHttpProbe(
      Spec("url: 'http://www.example.test:8080/a' pinned_ip: '127.0.0.1'"),
      HttpProbeLimits{});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(IsSameOrigin(*plan, "http://WWW.example.test:8080/b?c"));
  EXPECT_FALSE(IsSameOrigin(*plan, "https://www.example.test:8080/b"));
  EXPECT_FALSE(IsSameOrigin(*plan, "http://www.example.test/b"));
  EXPECT_FALSE(IsSameOrigin(*plan, "http://evil.test:8080/b"));
  EXPECT_FALSE(IsSameOrigin(*plan, "garbage"));
}

}  // namespace
}  // namespace propwatch
