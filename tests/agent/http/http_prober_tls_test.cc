// HttpProber against nginx serving certificates from a CA made in the test:
// valid, wrong SAN and expired. Verification failures must still describe
// the certificate.
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/http/http_prober.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agent/http/http_prober_test_util.h"
#include "tests/agent/http/nginx_server.h"
#include "tests/agent/http/test_pki.h"
#include "tests/testing/free_port.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kValidIp[] = "127.0.0.4";
constexpr char kWrongSanIp[] = "127.0.0.5";
constexpr char kExpiredIp[] = "127.0.0.6";
constexpr char kHost[] = "www.example.test";

class HttpProberTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    port_ = FreePort();
    auto ca = TestCa::Create("propwatch test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    const absl::Time now = absl::Now();
    // Whole seconds: certificates carry no fractions.
    valid_not_after_ =
        absl::FromUnixSeconds(absl::ToUnixSeconds(now + absl::Hours(24 * 30)));
    auto valid = (*ca)->Issue({kHost,
                               {"DNS:www.example.test"},
                               now - absl::Hours(1),
                               valid_not_after_});
    auto wrong = (*ca)->Issue({"other.example.test",
                               {"DNS:other.example.test"},
                               now - absl::Hours(1),
                               valid_not_after_});
    auto expired = (*ca)->Issue({kHost,
                                 {"DNS:www.example.test"},
                                 now - absl::Hours(24 * 10),
                                 now - absl::Hours(24)});
    ASSERT_TRUE(valid.ok() && wrong.ok() && expired.ok());
    valid_ = new IssuedCertificate(*valid);
    wrong_ = new IssuedCertificate(*wrong);
    expired_ = new IssuedCertificate(*expired);
    ca_bundle_ = dir_->File("ca.pem");
    ASSERT_TRUE(WriteFile(ca_bundle_, (*ca)->cert_pem()));
    std::string servers;
    for (const auto& [name, ip, cert] :
         {std::tuple{"valid", kValidIp, valid_},
          std::tuple{"wrong", kWrongSanIp, wrong_},
          std::tuple{"expired", kExpiredIp, expired_}}) {
      const std::string crt = dir_->File(absl::StrCat(name, ".crt"));
      const std::string key = dir_->File(absl::StrCat(name, ".key"));
      ASSERT_TRUE(WriteFile(crt, cert->cert_pem));
      ASSERT_TRUE(WriteFile(key, cert->key_pem));
      absl::StrAppend(&servers, "server {\n  listen ", ip, ":", port_,
                      " ssl http2;\n  server_name ", kHost,
                      ";\n  ssl_certificate ", crt, ";\n  ssl_certificate_key ",
                      key, ";\n  location / { return 200 '", name,
                      "\\n'; }\n}\n");
    }
    NginxOptions options;
    options.work_dir = dir_->path();
    options.http_config = servers;
    options.ready_addresses = {
        {kValidIp, port_}, {kWrongSanIp, port_}, {kExpiredIp, port_}};
    auto server = NginxServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    nginx_ = server->release();
  }
  static void TearDownTestSuite() {
    delete nginx_;
    delete valid_;
    delete wrong_;
    delete expired_;
    delete dir_;
  }

  static v1::HttpProbeSpec Spec(const char* ip) {
    v1::HttpProbeSpec spec =
        HttpSpec(absl::StrCat("https://", kHost, ":", port_, "/"), ip);
    spec.set_ca_bundle(ca_bundle_);
    return spec;
  }

  static TempDir* dir_;
  static NginxServer* nginx_;
  static uint16_t port_;
  static std::string ca_bundle_;
  static absl::Time valid_not_after_;
  static IssuedCertificate* valid_;
  static IssuedCertificate* wrong_;
  static IssuedCertificate* expired_;
};

TempDir* HttpProberTlsTest::dir_ = nullptr;
NginxServer* HttpProberTlsTest::nginx_ = nullptr;
uint16_t HttpProberTlsTest::port_ = 0;
std::string HttpProberTlsTest::ca_bundle_;
absl::Time HttpProberTlsTest::valid_not_after_;
IssuedCertificate* HttpProberTlsTest::valid_ = nullptr;
IssuedCertificate* HttpProberTlsTest::wrong_ = nullptr;
IssuedCertificate* HttpProberTlsTest::expired_ = nullptr;

TEST_F(HttpProberTlsTest, ValidCertificateVerifiesAndIsDescribed) {
  ProberHarness h;
  const v1::HttpResult r = h.Run(Spec(kValidIp));
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_UNSPECIFIED) << r.error_message();
  EXPECT_EQ(r.status(), 200u);
  EXPECT_EQ(r.dialled_ip(), kValidIp);
  EXPECT_EQ(r.http_version(), "HTTP/2");
  EXPECT_TRUE(r.tls_verified());
  EXPECT_FALSE(r.tls_verify_skipped());
  EXPECT_EQ(r.tls_verify_error(), "");
  const v1::CertificateInfo& c = r.certificate();
  EXPECT_EQ(c.subject(), "CN=www.example.test,O=propwatch test");
  EXPECT_THAT(c.subject_alt_names(), ElementsAre("DNS:www.example.test"));
  EXPECT_EQ(c.issuer(), "CN=propwatch test CA,O=propwatch test");
  EXPECT_EQ(FromProtoTime(c.not_after()), valid_not_after_);
  EXPECT_LT(FromProtoTime(c.not_before()), absl::Now());
  EXPECT_EQ(c.sha256_fingerprint(), valid_->sha256_fingerprint);
  EXPECT_GT(FromProtoDuration(r.timings().tls()),
            FromProtoDuration(r.timings().connect()));
}

