#include "agent/http/body_sink.h"

#include <algorithm>

#include "absl/strings/escaping.h"

namespace propwatch {

absl::StatusOr<BodySink> BodySink::Create(uint64_t cap, uint64_t keep_bytes) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("cannot initialise an OpenSSL SHA-256 digest");
  }
  return BodySink(cap, std::min(keep_bytes, cap), std::move(ctx));
}

bool BodySink::Append(absl::string_view data) {
  const uint64_t room = cap_ - bytes_;
  const bool fits = data.size() <= room;
  if (!fits) {
    over_cap_ = true;
    data = data.substr(0, room);
  }
  if (!data.empty()) {
    EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
    if (kept_.size() < keep_bytes_) {
      const size_t take =
          std::min<uint64_t>(keep_bytes_ - kept_.size(), data.size());
      kept_.append(data.data(), take);
    }
    bytes_ += data.size();
  }
  return fits;
}

void BodySink::Reset() {
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  bytes_ = 0;
  over_cap_ = false;
  kept_.clear();
}

std::string BodySink::HexDigest() const {
  // Finalise a copy so the sink can keep streaming afterwards.
  MdCtxPtr copy(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (copy == nullptr || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1 ||
      EVP_DigestFinal_ex(copy.get(), digest, &length) != 1) {
    return "";
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace propwatch
