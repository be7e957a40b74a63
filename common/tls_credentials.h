// gRPC credentials from the TLS flags every propwatch binary shares.
#ifndef PROPWATCH_COMMON_TLS_CREDENTIALS_H_
#define PROPWATCH_COMMON_TLS_CREDENTIALS_H_

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace propwatch {

// PEM file paths; empty means "not given".
struct TlsFiles {
  std::string cert;  // this side's certificate chain
  std::string key;   // its private key
  std::string ca;    // CA bundle that verifies the peer
};

// Contents of `path`, or InvalidArgument naming `flag` and the OS error.
absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        const std::string& flag);

// Client side: plaintext when `insecure`; otherwise TLS verifying the
// server with `files.ca` (system roots when empty), presenting a client
// certificate when cert and key are given (mutual TLS).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const TlsFiles& files, bool insecure);

// Server side: plaintext when `insecure`; otherwise TLS with cert and key
// (both required). With `files.ca`, client certificates are requested and,
// when presented, must verify against it; clients without one may still
// connect (the agent service then wants a token).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const TlsFiles& files, bool insecure);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_TLS_CREDENTIALS_H_
