// Response header lines as libcurl delivers them: records chosen headers,
// remembers Location, and bounds the total bytes a server may send.
#ifndef PROPWATCH_AGENT_HTTP_RESPONSE_HEADERS_H_
#define PROPWATCH_AGENT_HTTP_RESPONSE_HEADERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// Fed one complete header line per call (status line, "Name: value" lines,
// the empty line; HTTP/2 headers arrive in the same form). A new status line
// starts a new response (1xx interim answers, RFC 9110 15.2), so only the
// final response's headers are kept; the byte count runs across all of them
// so a server cannot evade the cap with endless 1xx responses.
//
// Threading: not thread-safe; one transfer's callbacks use it.
class ResponseHeaders {
 public:
  // `names` are matched case-insensitively (RFC 9110 5.1).
  ResponseHeaders(const std::vector<std::string>& names, uint64_t max_bytes);

  // Returns false once the total bytes of header lines exceed max_bytes; the
  // line that crossed the cap is not processed.
  bool OnLine(absl::string_view line);

  // Starts over for a new request (a followed redirect).
  void Reset();

  // True after the empty line ending a final (non-1xx) response's headers.
  bool complete() const { return complete_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t max_bytes() const { return max_bytes_; }
  // Chosen headers of the final response, names as received, in order.
  const std::vector<v1::HeaderValue>& recorded() const { return recorded_; }
  // Location of the final response, or empty.
  const std::string& location() const { return location_; }

 private:
  std::vector<std::string> names_;  // lowercase
  uint64_t max_bytes_;
  uint64_t bytes_ = 0;
  bool complete_ = false;
  bool interim_ = false;        // the current response is 1xx
  bool last_recorded_ = false;  // the previous field line was recorded
  std::vector<v1::HeaderValue> recorded_;
  std::string location_;
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_RESPONSE_HEADERS_H_
