#include "agent/http/http_expectation.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/http/linear_regex.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

constexpr size_t kMaxQuotedBytes = 120;

// Quotes server-controlled text for a message without letting it grow
// without bound or carry control characters.
std::string Quote(absl::string_view text) {
  std::string shown = absl::CHexEscape(text.substr(0, kMaxQuotedBytes));
  if (text.size() > kMaxQuotedBytes) absl::StrAppend(&shown, "...");
  return absl::StrCat("'", shown, "'");
}

std::string NoResponse(const v1::HttpResult& result) {
  return absl::StrCat(
      "no HTTP response (",
      result.error_message().empty() ? "probe failed" : result.error_message(),
      ")");
}

void Add(std::vector<v1::ExpectationFailure>* out, absl::string_view field,
         std::string message) {
  v1::ExpectationFailure& failure = out->emplace_back();
  failure.set_field(std::string(field));
  failure.set_message(std::move(message));
}

void CheckStatus(const v1::HttpExpectation& expect,
                 const v1::HttpResult& result,
                 std::vector<v1::ExpectationFailure>* out) {
  if (expect.status_in().empty()) return;
  const auto& allowed = expect.status_in();
  if (std::find(allowed.begin(), allowed.end(), result.status()) !=
      allowed.end()) {
    return;
  }
  const std::string wanted =
      allowed.size() == 1
          ? absl::StrCat("expected ", allowed[0])
          : absl::StrCat("expected one of ", absl::StrJoin(allowed, ", "));
  if (result.status() == 0) {
    Add(out, "status_in", absl::StrCat(NoResponse(result), ", ", wanted));
  } else {
    Add(out, "status_in",
        absl::StrCat("status ", result.status(), ", ", wanted));
  }
}

void CheckHeaders(const v1::HttpExpectation& expect,
                  const v1::HttpResult& result,
                  std::vector<v1::ExpectationFailure>* out) {
  // Sorted so the failures come out in the same order every time.
  const std::map<std::string, std::string> sorted(
      expect.header_matches().begin(), expect.header_matches().end());
  for (const auto& [name, pattern] : sorted) {
    absl::StatusOr<LinearRegex> re = LinearRegex::Compile(pattern);
    if (!re.ok()) {
      Add(out, "header_matches",
          absl::StrCat("header ", name, ": ", re.status().message()));
      continue;
    }
    std::vector<absl::string_view> values;
    for (const v1::HeaderValue& header : result.headers()) {
      if (absl::EqualsIgnoreCase(header.name(), name)) {
        values.push_back(header.value());
      }
    }
    if (values.empty()) {
      Add(out, "header_matches",
          absl::StrCat(result.status() == 0 ? NoResponse(result) + ": " : "",
                       "header ", name, " missing, expected to match ",
                       Quote(pattern)));
      continue;
    }
    if (std::any_of(values.begin(), values.end(),
                    [&](absl::string_view v) { return re->FullMatch(v); })) {
      continue;
    }
    std::vector<std::string> quoted;
    for (absl::string_view v : values) quoted.push_back(Quote(v));
    Add(out, "header_matches",
        absl::StrCat("header ", name, " ", absl::StrJoin(quoted, ", "),
                     values.size() == 1 ? " does" : " do", " not match ",
                     Quote(pattern)));
  }
}

void CheckBody(const v1::HttpExpectation& expect, const v1::HttpResult& result,
               absl::string_view body,
               std::vector<v1::ExpectationFailure>* out) {
  if (!expect.body_regex().empty()) {
    absl::StatusOr<LinearRegex> re = LinearRegex::Compile(expect.body_regex());
    if (!re.ok()) {
      Add(out, "body_regex", std::string(re.status().message()));
    } else if (result.status() == 0) {
      Add(out, "body_regex",
          absl::StrCat(NoResponse(result), ", expected a body matching ",
                       Quote(expect.body_regex())));
    } else if (!re->Search(body)) {
      std::string scope;
      if (result.body_bytes() > body.size()) {
        scope = absl::StrCat(" in its first ", body.size(), " bytes");
      }
      Add(out, "body_regex",
          absl::StrCat("body does not match regex ", Quote(expect.body_regex()),
                       scope));
    }
  }
  if (!expect.body_sha256().empty()) {
    const std::string wanted = absl::AsciiStrToLower(expect.body_sha256());
    if (result.status() == 0) {
      Add(out, "body_sha256",
          absl::StrCat(NoResponse(result), ", expected body sha256 ", wanted));
    } else if (result.body_sha256() != wanted) {
      Add(out, "body_sha256",
          absl::StrCat("body sha256 ", result.body_sha256(), " (",
                       result.body_bytes(), " bytes",
                       result.error_class() == v1::ERROR_CLASS_BODY_TOO_LARGE
                           ? ", cut at the cap"
                           : "",
                       "), expected ", wanted));
    }
  }
}

void CheckCertificate(const v1::HttpExpectation& expect,
                      const v1::HttpResult& result, absl::Time now,
                      std::vector<v1::ExpectationFailure>* out) {
  const uint32_t min_days = expect.tls_min_days_left();
  if (min_days == 0) return;
  const std::string wanted = absl::StrCat(
      "expected a verified certificate valid for at least ", min_days, " days");
  if (!result.has_certificate() ||
      result.certificate().sha256_fingerprint().empty()) {
    Add(out, "tls_min_days_left",
        absl::StrCat("no TLS certificate received",
                     result.error_message().empty()
                         ? ""
                         : absl::StrCat(" (", result.error_message(), ")"),
                     ", ", wanted));
    return;
  }
  if (!result.tls_verified()) {
    Add(out, "tls_min_days_left",
        absl::StrCat("certificate not verified (",
                     result.tls_verify_error().empty()
                         ? "unknown reason"
                         : result.tls_verify_error(),
                     "), ", wanted));
    return;
  }
  const absl::Duration left =
      FromProtoTime(result.certificate().not_after()) - now;
  const int64_t days = absl::ToInt64Hours(left) / 24;
  if (left < absl::ZeroDuration()) {
    Add(out, "tls_min_days_left",
        absl::StrCat("certificate expired ", -days,
                     " days ago, expected at "
                     "least ",
                     min_days, " days left"));
  } else if (days < min_days) {
    Add(out, "tls_min_days_left",
        absl::StrCat("certificate expires in ", days,
                     days == 1 ? " day" : " days", ", expected at least ",
                     min_days));
  }
}

}  // namespace

std::vector<v1::ExpectationFailure> CheckHttpExpectation(
    const v1::HttpExpectation& expect, const v1::HttpResult& result,
    absl::string_view body, absl::Time now) {
  std::vector<v1::ExpectationFailure> failures;
  CheckStatus(expect, result, &failures);
  CheckHeaders(expect, result, &failures);
  CheckBody(expect, result, body, &failures);
  CheckCertificate(expect, result, now, &failures);
  return failures;
}

}  // namespace propwatch
