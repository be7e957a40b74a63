#include "agent/http/http_transfer.h"

#include <arpa/inet.h>
#include <openssl/x509_vfy.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/http/certificate_info.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

// Collects the first failing curl_easy_setopt so configuration reads as a
// flat list of options.
class OptionSetter {
 public:
  explicit OptionSetter(CURL* easy) : easy_(easy) {}
  template <typename T>
  void Set(CURLoption option, T value, absl::string_view name) {
    if (code_ != CURLE_OK) return;
    code_ = curl_easy_setopt(easy_, option, value);
    if (code_ != CURLE_OK) failed_ = name;
  }
  absl::Status status() const {
    if (code_ == CURLE_OK) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("curl_easy_setopt(", failed_,
                                            "): ", curl_easy_strerror(code_)));
  }

 private:
  CURL* easy_;
  CURLcode code_ = CURLE_OK;
  absl::string_view failed_;
};

long HttpVersionOption(const HttpProbePlan& plan) {
  switch (plan.spec.http_version()) {
    case v1::HTTP_VERSION_1_1:
      return CURL_HTTP_VERSION_1_1;
    case v1::HTTP_VERSION_2:
      // Over TLS ALPN decides; cleartext HTTP/2 can only be asked for with
      // prior knowledge (RFC 9113 3.3), so an HTTP/1-only server fails.
      return plan.scheme == "https" ? CURL_HTTP_VERSION_2TLS
                                    : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    default:
      return CURL_HTTP_VERSION_2TLS;  // h2 when ALPN offers it, else 1.1
  }
}

std::string HttpVersionName(long version) {
  switch (version) {
    case CURL_HTTP_VERSION_1_0:
      return "HTTP/1.0";
    case CURL_HTTP_VERSION_1_1:
      return "HTTP/1.1";
    case CURL_HTTP_VERSION_2_0:
      return "HTTP/2";
    case CURL_HTTP_VERSION_3:
      return "HTTP/3";
    default:
      return "";
  }
}

// Compares addresses by value, so "::1" equals "0:0::1".
bool SameIp(absl::string_view a, absl::string_view b) {
  unsigned char x[16] = {}, y[16] = {};
  const std::string sa(a), sb(b);
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, sa.c_str(), x) == 1) {
      return inet_pton(family, sb.c_str(), y) == 1 && std::equal(x, x + 16, y);
    }
  }
  return false;
}

