// The small pieces: URL splitting, hostname normalization, fingerprints,
// sentence helpers, evidence.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "coordinator/engine/evidence.h"
#include "coordinator/engine/fingerprint.h"
#include "coordinator/engine/summary_text.h"
#include "coordinator/engine/url_parts.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

using ::testing::ElementsAre;

struct UrlCase {
  std::string url;
  std::string host;
  std::string path;
};

class SplitUrlTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(SplitUrlTest, Splits) {
  UrlParts parts = SplitUrl(GetParam().url);
  EXPECT_EQ(parts.host, GetParam().host);
  EXPECT_EQ(parts.path, GetParam().path);
}

INSTANTIATE_TEST_SUITE_P(
    Engine, SplitUrlTest,
    ::testing::ValuesIn(std::vector<UrlCase>{
        {"https://octopus.com/signin", "octopus.com", "/signin"},
        {"https://octopus.com", "octopus.com", "/"},
        {"http://octopus.com:8080/docs?x=1#top", "octopus.com", "/docs?x=1"},
        {"https://[2001:db8::1]:443/a", "2001:db8::1", "/a"},
        {"https://user@octopus.com/", "octopus.com", "/"},
        {"octopus.com/blog", "octopus.com", "/blog"},
        {"https://octopus.com?q", "octopus.com", "/"},
        {"", "", "/"},
    }));

TEST(HostnameTest, Normalizes) {
  EXPECT_EQ(NormalizeHostname("WWW.Example.COM."), "www.example.com");
  EXPECT_TRUE(IsNormalizedHostname("www.example.com"));
  EXPECT_FALSE(IsNormalizedHostname("www.Example.com"));
  EXPECT_FALSE(IsNormalizedHostname("www.example.com."));
}

TEST(FingerprintTest, StatusCertHeadersAndOptionalBody) {
  v1::HttpResult http;
  http.set_status(200);
  http.mutable_certificate()->set_sha256_fingerprint(std::string(64, 'a'));
  http.set_body_sha256(std::string(64, 'b'));
  auto* header = http.add_headers();
  header->set_name("X-Version");
  header->set_value("42");
  v1::VerificationSpec spec;
  std::string fingerprint;
  AgreementFingerprint(http, spec, &fingerprint);
  EXPECT_EQ(fingerprint, "status=200 cert=aaaaaaaaaaaaaaaa");
  spec.add_fingerprint_headers("x-version");
  spec.add_fingerprint_headers("ETag");
  spec.set_fingerprint_body(true);
  AgreementFingerprint(http, spec, &fingerprint);
  EXPECT_EQ(fingerprint,
            "status=200 cert=aaaaaaaaaaaaaaaa x-version=42 etag=- "
            "body=bbbbbbbbbbbbbbbb");
  http.set_error_class(v1::ERROR_CLASS_TLS);
  AgreementFingerprint(http, spec, &fingerprint);
  EXPECT_EQ(fingerprint, "error=tls");
}

TEST(SummaryTextTest, JoinsAndOrders) {
  EXPECT_EQ(JoinWithAnd({}), "");
  EXPECT_EQ(JoinWithAnd({"eu"}), "eu");
  EXPECT_EQ(JoinWithAnd({"eu", "us"}), "eu and us");
  EXPECT_EQ(JoinWithAnd({"ap", "eu", "us"}), "ap, eu and us");
  v1::VerificationSpec spec;
  spec.add_paths("/signin");
  spec.add_paths("/docs");
  EXPECT_THAT(OrderPaths({"/docs", "/signin", "/a"}, spec),
              ElementsAre("/signin", "/docs", "/a"));
  EXPECT_EQ(Count(1, "probe", "probes"), "1 probe");
  EXPECT_EQ(Count(2, "probe", "probes"), "2 probes");
}

TEST(EvidenceTest, HexSortedDedupedAndCapped) {
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) {
    keys.push_back(std::string("\x04k", 2) + static_cast<char>(99 - i));
  }
  v1::Diagnosis diagnosis;
  SetEvidence(keys, {3, 1, 3}, &diagnosis);
  EXPECT_THAT(diagnosis.evidence(),
              ElementsAre(absl::BytesToHexString(keys[3]),
                          absl::BytesToHexString(keys[1])));
  std::vector<uint32_t> all;
  for (uint32_t i = 0; i < 50; ++i) all.push_back(i);
  SetEvidence(keys, all, &diagnosis);
  EXPECT_EQ(diagnosis.evidence_size(),
            static_cast<int>(kMaxEvidencePerDiagnosis));
  EXPECT_EQ(diagnosis.evidence(0), absl::BytesToHexString(keys[49]));
  SetEvidence({}, all, &diagnosis);
  EXPECT_EQ(diagnosis.evidence_size(), 0);
}

}  // namespace
}  // namespace propwatch
