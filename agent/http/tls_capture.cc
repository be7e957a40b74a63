#include "agent/http/tls_capture.h"

#include <openssl/x509_vfy.h>

#include "absl/strings/str_cat.h"
#include "common/host_port.h"

namespace propwatch {

absl::Status TlsCapture::Install(CURL* easy, std::string host, bool enforce,
                                 std::string ca_bundle) {
  host_ = std::move(host);
  enforce_ = enforce;
  ca_bundle_ = std::move(ca_bundle);
  CURLcode rc =
      curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &SslCtxTrampoline);
  if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, this);
  if (rc != CURLE_OK) {
    return absl::FailedPreconditionError(absl::StrCat(
        "libcurl cannot expose its TLS context (needs the OpenSSL backend): ",
        curl_easy_strerror(rc)));
  }
  return absl::OkStatus();
}

void TlsCapture::Reset() {
  leaf_.reset();
  verify_result_ = X509_V_OK;
}

CURLcode TlsCapture::SslCtxTrampoline(CURL*, void* ssl_ctx, void* userp) {
  return static_cast<TlsCapture*>(userp)->OnSslCtx(
      static_cast<SSL_CTX*>(ssl_ctx));
}

int TlsCapture::VerifyTrampoline(X509_STORE_CTX* store, void* arg) {
  return static_cast<TlsCapture*>(arg)->OnVerify(store);
}

CURLcode TlsCapture::OnSslCtx(SSL_CTX* ctx) {
  // libcurl builds one SSL_CTX per connection and calls this before SSL_new,
  // so the procedure applies to exactly this transfer's handshakes. OpenSSL
  // calls it whatever the verify mode, so the leaf is seen even with
  // verification off.
  SSL_CTX_set_cert_verify_callback(ctx, &VerifyTrampoline, this);
  if (!enforce_) {
    // Failing to load only makes the informational reason less precise.
    if (ca_bundle_.empty()) {
      SSL_CTX_set_default_verify_paths(ctx);
    } else {
      SSL_CTX_load_verify_locations(ctx, ca_bundle_.c_str(), nullptr);
    }
  }
  return CURLE_OK;
}

int TlsCapture::OnVerify(X509_STORE_CTX* store) {
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (leaf != nullptr && X509_up_ref(leaf) == 1) leaf_.reset(leaf);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(store);
  if (IsIpLiteral(host_)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host_.c_str(), host_.size());
  }
  const int ok = X509_verify_cert(store);
  if (ok == 1) {
    verify_result_ = X509_V_OK;
  } else {
    verify_result_ = X509_STORE_CTX_get_error(store);
    // A failure must never read as success, whatever the store reported.
    if (verify_result_ == X509_V_OK) verify_result_ = X509_V_ERR_UNSPECIFIED;
  }
  return enforce_ ? ok : 1;
}

}  // namespace propwatch
