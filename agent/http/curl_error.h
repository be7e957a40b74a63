// The one adapter from libcurl outcomes to propwatch error classes.
#ifndef PROPWATCH_AGENT_HTTP_CURL_ERROR_H_
#define PROPWATCH_AGENT_HTTP_CURL_ERROR_H_

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// Why a transfer was stopped from our side rather than by libcurl.
enum class LocalAbort {
  kNone,
  kBodyCap,    // body passed body_cap_bytes
  kHeaderCap,  // response headers passed the total header cap
  kDeadline,   // the probe's own loop deadline fired
  kCancelled,  // Cancel() was called
};

// What is known about the failed transfer besides its CURLcode.
struct CurlFailureContext {
  absl::string_view url;
  absl::string_view pinned_ip;
  uint16_t port = 0;
  bool pinned_ipv6 = false;
  long os_errno = 0;         // CURLINFO_OS_ERRNO
  absl::string_view detail;  // CURLOPT_ERRORBUFFER text, may be empty
  bool headers_complete = false;
  LocalAbort local_abort = LocalAbort::kNone;
  uint64_t body_cap = 0;
  uint64_t header_cap = 0;
  absl::string_view deadline;  // "10s", for kDeadline messages
};

struct CurlFailure {
  v1::ErrorClass error_class = v1::ERROR_CLASS_UNSPECIFIED;
  // Names what failed, the URL and the pinned address.
  std::string message;
};

// Maps a transfer outcome to an error class and a sentence. CURLE_OK with no
// local abort maps to ERROR_CLASS_UNSPECIFIED and an empty message.
CurlFailure MapCurlError(CURLcode code, const CurlFailureContext& context);

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_CURL_ERROR_H_