absl::Duration Micros(curl_off_t value) {
  return absl::Microseconds(static_cast<int64_t>(value));
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpTransfer>> HttpTransfer::Create(
    const HttpProbePlan* plan, absl::string_view url, absl::Duration time_left,
    absl::string_view user_agent) {
  absl::StatusOr<BodySink> body =
      BodySink::Create(plan->body_cap, plan->keep_body_bytes);
  if (!body.ok()) return body.status();
  std::unique_ptr<HttpTransfer> transfer(
      new HttpTransfer(plan, *std::move(body)));
  if (absl::Status s = transfer->Configure(url, time_left, user_agent);
      !s.ok()) {
    return s;
  }
  return transfer;
}

HttpTransfer::HttpTransfer(const HttpProbePlan* plan, BodySink body)
    : plan_(plan),
      body_(std::move(body)),
      headers_(plan->capture_headers, plan->max_header_bytes) {}

absl::Status HttpTransfer::Configure(absl::string_view url,
                                     absl::Duration time_left,
                                     absl::string_view user_agent) {
  easy_.reset(curl_easy_init());
  if (easy_ == nullptr) return absl::InternalError("curl_easy_init failed");
  url_ = std::string(url);
  connect_to_.reset(curl_slist_append(nullptr, ConnectToEntry(*plan_).c_str()));
  if (connect_to_ == nullptr) return absl::InternalError("curl_slist_append");
  // Every probe uses a fresh connection and closes it, so it says so (RFC
  // 9112 9.6: a client that will not reuse the connection sends "close").
  // The server then closes first and keeps the TIME_WAIT state, instead of
  // the agent piling up TIME_WAIT sockets and ephemeral ports at high probe
  // rates. libcurl drops the header on HTTP/2, where it is not allowed
  // (RFC 9113 8.2.2). A Connection header in the spec wins.
  bool has_connection_header = false;
  auto append = [this](const char* line) {
    curl_slist* grown = curl_slist_append(request_headers_.get(), line);
    if (grown == nullptr) return false;
    request_headers_.release();
    request_headers_.reset(grown);
    return true;
  };
  for (const std::string& header : plan_->spec.headers()) {
    has_connection_header |= absl::StartsWithIgnoreCase(header, "connection:");
    if (!append(header.c_str())) {
      return absl::InternalError("curl_slist_append");
    }
  }
  if (!has_connection_header && !append("Connection: close")) {
    return absl::InternalError("curl_slist_append");
  }
  const std::string agent(user_agent);
  const bool verify = !plan_->spec.insecure_skip_verify();
  // libcurl needs at least 1 ms; 0 would mean "no timeout".
  const long total_ms = std::max<long>(1, absl::ToInt64Milliseconds(time_left));
  const long connect_ms = std::max<long>(
      1, std::min(total_ms, static_cast<long>(absl::ToInt64Milliseconds(
                                plan_->connect_timeout))));

  CURL* easy = easy_.get();
  OptionSetter o(easy);
  o.Set(CURLOPT_URL, url_.c_str(), "URL");
  o.Set(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR");
  o.Set(CURLOPT_CONNECT_TO, connect_to_.get(), "CONNECT_TO");
  // An environment proxy would carry the request away from the pinned IP.
  o.Set(CURLOPT_PROXY, "", "PROXY");
  o.Set(CURLOPT_NOSIGNAL, 1L, "NOSIGNAL");
  o.Set(CURLOPT_FRESH_CONNECT, 1L, "FRESH_CONNECT");
  o.Set(CURLOPT_FORBID_REUSE, 1L, "FORBID_REUSE");
  // A resumed TLS session skips certificate verification, and with it the
  // certificate capture.
  o.Set(CURLOPT_SSL_SESSIONID_CACHE, 0L, "SSL_SESSIONID_CACHE");
  o.Set(CURLOPT_FOLLOWLOCATION, 0L, "FOLLOWLOCATION");
  o.Set(CURLOPT_CONNECTTIMEOUT_MS, connect_ms, "CONNECTTIMEOUT_MS");
  o.Set(CURLOPT_TIMEOUT_MS, total_ms, "TIMEOUT_MS");
  o.Set(CURLOPT_HTTP_VERSION, HttpVersionOption(*plan_), "HTTP_VERSION");
  o.Set(CURLOPT_USERAGENT, agent.c_str(), "USERAGENT");
  if (plan_->method == "HEAD") {
    o.Set(CURLOPT_NOBODY, 1L, "NOBODY");
  } else if (plan_->method != "GET") {
    o.Set(CURLOPT_CUSTOMREQUEST, plan_->method.c_str(), "CUSTOMREQUEST");
  }
  if (request_headers_ != nullptr) {
    o.Set(CURLOPT_HTTPHEADER, request_headers_.get(), "HTTPHEADER");
  }
  o.Set(CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L, "SSL_VERIFYPEER");
  o.Set(CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L, "SSL_VERIFYHOST");
  if (!plan_->spec.ca_bundle().empty()) {
    // Only the given bundle is trusted, not it plus the system directory.
    o.Set(CURLOPT_CAINFO, plan_->spec.ca_bundle().c_str(), "CAINFO");
    o.Set(CURLOPT_CAPATH, static_cast<const char*>(nullptr), "CAPATH");
  }
  o.Set(CURLOPT_ERRORBUFFER, error_buffer_, "ERRORBUFFER");
  o.Set(CURLOPT_WRITEFUNCTION, &BodyTrampoline, "WRITEFUNCTION");
  o.Set(CURLOPT_WRITEDATA, this, "WRITEDATA");
  o.Set(CURLOPT_HEADERFUNCTION, &HeaderTrampoline, "HEADERFUNCTION");
  o.Set(CURLOPT_HEADERDATA, this, "HEADERDATA");
  if (absl::Status s = o.status(); !s.ok()) return s;
  if (plan_->scheme == "https") {
    return tls_.Install(easy, plan_->host, verify, plan_->spec.ca_bundle());
  }
  return absl::OkStatus();
}

size_t HttpTransfer::BodyTrampoline(char* data, size_t size, size_t count,
                                    void* userp) {
  return static_cast<HttpTransfer*>(userp)->OnBody(
      absl::string_view(data, size * count));
}

size_t HttpTransfer::HeaderTrampoline(char* data, size_t size, size_t count,
                                      void* userp) {
  return static_cast<HttpTransfer*>(userp)->OnHeader(
      absl::string_view(data, size * count));
}

size_t HttpTransfer::OnBody(absl::string_view data) {
  if (body_.Append(data)) return data.size();
  // Returning short makes libcurl stop with CURLE_WRITE_ERROR.
  local_abort_ = LocalAbort::kBodyCap;
  return 0;
}

size_t HttpTransfer::OnHeader(absl::string_view line) {
  if (headers_.OnLine(line)) return line.size();
  local_abort_ = LocalAbort::kHeaderCap;
  return 0;
}

long HttpTransfer::status() const {
  long code = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &code);
  return code;
}

std::string HttpTransfer::RedirectUrl() const {
  char* url = nullptr;
  curl_easy_getinfo(easy_.get(), CURLINFO_REDIRECT_URL, &url);
  return url != nullptr ? url : "";
}

void HttpTransfer::FillResult(CURLcode code, absl::Duration offset,
                              std::optional<absl::Duration> total,
                              absl::Duration deadline,
                              v1::HttpResult* result) const {
  CURL* easy = easy_.get();
  result->set_url(plan_->url);
  result->set_pinned_ip(plan_->pinned_ip);
  char* primary_ip = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &primary_ip);
  if (primary_ip != nullptr) result->set_dialled_ip(primary_ip);
  result->set_status(static_cast<uint32_t>(std::max(0L, status())));
  long version = 0;
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
  if (result->status() != 0) result->set_http_version(HttpVersionName(version));
  for (const v1::HeaderValue& header : headers_.recorded()) {
    *result->add_headers() = header;
  }
  if (result->status() != 0) {
    // Without a response there is no body; an empty-body hash would claim one.
    result->set_body_sha256(body_.HexDigest());
    result->set_body_bytes(body_.bytes());
  }
  if (result->status() >= 300 && result->status() < 400) {
    result->set_redirect_location(headers_.location());
  }
  FillTimings(offset, total, result);

  long os_errno = 0;
  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  CurlFailureContext context;
  context.url = url_;
  context.pinned_ip = plan_->pinned_ip;
  context.port = plan_->dial_port;
  context.pinned_ipv6 = plan_->pinned_ipv6;
  context.os_errno = os_errno;
  context.detail = error_buffer_;
  context.headers_complete = headers_.complete();
  context.local_abort = local_abort_;
  context.body_cap = body_.cap();
  context.header_cap = headers_.max_bytes();
  const std::string deadline_text = absl::FormatDuration(deadline);
  context.deadline = deadline_text;
  CurlFailure failure = MapCurlError(code, context);
  result->set_error_class(failure.error_class);
  result->set_error_message(failure.message);

  if (!result->dialled_ip().empty() &&
      !SameIp(result->dialled_ip(), plan_->pinned_ip) &&
      failure.error_class != v1::ERROR_CLASS_CANCELLED) {
    // Whatever else happened, the answer came from the wrong server.
    result->set_error_class(v1::ERROR_CLASS_PIN_MISMATCH);
    result->set_error_message(absl::StrCat("dialled ", result->dialled_ip(),
                                           " instead of the pinned ",
                                           plan_->pinned_ip, " for ", url_));
  }
  if (plan_->scheme == "https") FillTls(code, result);
}

