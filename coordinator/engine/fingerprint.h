// The agreement fingerprint of one HTTP answer: what "the same answer" means
// when the spec gives no expectation and the majority decides.
#ifndef PROPWATCH_COORDINATOR_ENGINE_FINGERPRINT_H_
#define PROPWATCH_COORDINATOR_ENGINE_FINGERPRINT_H_

#include <string>

#include "propwatch/v1/control.pb.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// Writes the fingerprint of `http` into *out (replacing its contents; the
// caller reuses one buffer across probes to avoid an allocation each).
//
// A readable, space-separated list, because it is shown in MatrixCell:
//   "status=200 cert=3f9a1c0b7d2e4f61 x-version=41 body=9c1e..."
// - status always;
// - cert: the first 16 hex digits of the leaf certificate's SHA-256, when
//   the probe saw one. DESIGN.md makes the certificate part of the default
//   fingerprint: an edge still serving the old certificate is a stale edge;
// - each of spec.fingerprint_headers in spec order, name lowercased, value
//   of the first recorded header with that name (case-insensitive,
//   RFC 9110 5.1), "-" when the header was absent;
// - body: the first 16 hex digits of the body SHA-256, only when
//   spec.fingerprint_body (pages with per-request tokens would otherwise
//   never agree).
// 64 bits of each hash make accidental collisions irrelevant at round scale.
// A probe with an error gets "error=<class>" (e.g. "error=timeout"), which
// never takes part in the majority vote.
void AgreementFingerprint(const v1::HttpResult& http,
                          const v1::VerificationSpec& spec, std::string* out);

// "timeout" for ERROR_CLASS_TIMEOUT: the enum name without its prefix,
// lowercased.
std::string ErrorClassWord(v1::ErrorClass error_class);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_ENGINE_FINGERPRINT_H_
