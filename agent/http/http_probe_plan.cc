#include "agent/http/http_probe_plan.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/http/curl_handles.h"
#include "agent/http/linear_regex.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

struct UrlParts {
  std::string scheme;
  std::string host;
  uint16_t port = 0;
};

std::string UrlPart(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) {
    return "";
  }
  std::string out(text);
  curl_free(text);
  return out;
}

absl::StatusOr<UrlParts> ParseUrl(absl::string_view url) {
  CurlUrlPtr handle(curl_url());
  if (handle == nullptr) return absl::InternalError("curl_url failed");
  const std::string text(url);
  const CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(),
                                    CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        "url '", url, "' does not parse: ", curl_url_strerror(rc)));
  }
  UrlParts parts;
  parts.scheme = absl::AsciiStrToLower(UrlPart(handle.get(), CURLUPART_SCHEME));
  if (parts.scheme != "http" && parts.scheme != "https") {
    return absl::InvalidArgumentError(
        absl::StrCat("url '", url, "' must be http:// or https://"));
  }
  parts.host = UrlPart(handle.get(), CURLUPART_HOST);
  if (parts.host.size() >= 2 && parts.host.front() == '[') {
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  }
  if (parts.host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("url '", url, "' has no host"));
  }
  const std::string port =
      UrlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  uint32_t port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number == 0 ||
      port_number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("url '", url, "' has a bad port '", port, "'"));
  }
  parts.port = static_cast<uint16_t>(port_number);
  return parts;
}

// RFC 9110 5.6.2 tchar.
bool IsToken(absl::string_view text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(c) || absl::StrContains("!#$%&'*+-.^_`|~", c);
  });
}

absl::Status CheckHeaderLine(absl::string_view line) {
  if (line.find_first_of(absl::string_view("\r\n\0", 3)) !=
      absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header '", absl::CHexEscape(line), "' contains CR, LF or NUL"));
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos || !IsToken(line.substr(0, colon))) {
    return absl::InvalidArgumentError(
        absl::StrCat("header '", line, "' is not 'Name: value'"));
  }
  if (absl::EqualsIgnoreCase(line.substr(0, colon), "host")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header '", line,
        "' is not allowed: the URL's host is sent as Host and used for SNI"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> Timeout(const google::protobuf::Duration& value,
                                       bool present, absl::Duration fallback,
                                       absl::Duration max,
                                       absl::string_view field) {
  if (!present) return fallback;
  const absl::Duration d = FromProtoDuration(value);
  if (d <= absl::ZeroDuration() || d > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", absl::FormatDuration(d),
                     " is out of range (0, ", absl::FormatDuration(max), "]"));
  }
  return d;
}

