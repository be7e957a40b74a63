#include "agent/http/curl_error.h"

#include <cerrno>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace propwatch {
namespace {

struct Case {
  std::string name;
  CURLcode code;
  long os_errno = 0;
  bool ipv6 = false;
  bool headers_complete = false;
  LocalAbort abort = LocalAbort::kNone;
  v1::ErrorClass want;
  std::string message_has;
};

TEST(MapCurlErrorTest, Table) {
  const std::vector<Case> cases = {
      {"ok", CURLE_OK, 0, false, true, LocalAbort::kNone,
       v1::ERROR_CLASS_UNSPECIFIED, ""},
      {"timeout", CURLE_OPERATION_TIMEDOUT, 0, false, false, LocalAbort::kNone,
       v1::ERROR_CLASS_TIMEOUT, "timed out"},
      {"refused", CURLE_COULDNT_CONNECT, ECONNREFUSED, false, false,
       LocalAbort::kNone, v1::ERROR_CLASS_REFUSED, "connection refused"},
      {"v6 without route is unsupported", CURLE_COULDNT_CONNECT, ENETUNREACH,
       true, false, LocalAbort::kNone, v1::ERROR_CLASS_UNSUPPORTED,
       "no IPv6 route"},
      {"v6 socket family missing", CURLE_COULDNT_CONNECT, EAFNOSUPPORT, true,
       false, LocalAbort::kNone, v1::ERROR_CLASS_UNSUPPORTED, "no IPv6 route"},
      {"v4 unreachable is network", CURLE_COULDNT_CONNECT, ENETUNREACH, false,
       false, LocalAbort::kNone, v1::ERROR_CLASS_NETWORK, "unreachable"},
      {"connect timeout errno", CURLE_COULDNT_CONNECT, ETIMEDOUT, false, false,
       LocalAbort::kNone, v1::ERROR_CLASS_TIMEOUT, "connect timed out"},
      {"reset", CURLE_RECV_ERROR, ECONNRESET, false, false, LocalAbort::kNone,
       v1::ERROR_CLASS_NETWORK, "network error"},
      {"tls verification", CURLE_PEER_FAILED_VERIFICATION, 0, false, false,
       LocalAbort::kNone, v1::ERROR_CLASS_TLS, "TLS failure"},
      {"tls handshake", CURLE_SSL_CONNECT_ERROR, 0, false, false,
       LocalAbort::kNone, v1::ERROR_CLASS_TLS, "TLS failure"},
      {"garbage reply", CURLE_WEIRD_SERVER_REPLY, 0, false, false,
       LocalAbort::kNone, v1::ERROR_CLASS_PROTOCOL, "protocol"},
      {"empty reply", CURLE_GOT_NOTHING, 0, false, false, LocalAbort::kNone,
       v1::ERROR_CLASS_PROTOCOL, "protocol"},
      {"huge header line", CURLE_OUT_OF_MEMORY, 0, false, false,
       LocalAbort::kNone, v1::ERROR_CLASS_PROTOCOL,
       "response header line longer than libcurl's 102400-byte limit for"},
      {"real out of memory", CURLE_OUT_OF_MEMORY, 0, false, true,
       LocalAbort::kNone, v1::ERROR_CLASS_INTERNAL, "out of memory"},
      {"body cap", CURLE_WRITE_ERROR, 0, false, true, LocalAbort::kBodyCap,
       v1::ERROR_CLASS_BODY_TOO_LARGE, "body larger than the 1024-byte cap"},
      {"header cap", CURLE_WRITE_ERROR, 0, false, false, LocalAbort::kHeaderCap,
       v1::ERROR_CLASS_PROTOCOL, "response headers exceed 2048 bytes"},
      {"loop deadline", CURLE_OPERATION_TIMEDOUT, 0, false, false,
       LocalAbort::kDeadline, v1::ERROR_CLASS_TIMEOUT, "within the 3s probe"},
      {"cancel", CURLE_ABORTED_BY_CALLBACK, 0, false, false,
       LocalAbort::kCancelled, v1::ERROR_CLASS_CANCELLED, "cancelled"},
      {"unknown code", CURLE_FAILED_INIT, 0, false, false, LocalAbort::kNone,
       v1::ERROR_CLASS_INTERNAL, "agent-side"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CurlFailureContext context;
    context.url = "https://www.example.test/signin";
    context.pinned_ip = c.ipv6 ? "2001:db8::1" : "127.0.0.2";
    context.port = 443;
    context.pinned_ipv6 = c.ipv6;
    context.os_errno = c.os_errno;
    context.headers_complete = c.headers_complete;
    context.local_abort = c.abort;
    context.body_cap = 1024;
    context.header_cap = 2048;
    context.deadline = "3s";
    const CurlFailure failure = MapCurlError(c.code, context);
    EXPECT_EQ(failure.error_class, c.want)
        << v1::ErrorClass_Name(failure.error_class);
    if (c.want == v1::ERROR_CLASS_UNSPECIFIED) {
      EXPECT_EQ(failure.message, "");
      continue;
    }
    EXPECT_NE(failure.message.find(c.message_has), std::string::npos)
        << failure.message;
    // Every message names the URL and the pinned address.
    EXPECT_NE(failure.message.find("https://www.example.test/signin"),
              std::string::npos)
        << failure.message;
    EXPECT_NE(
        failure.message.find(c.ipv6 ? "[2001:db8::1]:443" : "127.0.0.2:443"),
        std::string::npos)
        << failure.message;
  }
}

TEST(MapCurlErrorTest, PrefersLibcurlDetailText) {
  CurlFailureContext context;
  context.url = "http://a.test/";
  context.pinned_ip = "127.0.0.9";
  context.port = 80;
  context.detail = "Failed to connect to a.test port 80 after 0 ms\n";
  context.os_errno = ECONNREFUSED;
  const CurlFailure failure = MapCurlError(CURLE_COULDNT_CONNECT, context);
  EXPECT_EQ(failure.message,
            "connection refused (Failed to connect to a.test port 80 after 0 "
            "ms; errno 111 Connection refused) for http://a.test/ pinned to "
            "127.0.0.9:80");
}

}  // namespace
}  // namespace propwatch
