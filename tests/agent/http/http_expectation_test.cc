#include "agent/http/http_expectation.h"

#include <string>
#include <vector>

#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

using ::testing::ElementsAreArray;

template <typename T>
T Parse(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

// A result whose certificate expires `days` days (and one hour) after kNow.
v1::HttpResult VerifiedTls(int64_t days) {
  v1::HttpResult result = Parse<v1::HttpResult>(
      "status: 200 tls_verified: true "
      "certificate { sha256_fingerprint: 'ab' }");
  *result.mutable_certificate()->mutable_not_after() =
      ToProtoTime(kNow + absl::Hours(24 * days + 1));
  return result;
}

struct Case {
  std::string name;
  std::string expect;  // HttpExpectation text proto
  v1::HttpResult result;
  std::string body;
  // "field: message" per failure, in order.
  std::vector<std::string> failures;
};

std::vector<Case> Cases() {
  const v1::HttpResult ok200 = Parse<v1::HttpResult>(
      "status: 200 body_bytes: 5 "
      "body_sha256: "
      "'2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' "
      "headers { name: 'X-Version' value: 'v1.4' } "
      "headers { name: 'Cache-Control' value: 'no-store' } "
      "headers { name: 'Cache-Control' value: 'private' }");
  const v1::HttpResult timeout = Parse<v1::HttpResult>(
      "error_class: ERROR_CLASS_TIMEOUT "
      "error_message: 'timed out for http://a.test/ pinned to 127.0.0.2:80'");
  return {
      {"nothing expected", "", ok200, "hello", {}},
      {"status matches", "status_in: 200", ok200, "", {}},
      {"status one of", "status_in: [204, 200]", ok200, "", {}},
      {"status wrong",
       "status_in: 200",
       Parse<v1::HttpResult>("status: 404"),
       "",
       {"status_in: status 404, expected 200"}},
      {"status wrong of many",
       "status_in: [200, 204]",
       Parse<v1::HttpResult>("status: 503"),
       "",
       {"status_in: status 503, expected one of 200, 204"}},
      {"no response",
       "status_in: 200",
       timeout,
       "",
       {"status_in: no HTTP response (timed out for http://a.test/ pinned to "
        "127.0.0.2:80), expected 200"}},
      {"header full match, name case-insensitive",
       "header_matches { key: 'x-version' value: 'v1\\\\..*' }",
       ok200,
       "",
       {}},
      {"header must match whole value",
       "header_matches { key: 'x-version' value: 'v1' }",
       ok200,
       "",
       {"header_matches: header x-version 'v1.4' does not match 'v1'"}},
      {"header mismatch as in the docs",
       "header_matches { key: 'x-version' value: 'v2.*' }",
       ok200,
       "",
       {"header_matches: header x-version 'v1.4' does not match 'v2.*'"}},
      {"any repeated value may match",
       "header_matches { key: 'cache-control' value: 'private' }",
       ok200,
       "",
       {}},
      {"no repeated value matches",
       "header_matches { key: 'cache-control' value: 'public' }",
       ok200,
       "",
       {"header_matches: header cache-control 'no-store', 'private' do not "
        "match 'public'"}},
      {"header missing",
       "header_matches { key: 'x-missing' value: '.*' }",
       ok200,
       "",
       {"header_matches: header x-missing missing, expected to match '.*'"}},
      {"body regex found", "body_regex: 'ell'", ok200, "hello", {}},
      {"body regex anchored", "body_regex: '^hello$'", ok200, "hello", {}},
      {"body regex not found",
       "body_regex: 'world'",
       ok200,
       "hello",
       {"body_regex: body does not match regex 'world'"}},
      {"body regex on a truncated body says so",
       "body_regex: 'world'",
       Parse<v1::HttpResult>("status: 200 body_bytes: 100"),
       "hello",
       {"body_regex: body does not match regex 'world' in its first 5 bytes"}},
      {"body regex with no response",
       "body_regex: 'x'",
       timeout,
       "",
       {"body_regex: no HTTP response (timed out for http://a.test/ pinned to "
        "127.0.0.2:80), expected a body matching 'x'"}},
      {"body sha256 matches, uppercase accepted",
       "body_sha256: "
       "'2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824'",
       ok200,
       "",
       {}},
      {"body sha256 differs",
       "body_sha256: "
       "'0000000000000000000000000000000000000000000000000000000000000000'",
       ok200,
       "",
       {"body_sha256: body sha256 "
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 (5 "
        "bytes), expected "
        "0000000000000000000000000000000000000000000000000000000000000000"}},
      {"certificate has enough days",
       "tls_min_days_left: 14",
       VerifiedTls(30),
       "",
       {}},
      {"certificate exactly at the limit",
       "tls_min_days_left: 14",
       VerifiedTls(14),
       "",
       {}},
      {"certificate expires soon",
       "tls_min_days_left: 14",
       VerifiedTls(3),
       "",
       {"tls_min_days_left: certificate expires in 3 days, expected at least "
        "14"}},
      {"certificate expires in one day",
       "tls_min_days_left: 2",
       VerifiedTls(1),
       "",
       {"tls_min_days_left: certificate expires in 1 day, expected at least "
        "2"}},
      {"certificate not verified",
       "tls_min_days_left: 14",
       Parse<v1::HttpResult>("status: 200 tls_verified: false "
                             "tls_verify_error: 'certificate has expired' "
                             "certificate { sha256_fingerprint: 'ab' }"),
       "",
       {"tls_min_days_left: certificate not verified (certificate has "
        "expired), expected a verified certificate valid for at least 14 "
        "days"}},
      {"no certificate",
       "tls_min_days_left: 14",
       timeout,
       "",
       {"tls_min_days_left: no TLS certificate received (timed out for "
        "http://a.test/ pinned to 127.0.0.2:80), expected a verified "
        "certificate valid for at least 14 days"}},
      {"several failures in a fixed order",
       "status_in: 200 body_regex: 'x' "
       "header_matches { key: 'b' value: '1' } "
       "header_matches { key: 'a' value: '1' }",
       Parse<v1::HttpResult>("status: 500"),
       "",
       {"status_in: status 500, expected 200",
        "header_matches: header a missing, expected to match '1'",
        "header_matches: header b missing, expected to match '1'",
        "body_regex: body does not match regex 'x'"}},
      {"server text in messages is escaped and shortened",
       "header_matches { key: 'x' value: 'y' }",
       [] {
         v1::HttpResult r;
         r.set_status(200);
         v1::HeaderValue* h = r.add_headers();
         h->set_name("x");
         h->set_value(std::string(200, 'z') + "\n");
         return r;
       }(),
       "",
       {"header_matches: header x '" + std::string(120, 'z') +
        "...' does not match 'y'"}},
  };
}

TEST(HttpExpectationTest, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const auto failures = CheckHttpExpectation(
        Parse<v1::HttpExpectation>(c.expect), c.result, c.body, kNow);
    std::vector<std::string> got;
    for (const auto& f : failures)
      got.push_back(f.field() + ": " + f.message());
    EXPECT_THAT(got, ElementsAreArray(c.failures));
  }
}

TEST(HttpExpectationTest, ExpiredCertificateCountsDaysAgo) {
  v1::HttpResult result = VerifiedTls(0);
  *result.mutable_certificate()->mutable_not_after() =
      ToProtoTime(kNow - absl::Hours(24 * 2 + 1));
  const auto failures = CheckHttpExpectation(
      Parse<v1::HttpExpectation>("tls_min_days_left: 1"), result, "", kNow);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].message(),
            "certificate expired 2 days ago, expected at least 1 days left");
}

TEST(HttpExpectationTest, HostileBodyRegexStaysLinear) {
  // Backtracking engines take exponential time on this; the check must not.
  const std::string body(1 << 20, 'a');
  const auto failures = CheckHttpExpectation(
      Parse<v1::HttpExpectation>("body_regex: '(a+)+c'"),
      Parse<v1::HttpResult>("status: 200 body_bytes: 1048576"), body, kNow);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].field(), "body_regex");
}

}  // namespace
}  // namespace propwatch
