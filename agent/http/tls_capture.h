// Sees the peer's certificate chain during the TLS handshake, so a result
// describes the certificate even when verification rejects it.
#ifndef PROPWATCH_AGENT_HTTP_TLS_CAPTURE_H_
#define PROPWATCH_AGENT_HTTP_TLS_CAPTURE_H_

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

#include "absl/status/status.h"
#include "agent/http/certificate_info.h"

namespace propwatch {

// With CURLOPT_SSL_VERIFYPEER on, a bad certificate aborts the handshake and
// libcurl never exposes the peer's certificate. This hooks
// CURLOPT_SSL_CTX_FUNCTION to install an OpenSSL certificate verification
// procedure (SSL_CTX_set_cert_verify_callback) that keeps a reference to the
// leaf, verifies the chain and the URL's host itself (X509_check_host rules,
// RFC 6125), records the outcome and then returns it, so OpenSSL still fails
// the handshake when verification is on. With verification off the outcome
// is recorded and ignored.
//
// Threading: not thread-safe; one transfer's callbacks use it. It must
// outlive every handshake of the easy handle it is installed on.
class TlsCapture {
 public:
  TlsCapture() = default;
  TlsCapture(const TlsCapture&) = delete;
  TlsCapture& operator=(const TlsCapture&) = delete;

  // `host` is the URL's host (name or IP literal, without brackets).
  // `ca_bundle` is the PEM bundle libcurl was given ("" for the system
  // store): with verification off libcurl loads no trust anchors, so they are
  // loaded here to keep the recorded "would have failed" reason truthful.
  // Returns an error when libcurl's TLS backend is not OpenSSL.
  absl::Status Install(CURL* easy, std::string host, bool enforce,
                       std::string ca_bundle);

  // Forgets the previous handshake (before a followed redirect).
  void Reset();

  // True once a peer certificate was seen.
  bool saw_certificate() const { return leaf_ != nullptr; }
  X509* leaf() const { return leaf_.get(); }
  // X509_V_OK when the chain and the host verified.
  long verify_result() const { return verify_result_; }

 private:
  static CURLcode SslCtxTrampoline(CURL* easy, void* ssl_ctx, void* userp);
  static int VerifyTrampoline(X509_STORE_CTX* store, void* arg);
  CURLcode OnSslCtx(SSL_CTX* ctx);
  int OnVerify(X509_STORE_CTX* store);

  std::string host_;
  bool enforce_ = true;
  std::string ca_bundle_;
  X509Ptr leaf_;
  long verify_result_ = X509_V_OK;
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_TLS_CAPTURE_H_