void HttpTransfer::FillTls(CURLcode code, v1::HttpResult* result) const {
  if (tls_.saw_certificate()) {
    *result->mutable_certificate() = DescribeCertificate(tls_.leaf());
  }
  long verify_result = tls_.verify_result();
  if (!tls_.saw_certificate()) {
    long curl_verify = X509_V_OK;
    curl_easy_getinfo(easy_.get(), CURLINFO_SSL_VERIFYRESULT, &curl_verify);
    verify_result = curl_verify;
  }
  if (plan_->spec.insecure_skip_verify()) {
    result->set_tls_verify_skipped(true);
    result->set_tls_verified(false);
    std::string text = "verification skipped on request";
    if (tls_.saw_certificate() && verify_result != X509_V_OK) {
      absl::StrAppend(
          &text, "; it would have failed: ", VerifyErrorText(verify_result));
    }
    result->set_tls_verify_error(text);
    return;
  }
  if (!tls_.saw_certificate()) {
    // No handshake got as far as a certificate (refused, timed out, ...).
    if (result->error_class() == v1::ERROR_CLASS_TLS) {
      result->set_tls_verify_error(result->error_message());
    }
    return;
  }
  if (verify_result != X509_V_OK) {
    result->set_tls_verify_error(VerifyErrorText(verify_result));
    return;
  }
  // Our check passed; libcurl's own host check is the second opinion.
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    result->set_tls_verify_error(error_buffer_);
    return;
  }
  result->set_tls_verified(true);
}

void HttpTransfer::FillTimings(absl::Duration offset,
                               std::optional<absl::Duration> total,
                               v1::HttpResult* result) const {
  CURL* easy = easy_.get();
  auto phase = [&](CURLINFO info) {
    curl_off_t value = 0;
    curl_easy_getinfo(easy, info, &value);
    // A phase never reached stays 0 rather than becoming the offset.
    return value > 0 ? offset + Micros(value) : absl::ZeroDuration();
  };
  v1::HttpTimings* t = result->mutable_timings();
  // Pinned: no name lookup happens, whatever libcurl spent parsing the IP.
  *t->mutable_dns() = ToProtoDuration(absl::ZeroDuration());
  *t->mutable_connect() = ToProtoDuration(phase(CURLINFO_CONNECT_TIME_T));
  *t->mutable_tls() = ToProtoDuration(phase(CURLINFO_APPCONNECT_TIME_T));
  *t->mutable_first_byte() =
      ToProtoDuration(phase(CURLINFO_STARTTRANSFER_TIME_T));
  *t->mutable_total() = ToProtoDuration(
      total.has_value() ? *total : phase(CURLINFO_TOTAL_TIME_T));
}

}  // namespace propwatch
