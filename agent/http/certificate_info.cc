#include "agent/http/certificate_info.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace propwatch {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

std::string NameToString(const X509_NAME* name) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || name == nullptr) return "";
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string Asn1String(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

std::string IpToString(const ASN1_OCTET_STRING* ip) {
  char text[INET6_ADDRSTRLEN] = {};
  const int length = ASN1_STRING_length(ip);
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : -1;
  if (family < 0 || inet_ntop(family, ASN1_STRING_get0_data(ip), text,
                              sizeof(text)) == nullptr) {
    return absl::StrCat("<", length, "-byte address>");
  }
  return text;
}

void AddSubjectAltNames(X509* cert, v1::CertificateInfo* info) {
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    switch (name->type) {
      case GEN_DNS:
        info->add_subject_alt_names(
            absl::StrCat("DNS:", Asn1String(name->d.dNSName)));
        break;
      case GEN_IPADD:
        info->add_subject_alt_names(
            absl::StrCat("IP:", IpToString(name->d.iPAddress)));
        break;
      case GEN_EMAIL:
        info->add_subject_alt_names(
            absl::StrCat("email:", Asn1String(name->d.rfc822Name)));
        break;
      case GEN_URI:
        info->add_subject_alt_names(absl::StrCat(
            "URI:", Asn1String(name->d.uniformResourceIdentifier)));
        break;
      default:
        break;
    }
  }
  GENERAL_NAMES_free(names);
}

bool ToTimestamp(const ASN1_TIME* t, google::protobuf::Timestamp* out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  out->set_seconds(timegm(&tm));
  out->set_nanos(0);
  return true;
}

}  // namespace

v1::CertificateInfo DescribeCertificate(X509* cert) {
  v1::CertificateInfo info;
  if (cert == nullptr) return info;
  info.set_subject(NameToString(X509_get_subject_name(cert)));
  info.set_issuer(NameToString(X509_get_issuer_name(cert)));
  AddSubjectAltNames(cert, &info);
  ToTimestamp(X509_get0_notBefore(cert), info.mutable_not_before());
  ToTimestamp(X509_get0_notAfter(cert), info.mutable_not_after());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) == 1) {
    info.set_sha256_fingerprint(absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(digest), length)));
  }
  return info;
}

std::string VerifyErrorText(long code) {
  return X509_verify_cert_error_string(code);
}

}  // namespace propwatch
