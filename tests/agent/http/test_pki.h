// A throwaway certificate authority for TLS tests.
#ifndef PROPWATCH_TESTS_AGENT_HTTP_TEST_PKI_H_
#define PROPWATCH_TESTS_AGENT_HTTP_TEST_PKI_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace propwatch::testing {

struct IssuedCertificate {
  std::string cert_pem;
  std::string key_pem;
  std::string sha256_fingerprint;  // lowercase hex of the DER
};

struct LeafOptions {
  std::string common_name;
  // "DNS:name" or "IP:addr" entries, as in openssl's subjectAltName syntax.
  std::vector<std::string> subject_alt_names;
  absl::Time not_before;
  absl::Time not_after;
  // extendedKeyUsage, in openssl's syntax: "serverAuth", "clientAuth" or
  // "serverAuth,clientAuth".
  std::string extended_key_usage = "serverAuth";
};

// An EC P-256 self-signed CA made in memory; issues leaf certificates with any
// validity window (including ones already expired). Not thread-safe.
class TestCa {
 public:
  // `common_name` becomes the CA's subject CN (and the leaves' issuer CN).
  static absl::StatusOr<std::unique_ptr<TestCa>> Create(
      const std::string& common_name);
  ~TestCa();

  const std::string& cert_pem() const { return cert_pem_; }
  absl::StatusOr<IssuedCertificate> Issue(const LeafOptions& options);

 private:
  TestCa(EVP_PKEY* key, X509* cert, std::string cert_pem);
  EVP_PKEY* key_;
  X509* cert_;
  std::string cert_pem_;
  long next_serial_ = 2;
};

// Writes `content` to `path`; false on failure.
bool WriteFile(const std::string& path, const std::string& content);

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_AGENT_HTTP_TEST_PKI_H_
