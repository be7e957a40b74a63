#include "agent/http/response_headers.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace propwatch {

ResponseHeaders::ResponseHeaders(const std::vector<std::string>& names,
                                 uint64_t max_bytes)
    : max_bytes_(max_bytes) {
  for (const std::string& name : names) {
    names_.push_back(absl::AsciiStrToLower(name));
  }
}

void ResponseHeaders::Reset() {
  bytes_ = 0;
  complete_ = false;
  interim_ = false;
  last_recorded_ = false;
  recorded_.clear();
  location_.clear();
}

bool ResponseHeaders::OnLine(absl::string_view line) {
  bytes_ += line.size();
  if (bytes_ > max_bytes_) return false;
  absl::string_view text = line;
  absl::ConsumeSuffix(&text, "\n");
  absl::ConsumeSuffix(&text, "\r");

  if (absl::StartsWith(text, "HTTP/")) {
    // Status line "HTTP/1.1 200 OK" or "HTTP/2 200": a new response begins.
    recorded_.clear();
    location_.clear();
    complete_ = false;
    last_recorded_ = false;
    const size_t space = text.find(' ');
    int code = 0;
    if (space != absl::string_view::npos) {
      (void)absl::SimpleAtoi(text.substr(space + 1, 3), &code);
    }
    interim_ = code >= 100 && code < 200;
    return true;
  }
  if (text.empty()) {
    if (!interim_) complete_ = true;
    last_recorded_ = false;
    return true;
  }
  if (complete_) return true;  // trailers after a chunked body are not kept
  if (text.front() == ' ' || text.front() == '\t') {
    // Obsolete line folding (RFC 9112 5.2): continues the previous field.
    if (last_recorded_ && !recorded_.empty()) {
      absl::StrAppend(recorded_.back().mutable_value(), " ",
                      absl::StripAsciiWhitespace(text));
    }
    return true;
  }
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) {
    last_recorded_ = false;
    return true;
  }
  const absl::string_view name = text.substr(0, colon);
  const absl::string_view value =
      absl::StripAsciiWhitespace(text.substr(colon + 1));
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "location") location_ = std::string(value);
  last_recorded_ =
      std::find(names_.begin(), names_.end(), lower) != names_.end();
  if (last_recorded_) {
    v1::HeaderValue& header = recorded_.emplace_back();
    header.set_name(std::string(name));
    header.set_value(std::string(value));
  }
  return true;
}

}  // namespace propwatch