absl::Status CheckExpectation(const v1::HttpExpectation& expect,
                              const UrlParts& url) {
  for (uint32_t status : expect.status_in()) {
    if (status < 100 || status > 999) {
      return absl::InvalidArgumentError(
          absl::StrCat("expect.status_in: ", status, " is not an HTTP status"));
    }
  }
  for (const auto& [name, pattern] : expect.header_matches()) {
    if (!IsToken(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expect.header_matches: '", name, "' is not a header name"));
    }
    absl::StatusOr<LinearRegex> re = LinearRegex::Compile(pattern);
    if (!re.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expect.header_matches[", name, "]: ", re.status().message()));
    }
  }
  if (!expect.body_regex().empty()) {
    absl::StatusOr<LinearRegex> re = LinearRegex::Compile(expect.body_regex());
    if (!re.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("expect.body_regex: ", re.status().message()));
    }
  }
  const std::string& sha = expect.body_sha256();
  if (!sha.empty() &&
      (sha.size() != 64 ||
       !std::all_of(sha.begin(), sha.end(), absl::ascii_isxdigit))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expect.body_sha256 '", sha, "' is not 64 hexadecimal digits"));
  }
  if (expect.tls_min_days_left() > 0 && url.scheme != "https") {
    return absl::InvalidArgumentError(
        "expect.tls_min_days_left needs an https:// URL");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HttpProbePlan> PlanHttpProbe(const v1::HttpProbeSpec& spec,
                                            const HttpProbeLimits& limits) {
  HttpProbePlan plan;
  plan.spec = spec;
  absl::StatusOr<UrlParts> url = ParseUrl(spec.url());
  if (!url.ok()) return url.status();
  plan.url = spec.url();
  plan.scheme = url->scheme;
  plan.host = url->host;
  plan.url_port = url->port;

  unsigned char addr[16];
  char canonical[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, spec.pinned_ip().c_str(), addr) == 1) {
    inet_ntop(AF_INET, addr, canonical, sizeof(canonical));
  } else if (inet_pton(AF_INET6, spec.pinned_ip().c_str(), addr) == 1) {
    inet_ntop(AF_INET6, addr, canonical, sizeof(canonical));
    plan.pinned_ipv6 = true;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "pinned_ip '", spec.pinned_ip(), "' is not an IPv4 or IPv6 address"));
  }
  plan.pinned_ip = canonical;
  if (spec.port() > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("port ", spec.port(), " is out of range"));
  }
  plan.dial_port =
      spec.port() != 0 ? static_cast<uint16_t>(spec.port()) : plan.url_port;

  plan.method = spec.method().empty() ? "GET" : spec.method();
  if (!IsToken(plan.method)) {
    return absl::InvalidArgumentError(
        absl::StrCat("method '", spec.method(), "' is not an HTTP token"));
  }
  for (const std::string& header : spec.headers()) {
    if (absl::Status s = CheckHeaderLine(header); !s.ok()) return s;
  }

  absl::StatusOr<absl::Duration> total =
      Timeout(spec.total_timeout(), spec.has_total_timeout(),
              kDefaultTotalTimeout, limits.max_total_timeout, "total_timeout");
  if (!total.ok()) return total.status();
  absl::StatusOr<absl::Duration> connect = Timeout(
      spec.connect_timeout(), spec.has_connect_timeout(),
      kDefaultConnectTimeout, limits.max_total_timeout, "connect_timeout");
  if (!connect.ok()) return connect.status();
  plan.total_timeout = *total;
  // Connecting can never take longer than the whole probe may.
  plan.connect_timeout = std::min(*connect, *total);

  plan.body_cap =
      spec.body_cap_bytes() != 0 ? spec.body_cap_bytes() : kDefaultBodyCapBytes;
  if (plan.body_cap > limits.max_body_cap_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body_cap_bytes ", plan.body_cap, " exceeds the agent's ",
                     limits.max_body_cap_bytes, "-byte limit"));
  }
  if (absl::Status s = CheckExpectation(spec.expect(), *url); !s.ok()) return s;
  if (!spec.expect().body_regex().empty()) {
    plan.keep_body_bytes = std::min(plan.body_cap, limits.max_regex_body_bytes);
  }
  plan.max_header_bytes = limits.max_header_bytes;

  for (const std::string& name : spec.record_headers()) {
    if (!IsToken(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("record_headers: '", name, "' is not a header name"));
    }
    plan.capture_headers.push_back(absl::AsciiStrToLower(name));
  }
  for (const auto& [name, pattern] : spec.expect().header_matches()) {
    plan.capture_headers.push_back(absl::AsciiStrToLower(name));
  }
  std::sort(plan.capture_headers.begin(), plan.capture_headers.end());
  plan.capture_headers.erase(
      std::unique(plan.capture_headers.begin(), plan.capture_headers.end()),
      plan.capture_headers.end());
  return plan;
}

std::string ConnectToEntry(const HttpProbePlan& plan) {
  if (plan.pinned_ipv6) {
    return absl::StrCat("::[", plan.pinned_ip, "]:", plan.dial_port);
  }
  return absl::StrCat("::", plan.pinned_ip, ":", plan.dial_port);
}

bool IsSameOrigin(const HttpProbePlan& plan, absl::string_view url) {
  absl::StatusOr<UrlParts> parts = ParseUrl(url);
  return parts.ok() && parts->scheme == plan.scheme &&
         absl::EqualsIgnoreCase(parts->host, plan.host) &&
         parts->port == plan.url_port;
}

}  // namespace propwatch
