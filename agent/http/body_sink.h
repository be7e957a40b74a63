// Response body consumer: SHA-256 of the bytes read, stopping at a cap.
#ifndef PROPWATCH_AGENT_HTTP_BODY_SINK_H_
#define PROPWATCH_AGENT_HTTP_BODY_SINK_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// Hashes at most `cap` body bytes as they stream in and, when asked, keeps a
// copy of the first `keep_bytes` of them (for a body regex). Memory stays
// bounded by keep_bytes whatever the server sends.
//
// Threading: not thread-safe; one transfer's callbacks use it.
class BodySink {
 public:
  // REQUIRES: keep_bytes <= cap.
  static absl::StatusOr<BodySink> Create(uint64_t cap, uint64_t keep_bytes);

  // Takes `data` up to the cap. Returns false when some of it lay past the
  // cap; those bytes are dropped and over_cap() becomes true.
  bool Append(absl::string_view data);

  // Starts over for a new response (a followed redirect).
  void Reset();

  uint64_t bytes() const { return bytes_; }
  bool over_cap() const { return over_cap_; }
  uint64_t cap() const { return cap_; }
  // Lowercase hex SHA-256 of the bytes taken so far.
  std::string HexDigest() const;
  // The first keep_bytes bytes of the body.
  const std::string& kept() const { return kept_; }

 private:
  struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

  BodySink(uint64_t cap, uint64_t keep_bytes, MdCtxPtr ctx)
      : cap_(cap), keep_bytes_(keep_bytes), ctx_(std::move(ctx)) {}

  uint64_t cap_;
  uint64_t keep_bytes_;
  MdCtxPtr ctx_;
  uint64_t bytes_ = 0;
  bool over_cap_ = false;
  std::string kept_;
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_BODY_SINK_H_
