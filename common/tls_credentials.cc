#include "common/tls_credentials.h"

#include <errno.h>
#include <string.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace propwatch {

absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", path, "' cannot be read: ", strerror(errno)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string pem = buffer.str();
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", path, "' is not a PEM file"));
  }
  return pem;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const TlsFiles& files, bool insecure) {
  if (insecure) {
    if (!files.cert.empty() || !files.key.empty() || !files.ca.empty()) {
      return absl::InvalidArgumentError(
          "--insecure (plaintext) contradicts --tls-cert/--tls-key/--tls-ca");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together (mutual TLS needs both)");
  }
  grpc::SslCredentialsOptions options;
  if (!files.ca.empty()) {
    auto ca = ReadPemFile(files.ca, "--tls-ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  if (!files.cert.empty()) {
    auto cert = ReadPemFile(files.cert, "--tls-cert");
    if (!cert.ok()) return cert.status();
    auto key = ReadPemFile(files.key, "--tls-key");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const TlsFiles& files, bool insecure) {
  if (insecure) {
    if (!files.cert.empty() || !files.key.empty() || !files.ca.empty()) {
      return absl::InvalidArgumentError(
          "--insecure (plaintext) contradicts --tls-cert/--tls-key/--tls-ca");
    }
    return grpc::InsecureServerCredentials();
  }
  if (files.cert.empty() || files.key.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs --tls-cert and --tls-key (or --insecure for a plaintext "
        "local demo)");
  }
  auto cert = ReadPemFile(files.cert, "--tls-cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadPemFile(files.key, "--tls-key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!files.ca.empty()) {
    auto ca = ReadPemFile(files.ca, "--tls-ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace propwatch