TEST_F(HttpProberTlsTest, Http11CanBeForced) {
  ProberHarness h;
  v1::HttpProbeSpec spec = Spec(kValidIp);
  spec.set_http_version(v1::HTTP_VERSION_1_1);
  const v1::HttpResult r = h.Run(spec);
  EXPECT_EQ(r.status(), 200u) << r.error_message();
  EXPECT_EQ(r.http_version(), "HTTP/1.1");
}

TEST_F(HttpProberTlsTest, WrongSanFailsButCertificateIsDescribed) {
  ProberHarness h;
  const v1::HttpResult r = h.Run(Spec(kWrongSanIp));
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_TLS) << r.error_message();
  EXPECT_EQ(r.status(), 0u);
  EXPECT_FALSE(r.tls_verified());
  EXPECT_THAT(r.tls_verify_error(), HasSubstr("hostname mismatch"));
  EXPECT_THAT(r.error_message(), HasSubstr(kWrongSanIp));
  EXPECT_THAT(r.certificate().subject_alt_names(),
              ElementsAre("DNS:other.example.test"));
  EXPECT_EQ(r.certificate().sha256_fingerprint(), wrong_->sha256_fingerprint);
  EXPECT_EQ(r.dialled_ip(), kWrongSanIp);
}

TEST_F(HttpProberTlsTest, ExpiredCertificateFailsButIsDescribed) {
  ProberHarness h;
  const v1::HttpResult r = h.Run(Spec(kExpiredIp));
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_TLS) << r.error_message();
  EXPECT_FALSE(r.tls_verified());
  EXPECT_EQ(r.tls_verify_error(), "certificate has expired");
  EXPECT_THAT(r.error_message(), HasSubstr("expired"));
  EXPECT_EQ(r.certificate().subject(), "CN=www.example.test,O=propwatch test");
  EXPECT_LT(FromProtoTime(r.certificate().not_after()), absl::Now());
  EXPECT_EQ(r.certificate().sha256_fingerprint(), expired_->sha256_fingerprint);
}

TEST_F(HttpProberTlsTest, UnknownCaFails) {
  ProberHarness h;
  v1::HttpProbeSpec spec = Spec(kValidIp);
  spec.clear_ca_bundle();  // the system bundle does not know the test CA
  const v1::HttpResult r = h.Run(spec);
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_TLS) << r.error_message();
  EXPECT_FALSE(r.tls_verified());
  EXPECT_THAT(r.tls_verify_error(), HasSubstr("issuer certificate"));
  EXPECT_EQ(r.certificate().sha256_fingerprint(), valid_->sha256_fingerprint);
}

TEST_F(HttpProberTlsTest, InsecureSkipVerifyIsRecorded) {
  ProberHarness h;
  v1::HttpProbeSpec spec = Spec(kExpiredIp);
  spec.set_insecure_skip_verify(true);
  const v1::HttpResult r = h.Run(spec);
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_UNSPECIFIED) << r.error_message();
  EXPECT_EQ(r.status(), 200u);
  EXPECT_FALSE(r.tls_verified());
  EXPECT_TRUE(r.tls_verify_skipped());
  EXPECT_EQ(r.tls_verify_error(),
            "verification skipped on request; it would have failed: "
            "certificate has expired");
  EXPECT_EQ(r.certificate().sha256_fingerprint(), expired_->sha256_fingerprint);
}

TEST_F(HttpProberTlsTest, CertificateDaysLeftExpectation) {
  ProberHarness h;
  v1::HttpProbeSpec spec = Spec(kValidIp);
  spec.mutable_expect()->set_tls_min_days_left(14);
  EXPECT_EQ(h.Run(spec).failures_size(), 0);

  spec.mutable_expect()->set_tls_min_days_left(60);
  const v1::HttpResult r = h.Run(spec);
  ASSERT_EQ(r.failures_size(), 1);
  EXPECT_EQ(r.failures(0).field(), "tls_min_days_left");
  EXPECT_THAT(
      r.failures(0).message(),
      HasSubstr("certificate expires in 29 days, expected at least 60"));

  v1::HttpProbeSpec expired = Spec(kExpiredIp);
  expired.mutable_expect()->set_tls_min_days_left(1);
  const v1::HttpResult e = h.Run(expired);
  ASSERT_EQ(e.failures_size(), 1);
  EXPECT_THAT(e.failures(0).message(),
              HasSubstr("certificate not verified (certificate has expired)"));
}

}  // namespace
}  // namespace propwatch::testing
