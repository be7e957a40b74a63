// Facts about an X.509 certificate in the result's terms.
#ifndef PROPWATCH_AGENT_HTTP_CERTIFICATE_INFO_H_
#define PROPWATCH_AGENT_HTTP_CERTIFICATE_INFO_H_

#include <openssl/x509.h>

#include <memory>
#include <string>

#include "propwatch/v1/probe.pb.h"

namespace propwatch {

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// Subject and issuer as RFC 2253 strings ("CN=www.example.test,O=Example"),
// SANs as "DNS:name" / "IP:addr" (other kinds "email:", "URI:"), validity
// bounds, and the lowercase hex SHA-256 of the DER encoding.
v1::CertificateInfo DescribeCertificate(X509* cert);

// X509_verify_cert_error_string for `code`, e.g. "certificate has expired".
std::string VerifyErrorText(long code);

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_CERTIFICATE_INFO_H_
