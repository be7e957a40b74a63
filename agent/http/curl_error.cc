#include "agent/http/curl_error.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace propwatch {
namespace {

using v1::ErrorClass;

struct Classified {
  ErrorClass error_class;
  std::string what;
};

Classified ClassifyConnectFailure(const CurlFailureContext& c) {
  switch (c.os_errno) {
    case ECONNREFUSED:
      return {v1::ERROR_CLASS_REFUSED, "connection refused"};
    case ETIMEDOUT:
      return {v1::ERROR_CLASS_TIMEOUT, "connect timed out"};
    case ENETUNREACH:
    case EAFNOSUPPORT:
    case EADDRNOTAVAIL:
      // An agent without an IPv6 route says nothing about the IP itself
      // (DESIGN: recorded as unsupported, never as a failure of that IP).
      if (c.pinned_ipv6) {
        return {v1::ERROR_CLASS_UNSUPPORTED, "no IPv6 route from this agent"};
      }
      return {v1::ERROR_CLASS_NETWORK, "network unreachable"};
    case EHOSTUNREACH:
      return {v1::ERROR_CLASS_NETWORK, "host unreachable"};
    default:
      break;
  }
  return {v1::ERROR_CLASS_NETWORK, "cannot connect"};
}

Classified Classify(CURLcode code, const CurlFailureContext& c) {
  switch (c.local_abort) {
    case LocalAbort::kBodyCap:
      return {
          v1::ERROR_CLASS_BODY_TOO_LARGE,
          absl::StrCat("body larger than the ", c.body_cap,
                       "-byte cap; hashed the first ", c.body_cap, " bytes")};
    case LocalAbort::kHeaderCap:
      return {v1::ERROR_CLASS_PROTOCOL,
              absl::StrCat("response headers exceed ", c.header_cap, " bytes")};
    case LocalAbort::kDeadline:
      return {v1::ERROR_CLASS_TIMEOUT,
              absl::StrCat("no complete response within the ", c.deadline,
                           " probe deadline")};
    case LocalAbort::kCancelled:
      return {v1::ERROR_CLASS_CANCELLED, "probe cancelled"};
    case LocalAbort::kNone:
      break;
  }
  switch (code) {
    case CURLE_OK:
      return {v1::ERROR_CLASS_UNSPECIFIED, ""};
    case CURLE_OPERATION_TIMEDOUT:
      return {v1::ERROR_CLASS_TIMEOUT, "timed out"};
    case CURLE_COULDNT_CONNECT:
      return ClassifyConnectFailure(c);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return {v1::ERROR_CLASS_NETWORK, "network error"};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return {v1::ERROR_CLASS_TLS, "TLS failure"};
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_RANGE_ERROR:
    case CURLE_HTTP_RETURNED_ERROR:
      return {v1::ERROR_CLASS_PROTOCOL, "HTTP protocol error"};
    case CURLE_OUT_OF_MEMORY:
      // libcurl reports a header line over its 100 KB limit this way
      // ("Rejected N bytes header"); that is the server's doing.
      if (!c.headers_complete) {
        return {v1::ERROR_CLASS_PROTOCOL,
                absl::StrCat("response header line longer than libcurl's ",
                             CURL_MAX_HTTP_HEADER, "-byte limit")};
      }
      return {v1::ERROR_CLASS_INTERNAL, "out of memory"};
    case CURLE_FILESIZE_EXCEEDED:
      return {v1::ERROR_CLASS_BODY_TOO_LARGE, "body too large"};
    case CURLE_ABORTED_BY_CALLBACK:
      return {v1::ERROR_CLASS_CANCELLED, "transfer aborted"};
    default:
      return {v1::ERROR_CLASS_INTERNAL, "agent-side failure"};
  }
}

}  // namespace

CurlFailure MapCurlError(CURLcode code, const CurlFailureContext& context) {
  Classified classified = Classify(code, context);
  CurlFailure out;
  out.error_class = classified.error_class;
  if (out.error_class == v1::ERROR_CLASS_UNSPECIFIED) return out;
  const absl::string_view bracket_open = context.pinned_ipv6 ? "[" : "";
  const absl::string_view bracket_close = context.pinned_ipv6 ? "]" : "";
  std::string detail;
  // libcurl words an over-long header line as "Out of memory"; our sentence
  // already says what happened.
  const bool detail_misleads = code == CURLE_OUT_OF_MEMORY &&
                               out.error_class == v1::ERROR_CLASS_PROTOCOL;
  if (context.local_abort == LocalAbort::kNone && !detail_misleads) {
    absl::string_view text = absl::StripAsciiWhitespace(context.detail);
    detail = absl::StrCat(" (", text.empty() ? curl_easy_strerror(code) : text);
    if (context.os_errno != 0 && code == CURLE_COULDNT_CONNECT) {
      absl::StrAppend(&detail, "; errno ", context.os_errno, " ",
                      std::strerror(static_cast<int>(context.os_errno)));
    }
    absl::StrAppend(&detail, ")");
  }
  out.message = absl::StrCat(classified.what, detail, " for ", context.url,
                             " pinned to ", bracket_open, context.pinned_ip,
                             bracket_close, ":", context.port);
  return out;
}

}  // namespace propwatch
