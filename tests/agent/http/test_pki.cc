#include "tests/agent/http/test_pki.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace propwatch::testing {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

std::string Pem(X509* cert) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, length);
}

std::string Pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                           nullptr);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, length);
}

bool SetTime(ASN1_TIME* field, absl::Time t) {
  return ASN1_TIME_set(field, absl::ToTimeT(t)) != nullptr;
}

bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

X509* NewCert(long serial, const std::string& cn, EVP_PKEY* key,
              absl::Time not_before, absl::Time not_after) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("propwatch test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  SetTime(X509_getm_notBefore(cert), not_before);
  SetTime(X509_getm_notAfter(cert), not_after);
  X509_set_pubkey(cert, key);
  return cert;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestCa>> TestCa::Create(
    const std::string& common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return absl::InternalError("EVP_EC_gen failed");
  const absl::Time now = absl::Now();
  X509* cert = NewCert(1, common_name, key, now - absl::Hours(24),
                       now + absl::Hours(24 * 365));
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  if (!AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExtension(cert, cert, NID_key_usage,
                    "critical,keyCertSign,cRLSign") ||
      !AddExtension(cert, cert, NID_subject_key_identifier, "hash") ||
      X509_sign(cert, key, EVP_sha256()) == 0) {
    X509_free(cert);
    EVP_PKEY_free(key);
    return absl::InternalError("cannot build the test CA certificate");
  }
  return std::unique_ptr<TestCa>(new TestCa(key, cert, Pem(cert)));
}

TestCa::TestCa(EVP_PKEY* key, X509* cert, std::string cert_pem)
    : key_(key), cert_(cert), cert_pem_(std::move(cert_pem)) {}

TestCa::~TestCa() {
  X509_free(cert_);
  EVP_PKEY_free(key_);
}

absl::StatusOr<IssuedCertificate> TestCa::Issue(const LeafOptions& options) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return absl::InternalError("EVP_EC_gen failed");
  X509* cert = NewCert(next_serial_++, options.common_name, key,
                       options.not_before, options.not_after);
  X509_set_issuer_name(cert, X509_get_subject_name(cert_));
  bool ok =
      AddExtension(cert, cert_, NID_basic_constraints, "CA:FALSE") &&
      AddExtension(cert, cert_, NID_ext_key_usage,
                   options.extended_key_usage) &&
      AddExtension(cert, cert_, NID_authority_key_identifier, "keyid:always");
  if (ok && !options.subject_alt_names.empty()) {
    ok = AddExtension(cert, cert_, NID_subject_alt_name,
                      absl::StrJoin(options.subject_alt_names, ","));
  }
  ok = ok && X509_sign(cert, key_, EVP_sha256()) != 0;
  IssuedCertificate out;
  if (ok) {
    out.cert_pem = Pem(cert);
    out.key_pem = Pem(key);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(cert, EVP_sha256(), digest, &length);
    out.sha256_fingerprint = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(digest), length));
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) return absl::InternalError("cannot issue the test certificate");
  return out;
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out);
}

}  // namespace propwatch::testing
