#include "agent/http/certificate_info.h"

#include <openssl/pem.h>

#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agent/http/test_pki.h"

namespace propwatch::testing {
namespace {

using ::testing::ElementsAre;

X509Ptr ParsePem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

TEST(CertificateInfoTest, DescribesEveryField) {
  auto ca = TestCa::Create("Test Root");
  ASSERT_TRUE(ca.ok());
  const absl::Time not_before = absl::FromUnixSeconds(1'700'000'000);
  const absl::Time not_after = not_before + absl::Hours(24 * 90);
  auto leaf = (*ca)->Issue({"edge.example.test",
                            {"DNS:edge.example.test", "DNS:*.edge.example.test",
                             "IP:127.0.0.9", "IP:2001:db8::9"},
                            not_before,
                            not_after});
  ASSERT_TRUE(leaf.ok());
  X509Ptr cert = ParsePem(leaf->cert_pem);
  ASSERT_NE(cert, nullptr);
  const v1::CertificateInfo info = DescribeCertificate(cert.get());
  EXPECT_EQ(info.subject(), "CN=edge.example.test,O=propwatch test");
  EXPECT_EQ(info.issuer(), "CN=Test Root,O=propwatch test");
  EXPECT_THAT(info.subject_alt_names(),
              ElementsAre("DNS:edge.example.test", "DNS:*.edge.example.test",
                          "IP:127.0.0.9", "IP:2001:db8::9"));
  EXPECT_EQ(FromProtoTime(info.not_before()), not_before);
  EXPECT_EQ(FromProtoTime(info.not_after()), not_after);
  EXPECT_EQ(info.sha256_fingerprint(), leaf->sha256_fingerprint);
  EXPECT_EQ(info.sha256_fingerprint().size(), 64u);
}

TEST(CertificateInfoTest, NullCertificateIsEmpty) {
  EXPECT_EQ(DescribeCertificate(nullptr).ByteSizeLong(), 0u);
}

TEST(CertificateInfoTest, VerifyErrorText) {
  EXPECT_EQ(VerifyErrorText(X509_V_ERR_CERT_HAS_EXPIRED),
            "certificate has expired");
}

}  // namespace
}  // namespace propwatch::testing
