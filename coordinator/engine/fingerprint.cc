#include "coordinator/engine/fingerprint.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace propwatch {
namespace {

constexpr size_t kHashDigits = 16;

absl::string_view HashPrefix(absl::string_view hex) {
  return hex.substr(0, kHashDigits);
}

}  // namespace

std::string ErrorClassWord(v1::ErrorClass error_class) {
  absl::string_view name = v1::ErrorClass_Name(error_class);
  absl::ConsumePrefix(&name, "ERROR_CLASS_");
  if (name.empty()) return absl::StrCat("error", static_cast<int>(error_class));
  return absl::AsciiStrToLower(name);
}

void AgreementFingerprint(const v1::HttpResult& http,
                          const v1::VerificationSpec& spec, std::string* out) {
  out->clear();
  if (http.error_class() != v1::ERROR_CLASS_UNSPECIFIED) {
    absl::StrAppend(out, "error=", ErrorClassWord(http.error_class()));
    return;
  }
  absl::StrAppend(out, "status=", http.status());
  if (!http.certificate().sha256_fingerprint().empty()) {
    absl::StrAppend(
        out, " cert=", HashPrefix(http.certificate().sha256_fingerprint()));
  }
  for (const std::string& name : spec.fingerprint_headers()) {
    absl::string_view value = "-";
    for (const v1::HeaderValue& header : http.headers()) {
      if (absl::EqualsIgnoreCase(header.name(), name)) {
        value = header.value();
        break;
      }
    }
    out->push_back(' ');
    for (char c : name) {
      out->push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
    absl::StrAppend(out, "=", value);
  }
  if (spec.fingerprint_body()) {
    absl::StrAppend(out, " body=", HashPrefix(http.body_sha256()));
  }
}

}  // namespace propwatch
